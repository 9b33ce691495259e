import { describe, expect, it } from 'vitest';
import { SettingsService, type SettingsStore } from './settings-service.ts';

function memoryStore(): SettingsStore & { rows: Map<string, unknown>; reads: number } {
  const rows = new Map<string, unknown>();
  return {
    rows,
    reads: 0,
    async read(key) {
      this.reads++;
      return rows.get(key);
    },
    async readAll() {
      return new Map(rows);
    },
    async write(key, value) {
      rows.set(key, value);
    },
  };
}

describe('SettingsService', () => {
  it('returns the schema defaults for a key never stored', async () => {
    const settings = new SettingsService(memoryStore());
    expect((await settings.get('humanService')).enabled).toBe(true);
    expect((await settings.get('session')).autoCloseMinutes).toBe(10);
  });

  it('validates an update, fills omitted fields with defaults and returns the stored value', async () => {
    const store = memoryStore();
    const settings = new SettingsService(store);
    const saved = await settings.update('queue', { maxWaitMinutes: 5 });
    expect(saved.maxWaitMinutes).toBe(5);
    expect(saved.exitKeywords).toEqual(['退出排队', '取消排队']);
    expect((await settings.get('queue')).maxWaitMinutes).toBe(5);
  });

  it('refuses an invalid value with a message naming the field', async () => {
    const settings = new SettingsService(memoryStore());
    await expect(settings.update('session', { autoCloseMinutes: 0 })).rejects.toMatchObject({ code: 'validation_failed', userMessage: expect.stringContaining('autoCloseMinutes') });
  });

  it('caches reads for the TTL and re-reads after it or after invalidate()', async () => {
    let now = 0;
    const store = memoryStore();
    const settings = new SettingsService(store, { ttlMs: 1000, now: () => now });
    await settings.get('bot');
    await settings.get('bot');
    expect(store.reads).toBe(1);
    now = 1500;
    await settings.get('bot');
    expect(store.reads).toBe(2);
    settings.invalidate('bot');
    await settings.get('bot');
    expect(store.reads).toBe(3);
  });

  it('sees a change written by another process once invalidated', async () => {
    const store = memoryStore();
    const here = new SettingsService(store);
    const there = new SettingsService(store);
    expect((await here.get('satisfaction')).enabled).toBe(false);
    await there.update('satisfaction', { enabled: true });
    here.invalidate('satisfaction');
    expect((await here.get('satisfaction')).enabled).toBe(true);
  });

  it('announces updates so other processes can invalidate', async () => {
    const announced: string[] = [];
    const settings = new SettingsService(memoryStore(), { onUpdated: async (key) => void announced.push(key) });
    await settings.update('offHours', { reply: '下班了' });
    expect(announced).toEqual(['offHours']);
  });

  it('reads a stored value that no longer validates as the default', async () => {
    const store = memoryStore();
    store.rows.set('session', { autoCloseMinutes: 'ten' });
    expect((await new SettingsService(store).get('session')).autoCloseMinutes).toBe(10);
  });
});
