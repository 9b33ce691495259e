import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BusEvent } from '../../core/conversation/bus-events.ts';
import { FILLED_FROM_DATABASE, MissedMessages } from './missed-messages.ts';

const route = { id: 'c1', channelId: 'ch1', channelType: 'web', visitorId: 'v1', status: 'queued', assigneeId: null, queuedAt: null };

function setup(lookup: (seqs: number[]) => Promise<number[]>) {
  const sent: BusEvent[] = [];
  const warnings: string[] = [];
  const asked: number[][] = [];
  const missed = new MissedMessages({
    queries: {
      latestSeq: async () => 100,
      messagesWithRoutes: async (seqs) => {
        asked.push(seqs);
        const found = await lookup(seqs);
        return found.map((seq) => ({ message: { id: `m${seq}`, seq } as never, conversation: route as never }));
      },
    },
    logger: { warn: (_: unknown, msg: string) => void warnings.push(msg) } as never,
    send: (event) => void sent.push(event),
  });
  return { missed, sent, warnings, asked };
}

describe('messages whose bus event did not come in time', () => {
  afterEach(() => vi.useRealTimers());

  it('are sent from the database once their grace has passed, and only those the database has', async () => {
    vi.useFakeTimers();
    const { missed, sent, warnings, asked } = setup(async (seqs) => seqs.filter((seq) => seq === 102));
    await vi.advanceTimersByTimeAsync(0);
    missed.heard(101);
    missed.heard(104);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(asked).toEqual([[102, 103]]);
    expect(sent.map((e) => (e as { message: { seq: number } }).message.seq)).toEqual([102]);
    expect(warnings).toEqual([FILLED_FROM_DATABASE]);
    missed.close();
  });

  it('leave alone what was stored before the process listened', async () => {
    vi.useFakeTimers();
    const { missed, asked } = setup(async () => []);
    missed.heard(90);
    await vi.advanceTimersByTimeAsync(0);
    missed.heard(102);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(asked).toEqual([[101]]);
    missed.close();
  });

  it('are asked about again while the database is away, with one warning for the outage', async () => {
    vi.useFakeTimers();
    let away = true;
    const { missed, sent, warnings } = setup(async (seqs) => {
      if (away) throw new Error('connect ECONNREFUSED');
      return seqs;
    });
    await vi.advanceTimersByTimeAsync(0);
    missed.heard(101);
    missed.heard(103);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(warnings).toHaveLength(1);
    away = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent.map((e) => (e as { message: { seq: number } }).message.seq)).toEqual([102]);
    missed.close();
  });
});
