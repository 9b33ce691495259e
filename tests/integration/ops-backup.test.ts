import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { backupDatabase, listAppTables, restoreDatabase, RestoreError } from '../../infra/backup.ts';
import { openDatabase, type Database } from '../../infra/database.ts';
import { Client, dropTestData, startTestKefu, stopAndDrop, testDatabaseUrl, uniqueName } from '../support/harness.ts';

const run = promisify(execFile);
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

type Place = { schema: string; prefix: string; dataDir: string };

/** Row count and a hash of every row of every app table: equal fingerprints mean nothing was lost. */
async function fingerprint(db: Database): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of await listAppTables(db.sql)) {
    const [row] = await db.sql.query<{ n: number; h: string }>(
      `SELECT count(*)::int AS n, coalesce(md5(string_agg(row_to_json(t)::text, '|' ORDER BY row_to_json(t)::text)), '') AS h FROM "${table}" t`,
    );
    out[table] = `${row.n}:${row.h}`;
  }
  return out;
}

function open(place: Place, embedded: boolean) {
  return openDatabase({ databaseUrl: embedded ? undefined : testDatabaseUrl, schema: place.schema, dataDir: place.dataDir });
}

async function cli(place: Place, embedded: boolean, args: string[]) {
  const env = { ...process.env, DATA_DIR: place.dataDir, LOG_LEVEL: 'silent', DATABASE_URL: embedded ? '' : testDatabaseUrl, DATABASE_SCHEMA: place.schema, REDIS_URL: '' };
  return run(process.execPath, ['bin/kefu.js', ...args], { env, cwd: process.cwd() }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

const modes = testDatabaseUrl ? (['embedded', 'postgres'] as const) : (['embedded'] as const);

describe.each(modes)('backup and restore (%s)', (mode) => {
  const embedded = mode === 'embedded';

  it('round-trips a populated database and its images through the CLI', async () => {
    const kefu = await startTestKefu({ embedded });
    const source = (kefu as unknown as { reuse: Place }).reuse;
    const admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    await admin.post('/api/admin/api-keys', { name: 'crm', scopes: ['read:conversations'] });
    await admin.post('/api/admin/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['conversation.closed'] });
    const visitor = new Client(kefu.url);
    const session = await visitor.post('/api/widget/session', { channelId: kefu.webChannelId, profile: { page: 'https://shop.example.com/' } });
    visitor.token = session.body.visitorToken;
    for (const text of ['你好', '订单 1234 还没到']) {
      expect((await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text })).status).toBe(201);
    }
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'pixel.png');
    const upload = await visitor.request('POST', '/api/widget/uploads', form);
    expect(upload.status).toBe(201);
    await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'image', mediaUrl: upload.body.url });
    await kefu.stop();

    const db = await open(source, embedded);
    const before = await fingerprint(db);
    await db.close();
    expect(Number(before.messages.split(':')[0])).toBeGreaterThanOrEqual(3);

    const file = path.join(source.dataDir, '..', `${source.schema}-backup.jsonl.gz`);
    const backup = await cli(source, embedded, ['backup', file, '--json']);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(JSON.parse(backup.stdout).files).toBe(1);

    // Into an empty database: a new data folder or a new schema. (Each CLI run starts a process: slow embedded.)
    const target: Place = { schema: uniqueName('t'), prefix: uniqueName('t').replace(/_/g, '-'), dataDir: path.resolve('.tmp', 'test-data', uniqueName('restore')) };
    try {
      const restored = await cli(target, embedded, ['restore', file]);
      expect(restored.stderr).toBe('');
      expect(restored.code).toBe(0);
      const tdb = await open(target, embedded);
      const after = await fingerprint(tdb);
      await tdb.close();
      // The restore itself is audited; everything else is identical.
      const { audit_logs: auditAfter, ...restAfter } = after;
      const { audit_logs: auditBefore, ...restBefore } = before;
      expect(restAfter).toEqual(restBefore);
      expect(Number(auditAfter.split(':')[0])).toBe(Number(auditBefore.split(':')[0]) + 1);
      expect(fs.readFileSync(path.join(target.dataDir, 'uploads', upload.body.url.slice('/uploads/'.length)))).toEqual(PNG);

      // A database with data is refused unless wiped first.
      const refused = await cli(source, embedded, ['restore', file]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('not empty');
      const wiped = await cli(source, embedded, ['restore', file, '--wipe']);
      expect(wiped.code).toBe(0);
      const sdb = await open(source, embedded);
      const { audit_logs: _a, ...restWiped } = await fingerprint(sdb);
      await sdb.close();
      expect(restWiped).toEqual(restBefore);

      // The restored instance runs: sequences continue, logins and messages work.
      const again = await startTestKefu({ embedded, reuse: target });
      try {
        const admin2 = new Client(again.url);
        await admin2.login(again.adminEmail, again.adminPassword);
        const v2 = new Client(again.url);
        const s2 = await v2.post('/api/widget/session', { channelId: kefu.webChannelId });
        v2.token = s2.body.visitorToken;
        const sent = await v2.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: 'after restore' });
        expect(sent.status).toBe(201);
      } finally {
        await stopAndDrop(again);
      }
    } finally {
      await dropTestData(target);
      await dropTestData(source);
      fs.rmSync(file, { force: true });
    }
  }, 240_000);

  it('refuses a dump made by a newer Kefu', async () => {
    const kefu = await startTestKefu({ embedded });
    try {
      const file = path.join(kefu.config.dataDir, 'dump.jsonl.gz');
      await backupDatabase(kefu.app.db, file, null);
      await expect(restoreDatabase(kefu.app.db, file, { wipe: true, knownMigrations: ['0001_init'] })).rejects.toThrow(RestoreError);
      await expect(restoreDatabase(kefu.app.db, file, { wipe: true, knownMigrations: ['0001_init'] })).rejects.toThrow(/newer Kefu/);
    } finally {
      await stopAndDrop(kefu);
    }
  }, 90_000);
});
