import crypto from 'node:crypto';
import http from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKefu, type Kefu } from '../../app/compose.ts';
import { createLogger } from '../../infra/logger.ts';
import { Client, dropTestData, testConfig } from '../support/harness.ts';

/** Abuse limits, security headers, CSRF and what the logs may never contain, on a full run logging at debug. */
describe('hardening', () => {
  let kefu: Kefu;
  let reuse: { schema: string; prefix: string; dataDir: string };
  const lines: string[] = [];

  beforeAll(async () => {
    const { config, ...rest } = testConfig();
    reuse = rest;
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    // The product's own logger, at its most talkative level.
    kefu = await startKefu(config, { logger: createLogger('debug', sink), print: () => undefined });
  }, 60_000);
  afterAll(async () => {
    await kefu.close();
    await dropTestData(reuse);
  });

  it('answers too many logins with 429 and Retry-After', async () => {
    const client = new Client(kefu.url);
    let last = 0;
    let retryAfter: string | null = null;
    for (let i = 0; i < 12; i++) {
      const res = await client.post('/api/auth/login', { email: 'nobody@example.com', password: `wrong-${i}` });
      last = res.status;
      retryAfter = res.headers.get('retry-after');
    }
    expect(last).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('limits messages per visitor', async () => {
    const visitor = new Client(kefu.url);
    visitor.token = (await visitor.post('/api/widget/session', { channelId: (await kefu.app.prisma.channel.findFirstOrThrow({ where: { type: 'web' } })).id })).body.visitorToken;
    const statuses: number[] = [];
    for (let i = 0; i < 65; i++) statuses.push((await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: `m${i}` })).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(60);
  }, 60_000);

  it('sends security headers and refuses a cross-site cookie POST', async () => {
    const admin = new Client(kefu.url);
    await admin.login('admin@example.com', 'admin-password');
    const res = await fetch(`${kefu.url}/api/auth/me`, { headers: { cookie: admin.cookie } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const csrf = await admin.request('POST', '/api/agents', { email: 'x@example.com', name: 'x', password: 'password-1' }, { origin: 'https://evil.example' });
    expect(csrf.status).toBe(403);
    expect(csrf.body.error.code).toBe('csrf_failed');
  });

  it('never writes passwords, tokens, channel secrets or message bodies to the logs', async () => {
    const admin = new Client(kefu.url);
    const user = await admin.login('admin@example.com', 'admin-password');
    expect(user.role).toBe('admin');
    const channelSecret = `sec-${crypto.randomBytes(8).toString('hex')}`;
    await admin.post('/api/channels', { type: 'wechat_mp', name: 'OA', credentials: { appId: 'wx0123456789abcdef', appSecret: channelSecret, token: 'tok-abcdef', encodingAesKey: 'a'.repeat(43), mode: 'safe' } });
    const visitor = new Client(kefu.url);
    const session = await visitor.post('/api/widget/session', { channelId: (await kefu.app.prisma.channel.findFirstOrThrow({ where: { type: 'web' } })).id });
    visitor.token = session.body.visitorToken;
    const body = `私密内容-${crypto.randomUUID()}`;
    await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: body });
    await new Promise((r) => setTimeout(r, 300));
    const log = lines.join('');
    expect(log.length).toBeGreaterThan(0);
    for (const secret of ['admin-password', channelSecret, admin.cookie.split('=')[1], session.body.visitorToken, body]) {
      expect(log.includes(secret), `log contains ${secret.slice(0, 12)}…`).toBe(false);
    }
  });

  it('keeps an idle connection open longer than clients keep theirs, so a reused one is never reset', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = http.get(`${kefu.url}/healthz`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on('error', reject);
      });
    try {
      expect(await get()).toEqual({ status: 200, reused: false });
      // Past Node's default of 5 s (and the second of grace it gives), after which the server used to close it.
      await new Promise((r) => setTimeout(r, 7_500));
      expect(await get()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  }, 20_000);
});
