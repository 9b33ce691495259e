import { expect } from 'vitest';
import type { Wechaty } from 'wechaty';
import { findRunningBot } from '../../connectors/wechaty/wechaty-runner.ts';
import type { Client, TestKefu } from '../support/harness.ts';

/** What the WeChat-family channel tests share: waiting for a condition, posting callbacks, finding who replies. */

/** Polls `probe` until it returns something truthy (then returns it), failing after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as T;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** POSTs a built XML callback (query + body) as WeChat does. */
export async function postCallback(url: string, built: { query: Record<string, string>; body: string }): Promise<Response> {
  return fetch(`${url}?${new URLSearchParams(built.query)}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: built.body });
}

/**
 * The client of whoever serves the conversation: auto-assigned by routing (to `agent` or the online
 * `admin`), or picked by `agent` when it is still queued.
 */
export async function replierFor(admin: Client, agent: Client, conversationId: string): Promise<Client> {
  const assigneeClient = async () => {
    const current = await admin.get(`/api/conversations/${conversationId}`);
    if (current.body.conversation.status !== 'assigned') return null;
    const me = await admin.get('/api/auth/me');
    return current.body.conversation.assigneeId === me.body?.user?.id ? admin : agent;
  };
  const already = await assigneeClient();
  if (already) return already;
  const pick = await agent.post(`/api/conversations/${conversationId}/pick`);
  if (pick.status === 200) return agent;
  // Automatic assignment got there between the look and the pick.
  const assigned = await eventually(assigneeClient, 5_000);
  expect(assigned, JSON.stringify(pick.body)).not.toBeNull();
  return assigned;
}

/** The first stored message of a channel with this text, once it exists. */
export async function storedMessage(kefu: TestKefu, channelId: string, content: string) {
  return eventually(() => kefu.app.prisma.message.findFirst({ where: { channelId, content }, orderBy: { seq: 'asc' } }));
}

/** The channel's bot running in this process once its puppet is set up (it is listed before `start()` ends). */
export function startedBot(channelId: string, not?: Wechaty): Wechaty | undefined {
  const bot = findRunningBot(channelId);
  if (!bot || bot === not) return undefined;
  try {
    return bot.puppet ? bot : undefined;
  } catch {
    return undefined;
  }
}
