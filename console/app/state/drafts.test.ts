import { describe, it, expect } from 'vitest';
import { loadDraft, saveDraft, type DraftStorage } from './drafts.ts';

function memoryStorage(): DraftStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

describe('drafts', () => {
  it('keeps one draft per conversation', () => {
    const storage = memoryStorage();
    saveDraft(storage, 'c1', 'hello');
    saveDraft(storage, 'c2', 'other');
    expect(loadDraft(storage, 'c1')).toBe('hello');
    expect(loadDraft(storage, 'c2')).toBe('other');
    expect(loadDraft(storage, 'c3')).toBe('');
  });

  it('removes the key when the draft is emptied', () => {
    const storage = memoryStorage();
    saveDraft(storage, 'c1', 'hello');
    saveDraft(storage, 'c1', '  ');
    expect(storage.data.size).toBe(0);
  });

  it('reports a storage that refuses to write instead of throwing', () => {
    const storage = { ...memoryStorage(), setItem: () => { throw new Error('QuotaExceededError'); } };
    expect(saveDraft(storage, 'c1', 'hello')).toBe(false);
  });
});
