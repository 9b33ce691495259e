import { describe, expect, it } from 'vitest';
import { buildRecordWhere, decodeCursor, encodeCursor, recordFilterSchema } from './record-filter.ts';

describe('buildRecordWhere()', () => {
  it('is empty without filters', () => {
    expect(buildRecordWhere({})).toEqual({ sql: '', params: [] });
  });

  it('counts a conversation that reached a human as human', () => {
    expect(buildRecordWhere({ type: 'human' }).sql).toBe('WHERE c.reached_human = true');
    expect(buildRecordWhere({ type: 'bot' }).sql).toBe('WHERE c.reached_human = false');
  });

  it('binds every value as a parameter, numbered from the first free one', () => {
    const where = buildRecordWhere({ from: '2025-01-01', channelId: '00000000-0000-4000-8000-000000000001', rating: 5 }, null, 3);
    expect(where.sql).toContain('c.created_at >= ($3::timestamptz');
    expect(where.sql).toContain('c.channel_id = $4::uuid');
    expect(where.sql).toContain('r.score = $5::int');
    expect(where.params).toEqual(['2025-01-01T00:00:00.000Z', '00000000-0000-4000-8000-000000000001', 5]);
  });

  it('escapes LIKE wildcards in the keyword', () => {
    const where = buildRecordWhere({ q: '100%_off' });
    expect(where.params).toEqual(['%100\\%\\_off%']);
    expect(where.sql).toContain('m.content ILIKE $1');
  });

  it('continues after the cursor in newest-first order', () => {
    const where = buildRecordWhere({}, { createdAt: '2025-01-02T03:04:05.000Z', id: '00000000-0000-4000-8000-000000000002' });
    expect(where.sql).toContain('(c.created_at, c.id) < (');
    expect(where.params).toHaveLength(2);
  });
});

describe('recordFilterSchema', () => {
  it('refuses a malformed date and a rating out of range', () => {
    expect(recordFilterSchema.safeParse({ from: 'yesterday' }).success).toBe(false);
    expect(recordFilterSchema.safeParse({ rating: '6' }).success).toBe(false);
    expect(recordFilterSchema.parse({ rating: '4' }).rating).toBe(4);
  });
});

describe('record cursors', () => {
  it('round-trip and refuse garbage', () => {
    const cursor = { createdAt: '2025-01-02T03:04:05.000Z', id: '00000000-0000-4000-8000-000000000002' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor('bm9wZQ')).toBeNull();
  });
});
