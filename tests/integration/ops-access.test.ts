import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createUser, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

describe('metrics, queue dashboard and API keys', () => {
  let kefu: TestKefu;
  let admin: Client;
  let agent: Client;
  let conversationId: string;

  beforeAll(async () => {
    kefu = await startTestKefu({ env: { METRICS_TOKEN } });
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    await admin.patch('/api/me/status', { status: 'paused' });
    await createUser(kefu, { email: 'agent@example.com', status: 'paused' });
    agent = new Client(kefu.url);
    await agent.login('agent@example.com', 'agent-password');

    const visitor = new Client(kefu.url);
    const session = await visitor.post('/api/widget/session', { channelId: kefu.webChannelId });
    visitor.token = session.body.visitorToken;
    const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: '你好' });
    expect(sent.status).toBe(201);
    conversationId = sent.body.message.conversationId;
  });

  afterAll(async () => {
    await stopAndDrop(kefu);
  });

  it('refuses metrics to anonymous callers, agents and wrong tokens', async () => {
    expect((await new Client(kefu.url).get('/metrics')).status).toBe(401);
    expect((await agent.get('/metrics')).status).toBe(403);
    const wrong = await new Client(kefu.url).request('GET', '/metrics', undefined, { authorization: 'Bearer not-the-metrics-token-at-all' });
    expect(wrong.status).toBe(401);
  });

  it('serves the named series with the metrics token and to an admin session', async () => {
    const scraper = new Client(kefu.url);
    scraper.token = METRICS_TOKEN;
    const res = await scraper.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = res.body as string;
    for (const series of [
      'kefu_http_request_duration_seconds_bucket',
      'kefu_messages_total{direction="in",channel="web"}',
      'kefu_delivery_failures_total',
      'kefu_queue_length',
      'kefu_queue_wait_seconds',
      'kefu_conversations_open{state="queued"}',
      'kefu_agents_online',
      'kefu_jobs{queue=',
      'kefu_jobs_failed{queue=',
      'kefu_process_nodejs_eventloop_lag_seconds',
    ]) {
      expect(text, series).toContain(series);
    }
    expect(text).toMatch(/kefu_http_request_duration_seconds_count\{method="POST",route="\/api\/widget\/messages",status="201"\} [1-9]/);
    expect((await admin.get('/metrics')).status).toBe(200);
  });

  it('lists queues and failed jobs to admins only', async () => {
    expect((await agent.get('/api/admin/queues')).status).toBe(403);
    expect((await new Client(kefu.url).get('/api/admin/queues')).status).toBe(401);
    const queues = await admin.get('/api/admin/queues');
    expect(queues.status).toBe(200);
    const names = queues.body.queues.map((q: { name: string }) => q.name);
    expect(names).toContain('webhook-deliver');
    expect(queues.body.queues.some((q: { counts: unknown }) => q.counts && 'failed' in (q.counts as object))).toBe(true);
    const failed = await admin.get('/api/admin/queues/webhook-deliver/failed');
    expect(failed.status).toBe(200);
    expect(failed.body.jobs).toEqual([]);
    expect((await admin.get('/api/admin/queues/no-such-queue/failed')).status).toBe(404);
    expect((await admin.post('/api/admin/queues/webhook-deliver/jobs/nope/retry')).status).toBe(404);
  });

  async function createKey(scopes: string[]) {
    const res = await admin.post('/api/admin/api-keys', { name: `key ${scopes.join(' ')}`, scopes });
    expect(res.status).toBe(201);
    expect(res.body.key).toMatch(/^kf_[0-9a-f]{12}_[A-Za-z0-9_-]+$/);
    const client = new Client(kefu.url);
    client.token = res.body.key;
    return { client, id: res.body.apiKey.id as string };
  }

  it('lets a key call exactly the routes whose scope it holds', async () => {
    const reader = await createKey(['read:conversations']);
    expect((await reader.client.get('/api/conversations?view=all')).status).toBe(200);
    expect((await reader.client.get(`/api/conversations/${conversationId}`)).status).toBe(200);
    expect((await reader.client.get(`/api/conversations/${conversationId}/messages`)).status).toBe(200);
    const send = await reader.client.post(`/api/conversations/${conversationId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: 'x' });
    expect(send.status).toBe(403);
    expect(send.body.error.scope).toBe('send:messages');
    expect((await reader.client.get('/api/exports')).status).toBe(403);
    // Routes that declare no scope are closed to every key, whatever it holds.
    expect((await reader.client.post(`/api/conversations/${conversationId}/close`)).status).toBe(403);
    expect((await reader.client.get('/api/admin/api-keys')).status).toBe(403);
    expect((await reader.client.get('/metrics')).status).toBe(403);

    const librarian = await createKey(['manage:knowledge']);
    expect((await librarian.client.get('/api/knowledge')).status).toBe(200);
    expect((await reader.client.get('/api/knowledge')).status).toBe(403);
    expect((await librarian.client.get('/api/conversations')).status).toBe(403);

    const exporter = await createKey(['export']);
    expect((await exporter.client.get('/api/exports')).status).toBe(200);
    expect((await exporter.client.get('/api/conversations')).status).toBe(403);
  });

  it('documents each route scope in the OpenAPI document', async () => {
    const doc = (await admin.get('/api/openapi.json')).body;
    expect(doc.paths['/api/conversations'].get['x-kefu-scope']).toBe('read:conversations');
    expect(doc.paths['/api/conversations/{id}/messages'].post['x-kefu-scope']).toBe('send:messages');
    expect(doc.paths['/api/admin/api-keys'].post['x-kefu-access']).toBe('admin');
  });

  it('refuses revoked and forged keys, and never lists a secret', async () => {
    const key = await createKey(['read:conversations']);
    expect((await key.client.get('/api/conversations')).status).toBe(200);
    const forged = new Client(kefu.url);
    forged.token = key.client.token.slice(0, -4) + 'AAAA';
    expect((await forged.get('/api/conversations')).status).toBe(401);
    expect((await admin.request('DELETE', `/api/admin/api-keys/${key.id}`)).status).toBe(200);
    expect((await key.client.get('/api/conversations')).status).toBe(401);
    const list = await admin.get('/api/admin/api-keys');
    expect(JSON.stringify(list.body)).not.toContain(key.client.token.split('_').slice(2).join('_'));
    expect(list.body.apiKeys.find((k: { id: string }) => k.id === key.id).revokedAt).not.toBeNull();
    expect((await agent.post('/api/admin/api-keys', { name: 'x', scopes: ['export'] })).status).toBe(403);
    const audit = await kefu.app.prisma.auditLog.findMany({ where: { targetType: 'api_key', targetId: key.id } });
    expect(audit.map((a) => a.action).sort()).toEqual(['api_key.create', 'api_key.revoke']);
  });
});
