import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Queue, Worker, withBackend, createPostgresBackend, runMigrations, type Job } from 'bullmq';
import { SerialPgPool } from './serial-pg-pool.ts';
import { Redis } from 'ioredis';
import type { JobScheduler, ScheduleOptions } from '../core/ports.ts';

export type JobHandler = (payload: Record<string, unknown>, job: Job) => Promise<unknown>;

interface QueuePair {
  queue: Queue;
  worker?: Worker;
}

/**
 * BullMQ behind the JobScheduler port: one queue per job name, on Redis in production or on
 * BullMQ's PostgreSQL backend over an embedded PGlite when no Redis is configured.
 */
export class JobQueues implements JobScheduler {
  private readonly queues = new Map<string, QueuePair>();
  private readonly handlers = new Map<string, { handler: JobHandler; concurrency: number }>();
  private running = false;

  private constructor(
    private readonly make: {
      queue(name: string): Queue;
      worker(name: string, fn: (job: Job) => Promise<unknown>, concurrency: number): Worker;
      close(): Promise<void>;
    },
    readonly backend: 'redis' | 'postgres',
  ) {}

  static onRedis(redisUrl: string, prefix: string): JobQueues {
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    connection.on('error', () => undefined);
    const workerConnections: Redis[] = [];
    return new JobQueues(
      {
        queue: (name) => new Queue(name, { connection, prefix }),
        worker: (name, fn, concurrency) => {
          const wc = new Redis(redisUrl, { maxRetriesPerRequest: null });
          wc.on('error', () => undefined);
          workerConnections.push(wc);
          return new Worker(name, fn, { connection: wc, prefix, concurrency });
        },
        async close() {
          connection.disconnect();
          for (const wc of workerConnections) wc.disconnect();
        },
      },
      'redis',
    );
  }

  /** Embedded: BullMQ's PostgreSQL backend on its own PGlite (its tables live in `public`, apart from the app's). */
  static async onEmbedded(dataDir: string): Promise<JobQueues> {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    const dir = path.join(dataDir, 'queue');
    fs.mkdirSync(dir, { recursive: true });
    const db = new PGlite(dir);
    await db.waitReady;
    const port = await freePort();
    const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 4 });
    await server.start();
    // PGlite is one session: every queue and worker shares one connection, one query at a time.
    const pool = new SerialPgPool({ connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres` }, ['SET search_path TO bullmq']);
    pool.on('error', () => undefined);
    const client = await pool.connect();
    try {
      await runMigrations(client as never, 'bullmq');
    } finally {
      client.release();
    }
    const connection = pool as never;
    const { Queue: PgQueue, Worker: PgWorker } = withBackend(createPostgresBackend);
    return new JobQueues(
      {
        queue: (name) => new PgQueue(name, { connection }) as unknown as Queue,
        worker: (name, fn, concurrency) => new PgWorker(name, fn, { connection, concurrency }) as unknown as Worker,
        async close() {
          await pool.end();
          await server.stop();
          await db.close();
        },
      },
      'postgres',
    );
  }

  private pair(name: string): QueuePair {
    let pair = this.queues.get(name);
    if (!pair) {
      pair = { queue: this.make.queue(name) };
      pair.queue.on('error', () => undefined);
      this.queues.set(name, pair);
    }
    return pair;
  }

  queue(name: string): Queue {
    return this.pair(name).queue;
  }

  allQueues(): Queue[] {
    return [...this.queues.values()].map((p) => p.queue);
  }

  async enqueue(name: string, payload: Record<string, unknown>, options: ScheduleOptions = {}): Promise<void> {
    const queue = this.pair(name).queue;
    if (options.jobId && options.replace) await this.cancel(name, options.jobId);
    await queue.add(name, payload, {
      jobId: options.jobId,
      delay: options.delayMs,
      attempts: options.attempts ?? 5,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: true,
      removeOnFail: { count: 1000 },
    });
  }

  /**
   * Adds a job that may have run before under the same id. BullMQ ignores an add while a job with
   * the id exists, and it keeps failed jobs for inspection, so a failed one is removed first: what
   * its failure left undone can be asked for again. A waiting, delayed or running one is left alone.
   */
  async enqueueAgain(name: string, payload: Record<string, unknown>, options: ScheduleOptions & { jobId: string }): Promise<void> {
    const existing = await this.pair(name).queue.getJob(options.jobId);
    if (existing && (await existing.isFailed())) await existing.remove().catch(() => undefined);
    await this.enqueue(name, payload, options);
  }

  async cancel(name: string, jobId: string): Promise<void> {
    const queue = this.pair(name).queue;
    const job = await queue.getJob(jobId);
    if (!job) return;
    // An active job holds a lock and cannot be removed; its handler re-checks state before acting.
    await job.remove().catch(() => undefined);
  }

  /** Registers the handler of one job name; workers start with `start()`. */
  register(name: string, handler: JobHandler, concurrency = 10): void {
    this.handlers.set(name, { handler, concurrency });
    if (this.running) this.startWorker(name);
  }

  start(): void {
    this.running = true;
    for (const name of this.handlers.keys()) this.startWorker(name);
  }

  private startWorker(name: string): void {
    const pair = this.pair(name);
    if (pair.worker) return;
    const { handler, concurrency } = this.handlers.get(name)!;
    pair.worker = this.make.worker(name, (job) => handler(job.data as Record<string, unknown>, job), concurrency);
    pair.worker.on('error', () => undefined);
  }

  async close(): Promise<void> {
    for (const pair of this.queues.values()) {
      await pair.worker?.close().catch(() => undefined);
      await pair.queue.close().catch(() => undefined);
    }
    await this.make.close();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
    server.on('error', reject);
  });
}
