import { describe, expect, it } from 'vitest';
import type { SqlExecutor } from '../infra/database.ts';
import { WebhookDirectory, type EnabledWebhook } from './webhook-directory.ts';

function fakeTable(initial: EnabledWebhook[]) {
  const state = { rows: initial, reads: 0, hold: null as Promise<void> | null };
  const sql: SqlExecutor = {
    exec: async () => undefined,
    async query<T>() {
      state.reads++;
      const rows = state.rows;
      if (state.hold) await state.hold;
      return rows as T[];
    },
  };
  return { sql, state };
}

describe('WebhookDirectory', () => {
  it('reads the table once for many events, again after a change, and at most maxAge stale', async () => {
    const { sql, state } = fakeTable([{ id: 'a', events: ['*'] }]);
    let now = 1_000;
    const realNow = Date.now;
    Date.now = () => now;
    try {
      const directory = new WebhookDirectory(sql, 10_000);
      const reads = await Promise.all(Array.from({ length: 50 }, () => directory.enabled()));
      expect(reads.every((r) => r.length === 1)).toBe(true);
      await directory.enabled();
      expect(state.reads).toBe(1);

      state.rows = [];
      directory.invalidate();
      expect(await directory.enabled()).toEqual([]);
      expect(state.reads).toBe(2);

      state.rows = [{ id: 'b', events: ['message.created'] }];
      now += 9_000;
      expect(await directory.enabled()).toEqual([]);
      now += 2_000;
      expect(await directory.enabled()).toEqual([{ id: 'b', events: ['message.created'] }]);
      expect(state.reads).toBe(3);
    } finally {
      Date.now = realNow;
    }
  });

  it('never keeps a read that began before a change', async () => {
    const { sql, state } = fakeTable([{ id: 'old', events: ['*'] }]);
    const directory = new WebhookDirectory(sql);
    let release!: () => void;
    state.hold = new Promise((r) => (release = r));
    const early = directory.enabled();
    await Promise.resolve();
    state.rows = [{ id: 'new', events: ['*'] }];
    directory.invalidate();
    state.hold = null;
    const late = directory.enabled();
    release();
    expect((await early).map((h) => h.id)).toEqual(['old']);
    expect((await late).map((h) => h.id)).toEqual(['new']);
    expect((await directory.enabled()).map((h) => h.id)).toEqual(['new']);
  });

  it('tells what it holds without reading: nothing before the first read, after a change or once stale', async () => {
    const { sql, state } = fakeTable([]);
    let now = 1_000;
    const realNow = Date.now;
    Date.now = () => now;
    try {
      const directory = new WebhookDirectory(sql, 10_000);
      expect(directory.cachedEnabled()).toBeNull();
      await directory.enabled();
      expect(directory.cachedEnabled()).toEqual([]);
      state.rows = [{ id: 'a', events: ['*'] }];
      directory.invalidate();
      expect(directory.cachedEnabled()).toBeNull();
      await directory.enabled();
      expect(directory.cachedEnabled()).toEqual([{ id: 'a', events: ['*'] }]);
      now += 10_001;
      expect(directory.cachedEnabled()).toBeNull();
      expect(state.reads).toBe(2);
    } finally {
      Date.now = realNow;
    }
  });
});
