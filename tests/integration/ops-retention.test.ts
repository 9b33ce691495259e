import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAppTables } from '../../infra/backup.ts';
import { runRetentionSweep } from '../../workers/retention-sweep.ts';
import { Client, startTestKefu, stopAndDrop, testDatabaseUrl, type TestKefu } from '../support/harness.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
const DAY = 86_400_000;

describe('data retention and personal data', () => {
  let kefu: TestKefu;
  let admin: Client;
  const now = new Date();
  const ago = (days: number) => new Date(now.getTime() - days * DAY);

  beforeAll(async () => {
    kefu = await startTestKefu();
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
  });

  afterAll(async () => {
    await stopAndDrop(kefu);
  });

  function writeUpload(name: string): string {
    const file = path.join(kefu.config.uploadDir, 'ops', name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, PNG);
    return `/uploads/ops/${name}`;
  }

  async function seedVisitor(input: { lastSeen: Date; conversation: { status: 'closed' | 'queued'; closedAt?: Date } | null; images?: { at: Date; name: string }[] }) {
    const prisma = kefu.app.prisma;
    const visitor = await prisma.visitor.create({ data: { channelId: kefu.webChannelId, externalId: crypto.randomUUID(), lastSeenAt: input.lastSeen, firstSeenAt: input.lastSeen } });
    if (!input.conversation) return { visitorId: visitor.id, conversationId: null };
    const conversation = await prisma.conversation.create({
      data: { channelId: kefu.webChannelId, visitorId: visitor.id, status: input.conversation.status, closedAt: input.conversation.closedAt ?? null, createdAt: input.lastSeen },
    });
    await prisma.message.create({ data: { conversationId: conversation.id, channelId: kefu.webChannelId, sender: 'visitor', content: 'hello', createdAt: input.lastSeen } });
    for (const image of input.images ?? []) {
      await prisma.message.create({ data: { conversationId: conversation.id, channelId: kefu.webChannelId, sender: 'visitor', kind: 'image', mediaUrl: writeUpload(image.name), createdAt: image.at } });
    }
    return { visitorId: visitor.id, conversationId: conversation.id };
  }

  it('accepts retention settings from admins only and validates them', async () => {
    expect((await admin.get('/api/admin/retention')).body.retention).toEqual({ transcriptDays: 0, imageDays: 0, visitorDays: 0 });
    expect((await admin.request('PUT', '/api/admin/retention', { transcriptDays: -1 })).status).toBe(400);
    const set = await admin.request('PUT', '/api/admin/retention', { transcriptDays: 30, imageDays: 7, visitorDays: 90 });
    expect(set.status).toBe(200);
    expect((await new Client(kefu.url).get('/api/admin/retention')).status).toBe(401);
  });

  it('deletes exactly what is past its date', async () => {
    const oldTranscript = await seedVisitor({ lastSeen: ago(40), conversation: { status: 'closed', closedAt: ago(31) } });
    const recentTranscript = await seedVisitor({ lastSeen: ago(40), conversation: { status: 'closed', closedAt: ago(29) }, images: [{ at: ago(8), name: 'old.png' }, { at: ago(6), name: 'new.png' }] });
    const goneVisitor = await seedVisitor({ lastSeen: ago(91), conversation: null });
    const quietButOpen = await seedVisitor({ lastSeen: ago(120), conversation: { status: 'queued' } });
    const recentVisitor = await seedVisitor({ lastSeen: ago(89), conversation: null });

    const result = await runRetentionSweep({ prisma: kefu.app.prisma, uploadDir: kefu.config.uploadDir, logger: kefu.app.logger }, now);
    const prisma = kefu.app.prisma;
    expect(await prisma.conversation.findUnique({ where: { id: oldTranscript.conversationId! } })).toBeNull();
    expect(await prisma.conversation.findUnique({ where: { id: recentTranscript.conversationId! } })).not.toBeNull();
    const images = await prisma.message.findMany({ where: { conversationId: recentTranscript.conversationId!, kind: 'image' }, orderBy: { createdAt: 'asc' } });
    expect(images.map((m) => m.mediaUrl)).toEqual([null, '/uploads/ops/new.png']);
    expect(fs.existsSync(path.join(kefu.config.uploadDir, 'ops', 'old.png'))).toBe(false);
    expect(fs.existsSync(path.join(kefu.config.uploadDir, 'ops', 'new.png'))).toBe(true);
    expect(await prisma.visitor.findUnique({ where: { id: goneVisitor.visitorId } })).toBeNull();
    expect(await prisma.visitor.findUnique({ where: { id: quietButOpen.visitorId } })).not.toBeNull();
    expect(await prisma.visitor.findUnique({ where: { id: recentVisitor.visitorId } })).not.toBeNull();
    // The visitor row of the expired transcript stays until the visitor itself expires.
    expect(await prisma.visitor.findUnique({ where: { id: oldTranscript.visitorId } })).not.toBeNull();
    expect(result).toMatchObject({ conversations: 1, images: 1, visitors: 1 });
    await prisma.conversation.update({ where: { id: quietButOpen.conversationId! }, data: { status: 'closed', closedAt: now } });
  });

  it('exports and then erases everything about one visitor, leaving no row or file', async () => {
    const visitor = new Client(kefu.url);
    const session = await visitor.post('/api/widget/session', { channelId: kefu.webChannelId, profile: { page: 'https://shop.example.com/' } });
    visitor.token = session.body.visitorToken;
    const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: '我的手机号 13800000000' });
    const conversationId = sent.body.message.conversationId as string;
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'me.png');
    const upload = await visitor.request('POST', '/api/widget/uploads', form);
    await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'image', mediaUrl: upload.body.url });
    const file = path.join(kefu.config.uploadDir, upload.body.url.slice('/uploads/'.length));
    expect(fs.existsSync(file)).toBe(true);
    const visitorId = (await kefu.app.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } })).visitorId;
    const hook = await kefu.app.prisma.webhook.create({ data: { url: 'http://127.0.0.1:9/', events: [], secret: 'x'.repeat(20), enabled: false } });
    await kefu.app.prisma.webhookDelivery.create({ data: { webhookId: hook.id, event: 'message.created', payload: { data: { conversation: { id: conversationId } } } } });

    const exported = await admin.get(`/api/admin/visitors/${visitorId}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.visitor.id).toBe(visitorId);
    expect(exported.body.conversations[0].messages.map((m: { content: string }) => m.content)).toContain('我的手机号 13800000000');

    const erased = await admin.request('DELETE', `/api/admin/visitors/${visitorId}`);
    expect(erased.status).toBe(200);
    expect(fs.existsSync(file)).toBe(false);
    for (const table of await listAppTables(kefu.app.db.sql)) {
      if (table === 'audit_logs') continue;
      const [row] = await kefu.app.db.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${table}" t WHERE strpos(row_to_json(t)::text, $1) > 0 OR strpos(row_to_json(t)::text, $2) > 0 OR strpos(row_to_json(t)::text, $3) > 0`,
        [visitorId, conversationId, '13800000000'],
      );
      expect(row.n, table).toBe(0);
    }
    const audit = await kefu.app.prisma.auditLog.findMany({ where: { targetType: 'visitor', targetId: visitorId }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['visitor.export', 'visitor.erase']);
    expect((await admin.request('DELETE', `/api/admin/visitors/${visitorId}`)).status).toBe(404);
  });

  // The embedded database is single-process, so the CLI can only run beside a live Kefu on PostgreSQL.
  it.skipIf(!testDatabaseUrl)('erases a visitor from the command line, files included', async () => {
    const visitor = new Client(kefu.url);
    const session = await visitor.post('/api/widget/session', { channelId: kefu.webChannelId });
    visitor.token = session.body.visitorToken;
    const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: 'erase me' });
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'me.png');
    const upload = await visitor.request('POST', '/api/widget/uploads', form);
    await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'image', mediaUrl: upload.body.url });
    const { visitorId } = await kefu.app.prisma.conversation.findUniqueOrThrow({ where: { id: sent.body.message.conversationId } });
    const reuse = (kefu as unknown as { reuse: { schema: string; dataDir: string } }).reuse;
    const env = { ...process.env, DATABASE_URL: testDatabaseUrl, DATABASE_SCHEMA: reuse.schema, DATA_DIR: reuse.dataDir, REDIS_URL: '', LOG_LEVEL: 'silent' };
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/kefu.js', 'visitor', 'erase', visitorId, '--json'], { env });
    expect(JSON.parse(stdout)).toMatchObject({ found: true, files: 1, conversations: 1 });
    expect(fs.existsSync(path.join(kefu.config.uploadDir, upload.body.url.slice('/uploads/'.length)))).toBe(false);
    expect(await kefu.app.prisma.visitor.findUnique({ where: { id: visitorId } })).toBeNull();
    expect(await kefu.app.prisma.message.count({ where: { conversationId: sent.body.message.conversationId } })).toBe(0);
    const audit = await kefu.app.prisma.auditLog.findFirst({ where: { targetType: 'visitor', targetId: visitorId, action: 'visitor.erase' } });
    expect(audit?.data).toMatchObject({ via: 'cli' });
  });
});
