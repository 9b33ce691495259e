/**
 * Drafts per conversation, kept in localStorage so switching conversations or reloading never loses
 * what an agent typed. An empty draft removes its key.
 */
export interface DraftStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const keyOf = (conversationId: string) => `kefu.draft.${conversationId}`;

export function loadDraft(storage: DraftStorage, conversationId: string): string {
  try {
    return storage.getItem(keyOf(conversationId)) ?? '';
  } catch {
    return '';
  }
}

/** Saves the draft; returns false when the browser refused (private mode, quota), so the caller can tell. */
export function saveDraft(storage: DraftStorage, conversationId: string, text: string): boolean {
  try {
    if (text.trim() === '') storage.removeItem(keyOf(conversationId));
    else storage.setItem(keyOf(conversationId), text);
    return true;
  } catch {
    return false;
  }
}
