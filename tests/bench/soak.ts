/**
 * `npm run soak`: web visitors send a steady 500 msg/s (SOAK_RATE) to one Kefu process for
 * SOAK_MINUTES (default 10) while the server's RSS is sampled every 10 s. Prints the samples and
 * the growth after warm-up (the first quarter of the run) as one JSON line at the end: the median of
 * the last third of the warm samples against the median of the first third, so one sample taken
 * just before or after a garbage collection does not decide it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { WebSocket } from 'ws';
import { dropBenchSchema, login, startBenchServer } from './ingest-bench.ts';

const minutes = Number(process.env.SOAK_MINUTES ?? 10);
const rate = Number(process.env.SOAK_RATE ?? 500);
const visitorsCount = 100;
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

const schema = `soak_${Date.now().toString(36)}`;
const server = await startBenchServer(schema);
const pid = server.child!.pid!;
try {
  const db = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  await db.connect();
  const channelId = (await db.query(`SELECT id FROM channels WHERE type = 'web' LIMIT 1`)).rows[0].id;
  await db.end();
  const ws = server.url.replace(/^http/, 'ws');
  const sockets: WebSocket[] = [];
  let acked = 0;
  let refused = 0;
  for (let i = 0; i < visitorsCount; i++) {
    const res = await fetch(`${server.url}/api/widget/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channelId }) });
    const { visitorToken } = (await res.json()) as { visitorToken: string };
    const socket = new WebSocket(`${ws}/ws/visitor?token=${encodeURIComponent(visitorToken)}`);
    await new Promise((r) => socket.once('open', r));
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'ack') acked++;
      if (frame.type === 'error') refused++;
    });
    sockets.push(socket);
  }
  // The V8 heap (in use, and held from the system) and the memory outside it (buffers) beside the
  // RSS, to tell which one moves.
  const cookie = await login(server.url);
  const memory = async () => {
    const text = await (await fetch(`${server.url}/metrics`, { headers: { cookie } })).text();
    const read = (name: string) => Math.round(Number(new RegExp(`^kefu_process_${name} (\\S+)$`, 'm').exec(text)?.[1]) / 1048576);
    return { heap_mb: read('nodejs_heap_size_used_bytes'), heap_total_mb: read('nodejs_heap_size_total_bytes'), external_mb: read('nodejs_external_memory_bytes') };
  };
  const samples: { minute: number; rss_mb: number; heap_mb: number; heap_total_mb: number; external_mb: number; acked: number }[] = [];
  const started = Date.now();
  let sent = 0;
  const sampler = setInterval(() => {
    const at = { minute: Math.round((Date.now() - started) / 600) / 100, rss_mb: Math.round(rssMb(pid)), acked };
    // A sample whose heap figures could not be read keeps its RSS.
    void memory()
      .catch(() => ({ heap_mb: NaN, heap_total_mb: NaN, external_mb: NaN }))
      .then((m) => {
        const sample = { ...at, ...m };
        samples.push(sample);
        process.stderr.write(`${JSON.stringify(sample)}\n`);
      });
  }, 10_000);
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.floor(((Date.now() - started) / 1000) * rate);
      while (sent < due) {
        sockets[sent % sockets.length].send(JSON.stringify({ type: 'send', clientMessageId: crypto.randomUUID(), kind: 'text', text: `soak ${sent}` }));
        sent++;
      }
      if (Date.now() - started >= minutes * 60_000) {
        clearInterval(tick);
        resolve();
      }
    }, 10);
  });
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 5_000));
  for (const s of sockets) s.close();
  const warm = samples.filter((s) => s.minute >= minutes / 4);
  const third = Math.max(1, Math.floor(warm.length / 3));
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  const first = median(warm.slice(0, third).map((s) => s.rss_mb));
  const last = median(warm.slice(-third).map((s) => s.rss_mb));
  console.log(
    JSON.stringify({
      soak_minutes: minutes,
      soak_rate: rate,
      soak_sent: sent,
      soak_acked: acked,
      soak_refused: refused,
      soak_rss_start_mb: first,
      soak_rss_end_mb: last,
      soak_rss_max_mb: Math.max(...warm.map((s) => s.rss_mb)),
      soak_rss_growth_pct: Math.round(((last - first) / first) * 1000) / 10,
      soak_heap_start_mb: median(warm.slice(0, third).map((s) => s.heap_mb)),
      soak_heap_end_mb: median(warm.slice(-third).map((s) => s.heap_mb)),
      soak_heap_total_start_mb: median(warm.slice(0, third).map((s) => s.heap_total_mb)),
      soak_heap_total_end_mb: median(warm.slice(-third).map((s) => s.heap_total_mb)),
      samples,
    }),
  );
} finally {
  await server.stop();
  await dropBenchSchema(schema);
}
process.exit(0);
