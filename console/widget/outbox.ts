/**
 * The visitor's outbox: messages typed but not yet confirmed by the server, persisted per channel so
 * that a dropped network or a reload loses nothing. Every item keeps its client message id for life,
 * and the server stores a client message id once, so sending an item again never doubles it.
 */
export interface OutboxItem {
  clientMessageId: string;
  kind: 'text' | 'image';
  text?: string;
  mediaUrl?: string;
  createdAt: number;
  /** When it last went out; unset until the first attempt. */
  sentAt?: number;
  /** Set when the server refused it for good (too long, not allowed); such items are not resent. */
  failed?: string;
}

/** Adds an item unless one with the same client message id is already waiting. */
export function addToOutbox(items: readonly OutboxItem[], item: OutboxItem): OutboxItem[] {
  return items.some((it) => it.clientMessageId === item.clientMessageId) ? [...items] : [...items, item];
}

/** Drops the items the server has confirmed (by ack, HTTP answer, replay or history). */
export function removeConfirmed(items: readonly OutboxItem[], confirmed: Iterable<string | null>): OutboxItem[] {
  const ids = new Set(confirmed);
  return items.filter((item) => !ids.has(item.clientMessageId));
}

export function markSent(items: readonly OutboxItem[], clientMessageId: string, at: number): OutboxItem[] {
  return items.map((item) => (item.clientMessageId === clientMessageId ? { ...item, sentAt: at } : item));
}

export function markFailed(items: readonly OutboxItem[], clientMessageId: string, reason: string): OutboxItem[] {
  return items.map((item) => (item.clientMessageId === clientMessageId ? { ...item, failed: reason } : item));
}

/**
 * Items to send now, oldest first: never sent, or sent more than `ackTimeoutMs` ago without a
 * confirmation (the answer may have been lost with the connection). Refused items are left out.
 */
export function dueForSending(items: readonly OutboxItem[], now: number, ackTimeoutMs: number): OutboxItem[] {
  return items
    .filter((item) => !item.failed && (item.sentAt === undefined || now - item.sentAt >= ackTimeoutMs))
    .sort((a, b) => a.createdAt - b.createdAt);
}

/** Reads a persisted outbox, keeping only well-formed items; anything unreadable yields an empty outbox. */
export function parseOutbox(raw: string | null): OutboxItem[] {
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (item): item is OutboxItem =>
        typeof item === 'object' && item !== null &&
        typeof item.clientMessageId === 'string' && (item.kind === 'text' || item.kind === 'image') &&
        typeof item.createdAt === 'number',
    );
  } catch {
    return [];
  }
}
