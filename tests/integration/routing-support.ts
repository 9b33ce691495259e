import crypto from 'node:crypto';
import { expect } from 'vitest';
import { Client, createUser, type TestKefu } from '../support/harness.ts';

/** Polls until `check` returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 8_000, stepMs = 40): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export async function newVisitor(kefu: TestKefu, channelId: string) {
  const visitor = new Client(kefu.url);
  const session = await visitor.post('/api/widget/session', { channelId, profile: { device: 'pc' } });
  expect(session.status).toBe(200);
  visitor.token = session.body.visitorToken;
  return { visitor, visitorId: session.body.visitorId as string };
}

export async function say(visitor: Client, text: string): Promise<string> {
  const res = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text });
  expect(res.status).toBe(201);
  return res.body.message.conversationId;
}

export async function conversationOf(kefu: TestKefu, id: string) {
  return kefu.app.prisma.conversation.findUniqueOrThrow({ where: { id } });
}

export async function messagesOf(kefu: TestKefu, id: string) {
  return kefu.app.prisma.message.findMany({ where: { conversationId: id }, orderBy: { seq: 'asc' } });
}

/** Every agent goes offline; then the given ones are created online (or as asked). */
export async function onlyAgents(kefu: TestKefu, specs: { name: string; limit?: number; status?: 'online' | 'paused' | 'offline' }[]) {
  await kefu.app.prisma.user.updateMany({ data: { status: 'offline' } });
  const agents = [];
  for (const spec of specs) {
    agents.push(
      await createUser(kefu, {
        email: `${spec.name}-${crypto.randomBytes(3).toString('hex')}@example.com`,
        name: spec.name,
        autoAcceptLimit: spec.limit ?? 5,
        status: spec.status ?? 'online',
      }),
    );
  }
  return agents;
}

export async function putSetting(admin: Client, key: string, value: unknown) {
  const res = await admin.request('PUT', `/api/settings/${key}`, value);
  expect(res.status).toBe(200);
  return res.body.value;
}

export async function newChannel(kefu: TestKefu, settings: Record<string, unknown>) {
  const row = await kefu.app.prisma.channel.create({ data: { type: 'web', name: `web-${crypto.randomBytes(3).toString('hex')}`, settings: settings as never } });
  return row.id;
}

/**
 * Whether the job queue can run this feature's workers. The embedded (PGlite) BullMQ backend stalls
 * once more than one queue is open (its socket server interleaves the connections' prepared
 * statements), so tests that need the drain or the timers run on Redis only until that is fixed.
 */
export function jobsRun(kefu: TestKefu): boolean {
  return kefu.jobs.backend === 'redis';
}
