import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, openSocket, wsUrl } from '../support/harness.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('npm start with nothing but Node (embedded PGlite, jobs on PGlite, in-process events)', () => {
  const dataDir = path.resolve('.tmp', `smoke-${crypto.randomBytes(4).toString('hex')}`);
  let child: ChildProcess;
  let url: string;
  let output = '';

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'ADMIN_EMAIL', 'ADMIN_PASSWORD', 'SESSION_SECRET']) delete env[key];
    child = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    for (let i = 0; i < 120; i++) {
      if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`Kefu did not start:\n${output}`);
  }, 90_000);

  afterAll(async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('prints a one-time admin password and a ready web channel, and runs the web flow', async () => {
    const password = /password:\s+(\S+)/.exec(output)?.[1];
    const channelId = /data-channel="([^"]+)"/.exec(output)?.[1];
    expect(password).toBeTruthy();
    expect(channelId).toMatch(/^[0-9a-f-]{36}$/);

    const admin = new Client(url);
    await admin.login('admin@kefu.local', password!);
    await admin.patch('/api/me/status', { status: 'paused' });
    const agentSocket = await openSocket(wsUrl(url, '/ws/agent'), { cookie: admin.cookie });

    const visitor = new Client(url);
    const session = await visitor.post('/api/widget/session', { channelId });
    expect(session.status).toBe(200);
    visitor.token = session.body.visitorToken;
    const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: '嵌入模式你好' });
    expect(sent.status).toBe(201);
    const seen = await agentSocket.waitFor((f) => f.type === 'message' && f.message.text === '嵌入模式你好');
    expect(seen.message.conversationId).toBe(sent.body.message.conversationId);
    agentSocket.close();

    const health = await (await fetch(`${url}/healthz`)).json();
    expect(health).toEqual({ status: 'ok' });
  }, 60_000);
});
