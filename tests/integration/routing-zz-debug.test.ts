import { it, expect } from 'vitest';
import { startTestKefu, stopAndDrop } from '../support/harness.ts';
import { onlyAgents, newVisitor, say, conversationOf } from './routing-support.ts';
it('dbg', async () => {
  const kefu = await startTestKefu();
  const [a] = await onlyAgents(kefu, [{ name: 'x' }]);
  const { visitor } = await newVisitor(kefu, kefu.webChannelId);
  const id = await say(visitor, 'hi');
  console.log('status', (await conversationOf(kefu, id)).status);
  const q = (kefu.jobs as any).queue('assignment-drain');
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 500));
    console.log(i, (await conversationOf(kefu, id)).status, await q.getJobCounts().catch((e: any) => String(e)));
  }
  const failed = await q.getFailed().catch((e: any) => String(e));
  console.log('failed', Array.isArray(failed) ? failed.map((j: any) => j.failedReason) : failed);
  await stopAndDrop(kefu);
}, 60000);
