import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../tests/integration/channel-support.ts';
import { testRedisUrl } from '../tests/support/harness.ts';
import { JobQueues } from './job-queue.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const backends: [string, () => Promise<JobQueues>][] = [
  [
    'embedded',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-jobs-'));
      dirs.push(dir);
      return JobQueues.onEmbedded(dir);
    },
  ],
];
if (testRedisUrl) backends.push(['redis', async () => JobQueues.onRedis(testRedisUrl!, `jobs-test-${Date.now().toString(36)}`)]);

describe.each(backends)('job queues on %s', (_name, open) => {
  it('runs again a job whose earlier run under the same id failed for good, and never twice at once', async () => {
    const jobs = await open();
    try {
      const runs: string[] = [];
      jobs.register('deliver-test', async (payload) => {
        runs.push(String(payload.attempt));
        if (payload.attempt === 'first') throw new Error('database away');
      });
      jobs.start();
      await jobs.enqueue('deliver-test', { attempt: 'first' }, { jobId: 'deliver-1', attempts: 1 });
      await eventually(async () => (await jobs.queue('deliver-test').getJob('deliver-1'))?.isFailed());
      // A plain add under the id of the failed job is ignored; asking again replaces it.
      await jobs.enqueue('deliver-test', { attempt: 'ignored' }, { jobId: 'deliver-1' });
      await jobs.enqueueAgain('deliver-test', { attempt: 'second' }, { jobId: 'deliver-1' });
      await eventually(() => runs.includes('second'));
      // While a job waits under the id, asking again adds nothing.
      await jobs.enqueue('deliver-test', { attempt: 'third' }, { jobId: 'deliver-2', delayMs: 300 });
      await jobs.enqueueAgain('deliver-test', { attempt: 'fourth' }, { jobId: 'deliver-2' });
      await eventually(() => runs.includes('third'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(runs).toEqual(['first', 'second', 'third']);
    } finally {
      await jobs.queue('deliver-test').obliterate({ force: true }).catch(() => undefined);
      await jobs.close();
    }
  });
});
