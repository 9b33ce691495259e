import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WecomPeer } from '../peers/wecom-peer.ts';
import { Client, createUser, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';
import { eventually } from './channel-support.ts';

// KEFU_TIMER_SCALE=0.001: one setting minute is 60 ms here.
describe('WeCom queue position updates', () => {
  let peer: WecomPeer;
  let kefu: TestKefu;
  let admin: Client;
  let agent: Client;
  let callbackUrl: string;

  beforeAll(async () => {
    peer = await WecomPeer.start();
    kefu = await startTestKefu({ env: { WECOM_API_BASE: peer.baseUrl, KEFU_TIMER_SCALE: '0.001' } });
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    await admin.patch('/api/me/status', { status: 'paused' });
    await createUser(kefu, { email: 'queue-agent@example.com', status: 'online', autoAcceptLimit: 1 });
    agent = new Client(kefu.url);
    await agent.login('queue-agent@example.com', 'agent-password');
    expect((await admin.request('PUT', '/api/settings/session', { autoCloseMinutes: 1440 })).status).toBe(200);
    expect((await admin.request('PUT', '/api/settings/queue', { updateIntervalMinutes: 2 })).status).toBe(200);
    const created = await admin.post('/api/channels', { type: 'wecom', name: '排队', credentials: peer.credentials });
    expect(created.status).toBe(201);
    callbackUrl = `${kefu.url}/connectors/wecom/${created.body.channel.id}/callback`;
  });
  afterAll(async () => {
    await stopAndDrop(kefu);
    await peer.close();
  });

  const queueTexts = (externalUserId: string) =>
    peer.sent.filter((sent) => sent.endpoint === 'send_msg' && sent.body.touser === externalUserId && String((sent.body.text as { content?: string })?.content ?? '').startsWith('您前面还有'));

  async function conversationOf(externalUserId: string) {
    return eventually(() => kefu.app.prisma.conversation.findFirst({ where: { visitor: { externalId: externalUserId } }, orderBy: { createdAt: 'desc' } }));
  }

  it('tells a queued visitor the new place when it changes, and nothing while it stays the same', async () => {
    for (const visitor of ['wm_q1', 'wm_q2', 'wm_q3']) {
      const pushed = peer.pushVisitorText(visitor, `我要排队 ${visitor}`);
      await peer.deliverCallback(callbackUrl, pushed.syncToken);
      await eventually(async () => (await conversationOf(visitor)).status !== 'bot' || undefined);
    }
    const first = await eventually(async () => {
      const row = await conversationOf('wm_q1');
      return row.status === 'assigned' ? row : undefined;
    });
    // wm_q3 is told once on joining (one ahead) and hears nothing more while the queue stands still.
    await eventually(() => queueTexts('wm_q3').length === 1);
    expect((queueTexts('wm_q3')[0]!.body.text as { content: string }).content).toMatch(/^您前面还有1位/);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(queueTexts('wm_q3')).toHaveLength(1);

    // The first visitor is done: wm_q2 is served, wm_q3 moves up and is told so.
    expect((await agent.post(`/api/conversations/${first.id}/close`)).status).toBe(200);
    await eventually(async () => (await conversationOf('wm_q2')).status === 'assigned');
    const update = await eventually(() => queueTexts('wm_q3')[1]);
    expect((update.body.text as { content: string }).content).toMatch(/^您前面还有0位/);
    const third = await conversationOf('wm_q3');
    expect((third.state as Record<string, unknown>).queueUpdatePlace).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(queueTexts('wm_q3')).toHaveLength(2);
  });
});
