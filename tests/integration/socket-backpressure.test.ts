import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, openSocket, startTestKefu, stopAndDrop, testDatabaseUrl, wsUrl, type TestKefu } from '../support/harness.ts';

/**
 * Visitors flooding the socket: the process handles a bounded number of frames at once, every
 * frame is still answered exactly once, and a socket paused for backpressure longer than the
 * heartbeat is not dropped as dead.
 */
describe('socket backpressure', () => {
  let kefu: TestKefu;
  let running = 0;
  let peak = 0;

  beforeAll(async () => {
    kefu = await startTestKefu({ env: { RATE_LIMIT_MULTIPLIER: '100000', WS_HEARTBEAT_MS: '200', WS_FRAMES_AT_ONCE: '32' } });
    const conversations = kefu.app.conversations;
    const receive = conversations.receive.bind(conversations);
    // Slow intake, so frames pile up behind it for longer than a heartbeat.
    conversations.receive = async (inbound) => {
      running++;
      peak = Math.max(peak, running);
      try {
        await new Promise((r) => setTimeout(r, 5));
        return await receive(inbound);
      } finally {
        running--;
      }
    };
  }, 60_000);

  afterAll(async () => {
    await stopAndDrop(kefu);
  }, 60_000);

  async function visitorSocket() {
    const session = await new Client(kefu.url).post('/api/widget/session', { channelId: kefu.webChannelId });
    expect(session.status).toBe(200);
    return openSocket(wsUrl(kefu.url, `/ws/visitor?token=${encodeURIComponent(session.body.visitorToken)}`));
  }

  // On PostgreSQL and Redis: the embedded mode runs its job queue on one serial database session, so
  // a dozen new visitors flooding at once wait there far longer than this test does.
  it.skipIf(!testDatabaseUrl)('answers every flooded frame exactly once with a bounded number handled at once', async () => {
    const sockets = await Promise.all(Array.from({ length: 12 }, visitorSocket));
    const perSocket = 120;
    const sent = new Map<object, string[]>();
    for (const socket of sockets) {
      const ids = Array.from({ length: perSocket }, () => crypto.randomUUID());
      sent.set(socket, ids);
      for (const [i, id] of ids.entries()) socket.send({ type: 'send', clientMessageId: id, kind: 'text', text: `flood ${i}` });
    }
    for (const socket of sockets) {
      const ids = sent.get(socket)!;
      const last = ids.at(-1);
      await socket.waitFor((f) => f.type === 'ack' && f.clientMessageId === last, 90_000);
      // Wait for every ack of this socket, then check each came exactly once.
      for (let i = 0; i < 600; i++) {
        if (socket.frames.filter((f) => f.type === 'ack').length >= perSocket) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const acks = socket.frames.filter((f) => f.type === 'ack').map((f) => f.clientMessageId);
      expect(acks.sort()).toEqual([...ids].sort());
      expect(socket.frames.filter((f) => f.type === 'error')).toEqual([]);
      // Paused far longer than the 200 ms heartbeat, and still open.
      expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    }
    expect(peak).toBeLessThanOrEqual(32);
    expect(peak).toBeGreaterThan(1);
    const [{ n }] = await kefu.app.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM messages WHERE sender = 'visitor'`);
    expect(Number(n)).toBe(sockets.length * perSocket);
    for (const socket of sockets) socket.ws.close();
  }, 120_000);

  it('still drops a socket that stops answering pings', async () => {
    const socket = await visitorSocket();
    // Stop the client's automatic pong replies: the server must close it after missing one.
    (socket.ws as unknown as { pong: () => void }).pong = () => undefined;
    const closed = await new Promise<boolean>((resolve) => {
      socket.ws.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 5_000);
    });
    expect(closed).toBe(true);
  }, 20_000);
});
