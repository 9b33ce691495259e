import { describe, it, expect } from 'vitest';
import type { MessageDto } from '../shared/protocol.ts';
import { createLocalMessage, maxSeq, mergeMessages } from './message-merge.ts';

function stored(seq: number, extra: Partial<MessageDto> = {}): MessageDto {
  return {
    id: `m${seq}`,
    seq,
    conversationId: 'c1',
    sender: 'visitor',
    senderId: null,
    kind: 'text',
    text: `text ${seq}`,
    mediaUrl: null,
    clientMessageId: null,
    deliveryStatus: 'sent',
    failureReason: null,
    createdAt: '2024-01-01T00:00:00.000Z',
    ...extra,
  };
}

describe('mergeMessages()', () => {
  it('orders stored messages by seq and drops duplicates by id', () => {
    const merged = mergeMessages([stored(3), stored(1)], [stored(2), stored(3)]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('lets the later copy of a message win, so delivery updates land', () => {
    const merged = mergeMessages([stored(5, { deliveryStatus: 'pending' })], [
      stored(5, { deliveryStatus: 'failed', failureReason: 'reply window closed' }),
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]?.deliveryStatus).toBe('failed');
  });

  it('replaces a local placeholder with the stored message of the same client message id', () => {
    const local = createLocalMessage({ clientMessageId: 'cmid-0001', kind: 'text', text: 'hi' }, 'c1', 'agent');
    const merged = mergeMessages([stored(1), local], [stored(2, { clientMessageId: 'cmid-0001', sender: 'agent' })]);
    expect(merged.map((m) => m.id)).toEqual(['m1', 'm2']);
  });

  it('ignores a stale placeholder that arrives after its confirmation', () => {
    const confirmed = stored(2, { clientMessageId: 'cmid-0002' });
    const late = createLocalMessage({ clientMessageId: 'cmid-0002', kind: 'text', text: 'x' }, 'c1', 'visitor', 'queued');
    expect(mergeMessages([confirmed], [late]).map((m) => m.id)).toEqual(['m2']);
  });

  it('keeps unconfirmed placeholders after stored messages, in creation order, once each', () => {
    const a = createLocalMessage({ clientMessageId: 'cmid-aaaa', kind: 'text', text: 'a' }, 'c1', 'agent');
    const b = createLocalMessage({ clientMessageId: 'cmid-bbbb', kind: 'text', text: 'b' }, 'c1', 'agent');
    const failedA = { ...a, localState: 'failed' as const, localError: 'offline' };
    const merged = mergeMessages([a, b], [stored(9), failedA]);
    expect(merged.map((m) => m.clientMessageId ?? m.id)).toEqual(['m9', 'cmid-aaaa', 'cmid-bbbb']);
    expect(merged[1]?.localState).toBe('failed');
  });
});

describe('maxSeq()', () => {
  it('returns the highest stored seq and ignores placeholders', () => {
    const local = createLocalMessage({ clientMessageId: 'cmid-cccc', kind: 'text' }, 'c1', 'agent');
    expect(maxSeq([stored(4), stored(7), local])).toBe(7);
    expect(maxSeq([local])).toBeNull();
  });
});
