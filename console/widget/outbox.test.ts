import { describe, it, expect } from 'vitest';
import { addToOutbox, dueForSending, markFailed, markSent, parseOutbox, removeConfirmed, type OutboxItem } from './outbox.ts';

const item = (id: string, createdAt = 1): OutboxItem => ({ clientMessageId: id, kind: 'text', text: id, createdAt });

describe('addToOutbox()', () => {
  it('never holds two items with the same client message id', () => {
    const once = addToOutbox([], item('cmid-a'));
    const twice = addToOutbox(once, { ...item('cmid-a'), text: 'again' });
    expect(twice).toHaveLength(1);
    expect(twice[0]?.text).toBe('cmid-a');
  });
});

describe('removeConfirmed()', () => {
  it('drops exactly the confirmed items', () => {
    const items = [item('cmid-a'), item('cmid-b'), item('cmid-c')];
    expect(removeConfirmed(items, ['cmid-b', null, 'unknown']).map((i) => i.clientMessageId)).toEqual(['cmid-a', 'cmid-c']);
  });
});

describe('dueForSending()', () => {
  it('sends unsent items oldest first and resends only after the ack timeout', () => {
    let items = [item('cmid-late', 20), item('cmid-early', 10)];
    expect(dueForSending(items, 100, 10_000).map((i) => i.clientMessageId)).toEqual(['cmid-early', 'cmid-late']);
    items = markSent(items, 'cmid-early', 100);
    expect(dueForSending(items, 5_000, 10_000).map((i) => i.clientMessageId)).toEqual(['cmid-late']);
    expect(dueForSending(items, 10_100, 10_000).map((i) => i.clientMessageId)).toEqual(['cmid-early', 'cmid-late']);
  });

  it('leaves refused items alone', () => {
    const items = markFailed([item('cmid-a')], 'cmid-a', 'message too long');
    expect(dueForSending(items, 0, 10_000)).toEqual([]);
    expect(items[0]?.failed).toBe('message too long');
  });
});

describe('parseOutbox()', () => {
  it('round-trips a persisted outbox', () => {
    const items = [item('cmid-a'), { ...item('cmid-b'), sentAt: 5 }];
    expect(parseOutbox(JSON.stringify(items))).toEqual(items);
  });

  it('skips malformed entries and survives garbage', () => {
    expect(parseOutbox('[{"clientMessageId":"x","kind":"text","createdAt":1},{"kind":"video"},null,3]')).toHaveLength(1);
    expect(parseOutbox('{not json')).toEqual([]);
    expect(parseOutbox('{"a":1}')).toEqual([]);
    expect(parseOutbox(null)).toEqual([]);
  });
});
