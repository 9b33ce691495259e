import type { JobType, Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DomainEvent } from '../core/conversation/events.ts';
import type { JobQueues } from './job-queue.ts';
import type { SqlExecutor } from './database.ts';

export interface HttpSample {
  method: string;
  route: string;
  status: number;
  ms: number;
}

/**
 * Prometheus series of one Kefu process, on a registry of its own. Counters move with domain events
 * and requests; gauges that describe the database or the queues are read when scraped.
 */
export class KefuMetrics {
  readonly registry = new Registry();
  private readonly http: Histogram<'method' | 'route' | 'status'>;
  private readonly messages: Counter<'direction' | 'channel'>;
  private readonly deliveryFailures: Counter<'channel' | 'reason'>;
  private readonly queueWait: Histogram<'channel'>;

  constructor(deps: { sql: SqlExecutor; jobs: JobQueues }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'kefu_process_' });
    this.http = new Histogram({
      name: 'kefu_http_request_duration_seconds',
      help: 'HTTP request latency by matched route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.messages = new Counter({ name: 'kefu_messages_total', help: 'Messages in (from visitors) and out (agents, bot) by channel', labelNames: ['direction', 'channel'], registers });
    this.deliveryFailures = new Counter({ name: 'kefu_delivery_failures_total', help: 'Outbound messages a channel failed to deliver, by reason', labelNames: ['channel', 'reason'], registers });
    this.queueWait = new Histogram({
      name: 'kefu_queue_wait_seconds',
      help: 'Time a conversation waited in the queue before an agent took it',
      labelNames: ['channel'],
      buckets: [5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    });
    new Gauge({
      name: 'kefu_conversations_open',
      help: 'Conversations not closed, by state',
      labelNames: ['state'],
      registers,
      async collect() {
        const rows = await deps.sql.query<{ status: string; n: number }>("SELECT status::text AS status, count(*)::int AS n FROM conversations WHERE status <> 'closed' GROUP BY status");
        this.reset();
        for (const state of ['bot', 'queued', 'assigned']) this.set({ state }, rows.find((r) => r.status === state)?.n ?? 0);
      },
    });
    new Gauge({
      name: 'kefu_queue_length',
      help: 'Conversations waiting for an agent',
      registers,
      async collect() {
        const [row] = await deps.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM conversations WHERE status = 'queued'");
        this.set(row?.n ?? 0);
      },
    });
    new Gauge({
      name: 'kefu_agents_online',
      help: 'Agents and admins online (接入中)',
      registers,
      async collect() {
        const [row] = await deps.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE status = 'online' AND NOT disabled");
        this.set(row?.n ?? 0);
      },
    });
    const unanswered = new Gauge({ name: 'kefu_jobs_unanswered', help: 'Queues whose counts did not arrive in time at the last scrape', registers });
    const jobCounts = async () => {
      const all = await countJobs(deps.jobs.allQueues(), ['waiting', 'active', 'delayed', 'failed']);
      unanswered.set(all.filter((q) => !q.counts).length);
      return all.flatMap((q) => (q.counts ? [{ name: q.name, counts: q.counts }] : []));
    };
    new Gauge({
      name: 'kefu_jobs',
      help: 'BullMQ jobs by queue and state',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const { name, counts } of await jobCounts()) {
          for (const state of ['waiting', 'active', 'delayed']) this.set({ queue: name, state }, counts[state] ?? 0);
        }
      },
    });
    new Gauge({
      name: 'kefu_jobs_failed',
      help: 'BullMQ failed jobs kept per queue',
      labelNames: ['queue'],
      registers,
      async collect() {
        this.reset();
        for (const { name, counts } of await jobCounts()) this.set({ queue: name }, counts.failed ?? 0);
      },
    });
  }

  observeRequest(sample: HttpSample): void {
    this.http.observe({ method: sample.method, route: sample.route, status: String(sample.status) }, sample.ms / 1000);
  }

  /** Counts what a domain event means for the series; events of other processes are counted there. */
  observeEvent(event: DomainEvent): void {
    if (event.name === 'message.created') {
      const { message, conversation } = event;
      if (message.kind === 'event' || message.sender === 'system') return;
      this.messages.inc({ direction: message.sender === 'visitor' ? 'in' : 'out', channel: conversation.channelType });
    } else if (event.name === 'message.updated' && event.message.deliveryStatus === 'failed') {
      this.deliveryFailures.inc({ channel: event.conversation.channelType, reason: failureLabel(event.message.failureReason) });
    } else if (event.name === 'conversation.assigned' && event.conversation.queuedAt && event.conversation.assignedAt) {
      const seconds = (event.conversation.assignedAt.getTime() - event.conversation.queuedAt.getTime()) / 1000;
      if (seconds >= 0) this.queueWait.observe({ channel: event.conversation.channelType }, seconds);
    }
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Failure reasons are free text from channels; the label keeps a short code so series stay few. */
export function failureLabel(reason: string | null): string {
  if (!reason) return 'unknown';
  const code = /^[A-Za-z0-9_.-]+/.exec(reason.trim())?.[0] ?? 'other';
  return code.slice(0, 40).toLowerCase();
}

const byApp = new WeakMap<object, KefuMetrics>();

/** Makes the request middleware of this app report to `metrics`. */
export function attachMetrics(app: object, metrics: KefuMetrics): void {
  byApp.set(app, metrics);
}

/** Called by the request middleware for every request; a no-op until metrics are attached. */
export function observeRequest(app: object, sample: HttpSample): void {
  byApp.get(app)?.observeRequest(sample);
}

/**
 * Job counts per queue, each bounded by a timeout: a queue whose backend does not answer (e.g. the
 * embedded backend out of connections) shows as `counts: null` instead of stalling the whole scrape.
 */
export async function countJobs(queues: Queue[], states: JobType[], timeoutMs = 2_000): Promise<{ name: string; counts: Record<string, number> | null }[]> {
  return Promise.all(
    queues.map(async (queue) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), timeoutMs);
      });
      const counts = await Promise.race([queue.getJobCounts(...states).catch(() => null), timeout]);
      clearTimeout(timer);
      return { name: queue.name, counts };
    }),
  );
}
