import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createUser, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';

type Role = 'anonymous' | 'visitor' | 'agent' | 'admin';
interface Route {
  method: string;
  path: string;
  access: string;
}

/**
 * Every route of the OpenAPI document × every kind of caller, from one table: a route's declared
 * access decides who is refused. Path parameters get an unknown id, bodies are empty: what matters
 * is whether the caller got past the door (401/403) or not.
 */
describe('authorization matrix', () => {
  let kefu: TestKefu;
  let routes: Route[];
  const clients = {} as Record<Role, Client>;

  beforeAll(async () => {
    kefu = await startTestKefu({ env: { RATE_LIMIT_MULTIPLIER: '1000' } });
    clients.anonymous = new Client(kefu.url);
    clients.admin = new Client(kefu.url);
    await clients.admin.login(kefu.adminEmail, kefu.adminPassword);
    await createUser(kefu, { email: 'matrix-agent@example.com' });
    clients.agent = new Client(kefu.url);
    await clients.agent.login('matrix-agent@example.com', 'agent-password');
    clients.visitor = new Client(kefu.url);
    clients.visitor.token = (await clients.visitor.post('/api/widget/session', { channelId: kefu.webChannelId })).body.visitorToken;
    const doc = (await clients.anonymous.get('/api/openapi.json')).body;
    routes = Object.entries(doc.paths as Record<string, Record<string, { 'x-kefu-access': string }>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, access: op['x-kefu-access'] })),
    );
  }, 60_000);
  afterAll(async () => {
    await stopAndDrop(kefu);
  });

  const unknownId = '00000000-0000-4000-8000-000000000000';
  const call = (role: Role, route: Route) => {
    const url = route.path.replace(/\{[^}]+\}/g, unknownId);
    return clients[role].request(route.method, url, route.method === 'GET' || route.method === 'DELETE' ? undefined : {});
  };
  const refusedFor: Record<string, Role[]> = {
    public: [],
    signature: [],
    visitor: ['anonymous', 'agent', 'admin'],
    user: ['anonymous', 'visitor'],
    admin: ['anonymous', 'visitor', 'agent'],
  };

  it('covers every route with a declared access', () => {
    expect(routes.length).toBeGreaterThan(60);
    for (const route of routes) expect(Object.keys(refusedFor), `${route.method} ${route.path}`).toContain(route.access);
  });

  it('refuses exactly the callers a route excludes, and lets the others through the door', async () => {
    const failures: string[] = [];
    for (const route of routes) {
      if (route.path === '/api/auth/logout') continue; // ends the session the rest of the matrix uses
      for (const role of ['anonymous', 'visitor', 'agent', 'admin'] as Role[]) {
        const res = await call(role, route);
        const refused = res.status === 401 || res.status === 403;
        const shouldRefuse = refusedFor[route.access].includes(role);
        // A visitor token sent to a user route is not a session: 401. A session sent to a visitor route: 401.
        if (shouldRefuse !== refused && !(route.access === 'signature')) failures.push(`${role} ${route.method} ${route.path} → ${res.status}`);
        expect(res.status, `${role} ${route.method} ${route.path}`).toBeLessThan(500);
      }
    }
    expect(failures).toEqual([]);
  }, 240_000);

  it('never lets a visitor read another visitor’s conversation', async () => {
    const other = new Client(kefu.url);
    other.token = (await other.post('/api/widget/session', { channelId: kefu.webChannelId })).body.visitorToken;
    const secret = `secret ${crypto.randomUUID()}`;
    const sent = await other.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: secret });
    expect(sent.status).toBe(201);
    const mine = await clients.visitor.get('/api/widget/messages?after=0');
    expect(JSON.stringify(mine.body)).not.toContain(secret);
    const viaAgentApi = await clients.visitor.get(`/api/conversations/${sent.body.message.conversationId}/messages`);
    expect(viaAgentApi.status).toBe(401);
  });

  it('shows an agent only its own and queued conversations; admins see all', async () => {
    await clients.agent.patch('/api/me/status', { status: 'paused' });
    const visitor = new Client(kefu.url);
    visitor.token = (await visitor.post('/api/widget/session', { channelId: kefu.webChannelId })).body.visitorToken;
    const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: '给管理员的' });
    const conversationId = sent.body.message.conversationId;
    await clients.admin.patch('/api/me/status', { status: 'online' });
    const pick = await clients.admin.post(`/api/conversations/${conversationId}/pick`);
    expect([200, 409]).toContain(pick.status);
    await clients.admin.patch('/api/me/status', { status: 'paused' });
    const state = (await clients.admin.get(`/api/conversations/${conversationId}`)).body.conversation;
    expect(state.status).toBe('assigned');
    expect(state.assigneeId).toBe((await clients.admin.get('/api/auth/me')).body.user.id);
    expect((await clients.agent.get(`/api/conversations/${conversationId}`)).status).toBe(404);
    expect((await clients.agent.get('/api/conversations?view=all')).status).toBe(403);
    expect((await clients.admin.get('/api/conversations?view=all')).body.items.map((c: { id: string }) => c.id)).toContain(conversationId);
  });
});
