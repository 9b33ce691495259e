import { describe, expect, it } from 'vitest';
import { runOutage } from '../chaos/outage.ts';
import { passed, runChaos } from '../chaos/run-chaos.ts';
import { servicesAvailable } from '../chaos/services.ts';

/**
 * The chaos run, small: 500 visitor messages over web, WeCom and the Official Account while an API and
 * a worker are SIGKILLed, Redis loses its data and PostgreSQL crash-restarts (its own throw-away
 * services, never the shared ones). `npm run chaos` is the full-size version.
 */
describe.skipIf(!servicesAvailable())('chaos: crashes lose and duplicate nothing', () => {
  it('stores and delivers every accepted message exactly once, in order', async () => {
    const lines: string[] = [];
    const report = await runChaos({ messages: 500, rate: 40, rounds: 1, replyShare: 0.3, settleSeconds: 30, sweepMs: 1_000, log: (line) => lines.push(line) });
    const context = `${JSON.stringify(report)}\n${lines.join('\n')}`;
    // Every fault happened.
    expect(report.chaos_api_kills, context).toBe(1);
    expect(report.chaos_worker_kills, context).toBe(1);
    expect(report.chaos_redis_restarts, context).toBe(1);
    expect(report.chaos_postgres_restarts, context).toBe(1);
    expect(report.chaos_accepted, context).toBeGreaterThanOrEqual(500);
    expect(report.chaos_lost, context).toBe(0);
    expect(report.chaos_duplicated, context).toBe(0);
    expect(report.chaos_out_of_order, context).toBe(0);
    expect(report.chaos_crashes, context).toBe(0);
    expect(report.chaos_unhandled, context).toBe(0);
    expect(passed(report)).toBe(true);
  }, 180_000);

  it('keeps its processes up while Redis and PostgreSQL are away: 503 meanwhile, serving again after', async () => {
    const report = await runOutage(4_000);
    const context = JSON.stringify(report);
    expect(report.redisDown.length, context).toBeGreaterThan(0);
    expect(report.redisDown.every((status) => status === 503), context).toBe(true);
    expect(report.redisBack, context).toBe(200);
    expect(report.postgresDown.every((status) => status === 503), context).toBe(true);
    expect(report.postgresBack, context).toBe(200);
    expect(report.servesAfter, context).toBe(true);
    expect(report.crashes, context).toBe(0);
    expect(report.unhandled, context).toEqual([]);
  }, 120_000);
});
