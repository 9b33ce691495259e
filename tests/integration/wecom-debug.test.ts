import { it, expect } from 'vitest';
import { WecomPeer } from '../peers/wecom-peer.ts';
import { Client, startTestKefu, stopAndDrop } from '../support/harness.ts';

it('debug', async () => {
  const peer = await WecomPeer.start();
  const kefu = await startTestKefu({ env: { WECOM_API_BASE: peer.baseUrl } });
  const admin = new Client(kefu.url);
  await admin.login(kefu.adminEmail, kefu.adminPassword);
  const created = await admin.post('/api/channels', { type: 'wecom', name: 'x', credentials: peer.credentials });
  const url = `${kefu.url}/connectors/wecom/${created.body.channel.id}/callback`;
  const p = peer.pushVisitorText('wm1', 'hello');
  const { query, echo } = peer.buildUrlVerification();
  const v = await fetch(`${url}?${new URLSearchParams(query)}`, { signal: AbortSignal.timeout(5000) });
  console.log('verify', v.status, (await v.text()) === echo);
  const race = (pr: Promise<unknown>) => Promise.race([pr.then((v) => 'ok ' + String(v)), new Promise((r) => setTimeout(() => r('TIMEOUT'), 3000))]);
  const qq = kefu.jobs.queue('wecom-sync');
  console.log('getJob', await race(qq.getJob('nope-1')));
  console.log('add', await race(kefu.jobs.enqueue('wecom-sync', { channelId: created.body.channel.id, openKfId: 'x' }, { jobId: 'abc-1', delayMs: 100000 })));
  const j = await qq.getJob('abc-1');
  console.log('getJob2', !!j, await race(j!.isActive()), await race(j!.getState()));
  const { enqueueKfSync } = await import('../../connectors/wecom/wecom-intake.ts');
  const t1 = Date.now();
  await Promise.race([enqueueKfSync(kefu.jobs, created.body.channel.id, { syncToken: p.syncToken, openKfId: peer.openKfId }), new Promise((r) => setTimeout(r, 5000))]);
  console.log('enqueue', Date.now() - t1);
  const t0 = Date.now();
  const res = await peer.deliverCallback(url, p.syncToken);
  console.log('callback', res.status, await res.text(), Date.now() - t0);
  const q = kefu.jobs.queue('wecom-sync');
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const counts = await q.getJobCounts();
    const n = await kefu.app.prisma.message.count({ where: { content: 'hello' } });
    console.log(JSON.stringify(counts), n, peer.calls.join(','));
    if (n) break;
  }
  const failed = await q.getFailed();
  console.log(failed.map((j) => j.failedReason + ' ' + j.stacktrace?.[0]));
  await stopAndDrop(kefu);
  await peer.close();
  expect(1).toBe(1);
}, 60_000);
