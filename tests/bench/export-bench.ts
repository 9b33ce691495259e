import { pathToFileURL } from 'node:url';
import { Client, createUser, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';

/** First creation time of seeded conversations; conversation n is created n minutes later. */
export const SEED_START = '2025-01-01T00:00:00.000Z';

/**
 * Bulk-inserts `count` closed conversations with SQL (a visitor, two messages each; every even one
 * reached a human, was served by `agentId` and rated (n % 5) + 1). Returns the seeded range.
 */
export async function seedConversations(kefu: TestKefu, count: number, agentId: string): Promise<{ from: string; to: string }> {
  const sql = kefu.app.db.sql;
  const channel = kefu.webChannelId;
  await sql.query(
    `INSERT INTO visitors (id, channel_id, external_id, name)
     SELECT gen_random_uuid(), $1::uuid, 'seed-' || g, '访客' || g FROM generate_series(1, $2::int) g`,
    [channel, count],
  );
  await sql.query(
    `INSERT INTO conversations (id, channel_id, visitor_id, status, reached_human, assignee_id, queued_at, assigned_at,
                                first_response_at, closed_at, close_reason, created_at, updated_at)
     SELECT gen_random_uuid(), v.channel_id, v.id, 'closed', s.n % 2 = 0, CASE WHEN s.n % 2 = 0 THEN $2::uuid END,
            CASE WHEN s.n % 2 = 0 THEN s.at + interval '10 seconds' END,
            CASE WHEN s.n % 2 = 0 THEN s.at + interval '10 seconds' + (s.n % 60) * interval '1 second' END,
            CASE WHEN s.n % 2 = 0 THEN s.at + interval '90 seconds' END,
            s.at + interval '5 minutes', 'seed', s.at, s.at
       FROM visitors v
       CROSS JOIN LATERAL (SELECT substr(v.external_id, 6)::int AS n) k
       CROSS JOIN LATERAL (SELECT k.n AS n, ($3::timestamptz AT TIME ZONE 'UTC') + k.n * interval '1 minute' AS at) s
      WHERE v.channel_id = $1::uuid AND v.external_id LIKE 'seed-%'`,
    [channel, agentId, SEED_START],
  );
  await sql.query(
    `INSERT INTO messages (id, conversation_id, channel_id, sender, sender_id, kind, content, delivery_status, created_at)
     SELECT gen_random_uuid(), c.id, c.channel_id, x.sender::"SenderType", CASE WHEN x.sender = 'agent' THEN $2 END,
            'text', CASE WHEN x.sender = 'visitor' THEN '订单 ' || v.name || ' 的问题' ELSE '您好，已为您处理' END,
            'delivered', c.created_at + x.offs
       FROM conversations c JOIN visitors v ON v.id = c.visitor_id
       CROSS JOIN (VALUES ('visitor', interval '1 second'), ('agent', interval '2 seconds')) AS x(sender, offs)
      WHERE c.close_reason = 'seed' AND c.channel_id = $1::uuid`,
    [channel, agentId],
  );
  await sql.query(
    `INSERT INTO satisfaction_ratings (id, conversation_id, agent_id, score, created_at)
     SELECT gen_random_uuid(), c.id, c.assignee_id, (substr(v.external_id, 6)::int % 5) + 1, c.closed_at
       FROM conversations c JOIN visitors v ON v.id = c.visitor_id
      WHERE c.close_reason = 'seed' AND c.reached_human`,
  );
  const to = new Date(Date.parse(SEED_START) + (count + 1) * 60_000).toISOString();
  return { from: SEED_START, to };
}

/** Starts an export through the API and waits for it to finish; returns its final state and the seconds it took. */
export async function exportAndWait(client: Client, body: Record<string, unknown>, timeoutMs = 600_000) {
  const started = performance.now();
  const created = await client.post('/api/exports', body);
  if (created.status !== 201) throw new Error(`export refused: ${created.status} ${JSON.stringify(created.body)}`);
  const id: string = created.body.id;
  for (;;) {
    const state = await client.get(`/api/exports/${id}`);
    if (state.body.export.status === 'done' || state.body.export.status === 'failed') {
      return { id, export: state.body.export, seconds: (performance.now() - started) / 1000 };
    }
    if (performance.now() - started > timeoutMs) throw new Error(`export ${id} did not finish in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Time to export 10,000 conversations (20,000 messages) to XLSX through the job queue, start to download link. */
export async function benchExport(): Promise<{ export_10k_s: number }> {
  const kefu = await startTestKefu();
  try {
    const agent = await createUser(kefu, { email: 'bench-agent@example.com' });
    const range = await seedConversations(kefu, 10_000, agent.id);
    const admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    const result = await exportAndWait(admin, { format: 'xlsx', filters: range });
    if (result.export.status !== 'done') throw new Error(`export failed: ${result.export.error}`);
    return { export_10k_s: Math.round(result.seconds * 100) / 100 };
  } finally {
    await stopAndDrop(kefu);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchExport()));
}
