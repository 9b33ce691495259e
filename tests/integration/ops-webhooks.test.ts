import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../core/webhooks/webhook-signing.ts';
import { Client, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';

interface Received {
  deliveryId: string;
  event: string;
  verified: boolean;
  body: any;
}

/** A receiver as an integrator would write it: verify, then answer; fails the first tries on demand. */
async function startReceiver(secretOf: () => string) {
  const received: Received[] = [];
  const failuresLeft = new Map<string, number>();
  let failFirst = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const deliveryId = String(req.headers['x-kefu-delivery']);
      const verified = verifySignature(secretOf(), req.headers['x-kefu-signature'] as string, raw);
      received.push({ deliveryId, event: String(req.headers['x-kefu-event']), verified, body: JSON.parse(raw) });
      if (!failuresLeft.has(deliveryId)) failuresLeft.set(deliveryId, failFirst);
      const left = failuresLeft.get(deliveryId)!;
      if (!verified || left > 0) {
        failuresLeft.set(deliveryId, left - 1);
        res.writeHead(verified ? 503 : 400).end(verified ? 'try later' : 'bad signature');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    setFailFirst: (n: number) => (failFirst = n),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('signed outbound webhooks', () => {
  let kefu: TestKefu;
  let admin: Client;
  let secret = '';
  let webhookId: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver(() => secret);
    // Timer scale 0.01: retries back off from 300 ms instead of 30 s.
    kefu = await startTestKefu({ env: { KEFU_TIMER_SCALE: '0.01' } });
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    await admin.patch('/api/me/status', { status: 'paused' });
    const created = await admin.post('/api/admin/webhooks', { url: receiver.url, events: ['message.created', 'conversation.created', 'conversation.closed'] });
    expect(created.status).toBe(201);
    secret = created.body.secret;
    webhookId = created.body.webhook.id;
    expect(JSON.stringify((await admin.get('/api/admin/webhooks')).body)).not.toContain(secret);
  });

  afterAll(async () => {
    await stopAndDrop(kefu);
    await receiver.close();
  });

  async function visitorSays(text: string) {
    const visitor = new Client(kefu.url);
    const session = await visitor.post('/api/widget/session', { channelId: kefu.webChannelId });
    visitor.token = session.body.visitorToken;
    const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text });
    expect(sent.status).toBe(201);
    return { visitor, message: sent.body.message };
  }

  it('signs each delivery, retries after two failures and logs every attempt', async () => {
    receiver.setFailFirst(2);
    const { message } = await visitorSays('webhook 你好');
    const attempts = await until(() => {
      const mine = receiver.received.filter((r) => r.event === 'message.created' && r.body.data.message.id === message.id);
      return mine.length >= 3 && mine;
    });
    expect(attempts.every((a) => a.verified)).toBe(true);
    expect(new Set(attempts.map((a) => a.deliveryId)).size).toBe(1);
    expect(attempts[0].body).toMatchObject({ event: 'message.created', data: { message: { text: 'webhook 你好', sender: 'visitor' } } });
    const delivery = await until(async () => {
      const row = await kefu.app.prisma.webhookDelivery.findUnique({ where: { id: attempts[0].deliveryId } });
      return row?.status === 'delivered' && row;
    });
    expect(delivery.attempts).toBe(3);
    expect(delivery.responseStatus).toBe(200);
    expect(delivery.responseBody).toBe('ok');
    // Only one delivery per event, however many times the event is seen.
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received.filter((r) => r.body.data?.message?.id === message.id)).toHaveLength(3);
    receiver.setFailFirst(0);
  });

  it('does not send events the webhook is not subscribed to, and sends conversation events it is', async () => {
    const { message } = await visitorSays('first message');
    await until(() => receiver.received.some((r) => r.event === 'conversation.created' && r.body.data.conversation.id === message.conversationId));
    expect(receiver.received.some((r) => r.event === 'conversation.assigned')).toBe(false);
  });

  it('replays a delivery from the console', async () => {
    const list = await admin.get(`/api/admin/webhooks/${webhookId}/deliveries`);
    expect(list.status).toBe(200);
    const past = list.body.deliveries.find((d: { event: string; status: string }) => d.event === 'message.created' && d.status === 'delivered');
    const before = receiver.received.length;
    const replay = await admin.post(`/api/admin/webhooks/${webhookId}/deliveries/${past.id}/replay`);
    expect(replay.status).toBe(202);
    const again = await until(() => receiver.received.slice(before).find((r) => r.deliveryId === replay.body.deliveryId));
    expect(again.verified).toBe(true);
    expect(again.body.data).toEqual(past.payload.data);
    const agent = new Client(kefu.url);
    expect((await agent.post(`/api/admin/webhooks/${webhookId}/deliveries/${past.id}/replay`)).status).toBe(401);
  });

  it('refuses a receiver that checks signatures with the wrong secret, and keeps retrying', async () => {
    const { message } = await visitorSays('wrong secret');
    const right = secret;
    secret = 'not-the-secret';
    const refused = await until(() => receiver.received.find((r) => r.body.data?.message?.id === message.id));
    expect(refused.verified).toBe(false);
    secret = right;
    const accepted = await until(() => receiver.received.find((r) => r.body.data?.message?.id === message.id && r.verified));
    expect(accepted.deliveryId).toBe(refused.deliveryId);
  });

  it('delivers a 留言 as offline_message.created, once', async () => {
    const hook = await admin.post('/api/admin/webhooks', { url: receiver.url, events: ['offline_message.created'], secret: secret });
    expect(hook.status).toBe(201);
    expect((await admin.request('PUT', '/api/settings/offlineMessages', { enabled: true, requiredFields: ['phone'] })).status).toBe(200);
    const visitor = new Client(kefu.url);
    const session = await visitor.post('/api/widget/session', { channelId: kefu.webChannelId });
    visitor.token = session.body.visitorToken;
    await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: '有人吗' });
    const left = await visitor.post('/api/widget/offline-messages', { phone: '13800138000', content: '请回电' });
    expect(left.status).toBe(201);
    const got = await until(() => receiver.received.find((r) => r.event === 'offline_message.created' && r.body.data.offlineMessage.id === left.body.offlineMessage.id));
    expect(got.verified).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received.filter((r) => r.event === 'offline_message.created')).toHaveLength(1);
  });
});
