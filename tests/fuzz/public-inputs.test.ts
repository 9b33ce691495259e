import crypto from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, openSocket, startTestKefu, stopAndDrop, wsUrl, type TestKefu } from '../support/harness.ts';

/**
 * Property-based checks of every public input: whatever arrives, the server answers with a 2xx
 * or a 4xx carrying a stable error code, never a 5xx, and keeps running.
 */
const anyJson = fc.jsonValue({ maxDepth: 3 });
const stringish = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('', ' ', '人工', '\u0000', '💥'.repeat(3)));

function expectRefusalOrSuccess(res: { status: number; body: any }) {
  expect(res.status).toBeLessThan(500);
  if (res.status >= 400) {
    expect(typeof res.body?.error?.code).toBe('string');
    expect(typeof res.body?.error?.message).toBe('string');
  }
}

describe('fuzzing public inputs', () => {
  let kefu: TestKefu;
  let visitor: Client;
  let agent: Client;
  let conversationId: string;

  beforeAll(async () => {
    kefu = await startTestKefu({ env: { RATE_LIMIT_MULTIPLIER: '100000' } });
    visitor = new Client(kefu.url);
    visitor.token = (await visitor.post('/api/widget/session', { channelId: kefu.webChannelId })).body.visitorToken;
    const first = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: 'hello' });
    conversationId = first.body.message.conversationId;
    agent = new Client(kefu.url);
    await agent.login(kefu.adminEmail, kefu.adminPassword);
  }, 60_000);
  afterAll(async () => {
    await stopAndDrop(kefu);
  });

  it('REST bodies: login, widget session, visitor and agent sends (4,000 cases)', async () => {
    const targets: [Client, string][] = [
      [new Client(kefu.url), '/api/auth/login'],
      [new Client(kefu.url), '/api/widget/session'],
      [visitor, '/api/widget/messages'],
      [agent, `/api/conversations/${conversationId}/messages`],
      [agent, '/api/agents'],
      [agent, `/api/conversations/${conversationId}/transfer`],
    ];
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: targets.length - 1 }), fc.oneof(anyJson, fc.record({ clientMessageId: stringish, kind: stringish, text: stringish, mediaUrl: stringish, email: stringish, password: stringish, channelId: stringish })), async (i, body) => {
        const [client, url] = targets[i];
        expectRefusalOrSuccess(await client.post(url, body));
      }),
      { numRuns: 4000 },
    );
  }, 300_000);

  it('raw bodies that are not JSON, and query strings (3,000 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), stringish, async (raw, q) => {
        expectRefusalOrSuccess(await visitor.request('POST', '/api/widget/messages', raw, { 'content-type': 'application/json' }));
        expectRefusalOrSuccess(await agent.get(`/api/conversations?view=${encodeURIComponent(q)}`));
        expectRefusalOrSuccess(await agent.get(`/api/conversations/${encodeURIComponent(q)}/messages?before=${encodeURIComponent(q)}&limit=${encodeURIComponent(q)}`));
      }),
      { numRuns: 1000 },
    );
  }, 300_000);

  it('widget WebSocket frames (2,000 cases): every bad frame gets an error frame, the socket stays usable', async () => {
    const socket = await openSocket(wsUrl(kefu.url, `/ws/visitor?token=${encodeURIComponent(visitor.token)}`));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 100 }), anyJson.map((j) => JSON.stringify(j)), fc.record({ type: fc.constantFrom('send', 'typing', 'handoff', 'ping', 'x'), clientMessageId: stringish, kind: stringish, text: stringish }).map((r) => JSON.stringify(r))), async (frame) => {
        socket.ws.send(frame);
      }),
      { numRuns: 2000 },
    );
    const pingsBefore = socket.frames.filter((f) => f.type === 'pong').length;
    socket.send({ type: 'ping' });
    await socket.waitFor(() => socket.frames.filter((f) => f.type === 'pong').length > pingsBefore);
    for (const f of socket.frames.filter((f) => f.type === 'error')) expect(f.code).not.toBe('internal');
    socket.close();
    expect((await fetch(`${kefu.url}/healthz`)).status).toBe(200);
  }, 300_000);

  it('takes U+0000 in a profile, a message and a socket frame without storing it', async () => {
    const session = await new Client(kefu.url).post('/api/widget/session', { channelId: kefu.webChannelId, profile: { name: '小\u0000王' } });
    expect(session.status).toBe(200);
    const nul = new Client(kefu.url);
    nul.token = session.body.visitorToken;
    const sent = await nul.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: '你\u0000好' });
    expect(sent.status).toBe(201);
    expect(sent.body.message.text).toBe('你好');
    const socket = await openSocket(wsUrl(kefu.url, `/ws/visitor?token=${encodeURIComponent(session.body.visitorToken)}`));
    const clientMessageId = crypto.randomUUID();
    socket.send({ type: 'send', clientMessageId, kind: 'text', text: '再\u0000见' });
    const ack = await socket.waitFor((f) => f.type === 'ack' && f.clientMessageId === clientMessageId);
    expect(ack.message.text).toBe('再见');
    socket.ws.close();
  });

  it('uploads of arbitrary bytes (1,000 cases): images accepted, everything else refused with 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), fc.constantFrom('image/png', 'image/jpeg', 'text/plain', 'application/octet-stream'), async (bytes, type) => {
        const form = new FormData();
        form.append('file', new Blob([Buffer.from(bytes)], { type }), 'f.bin');
        expectRefusalOrSuccess(await visitor.request('POST', '/api/widget/uploads', form));
      }),
      { numRuns: 1000 },
    );
  }, 300_000);
});
