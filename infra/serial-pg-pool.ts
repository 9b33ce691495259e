import { EventEmitter } from 'node:events';
import pg from 'pg';

/** A FIFO lock: each holder runs alone until it releases. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();

  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return acquired;
  }
}

type QueryArg = string | { text: string; values?: unknown[] };

/**
 * A `pg.Pool` look-alike that runs every query over ONE connection, one at a time, for servers
 * that serve a single session (PGlite behind its socket). A checked-out client that opens a
 * transaction holds the connection until COMMIT/ROLLBACK or release; LISTEN subscriptions are
 * shared, and notifications are handed to every client that listens on their channel.
 */
export class SerialPgPool extends EventEmitter {
  private readonly client: pg.Client;
  private readonly ready: Promise<void>;
  readonly mutex = new Mutex();
  readonly subscribers = new Set<SerialPgClient>();
  readonly options = { keepAlive: false };

  constructor(config: pg.ClientConfig, private readonly onConnect: string[] = []) {
    super();
    this.setMaxListeners(0);
    this.client = new pg.Client(config);
    this.client.on('notification', (msg) => {
      for (const c of this.subscribers) if (c.channels.has(msg.channel)) c.emit('notification', msg);
    });
    this.client.on('error', (error) => {
      if (this.listenerCount('error') > 0) this.emit('error', error);
    });
    this.ready = this.client.connect().then(async () => {
      for (const sql of this.onConnect) await this.client.query(sql);
    });
  }

  /** Runs on the connection without taking the lock: only for a holder of the lock. */
  async raw(text: QueryArg, params?: unknown[]) {
    await this.ready;
    return this.client.query(text as string, params);
  }

  async query(text: QueryArg, params?: unknown[]) {
    await this.ready;
    const release = await this.mutex.lock();
    try {
      return await this.client.query(text as string, params);
    } finally {
      release();
    }
  }

  async connect(): Promise<SerialPgClient> {
    await this.ready;
    return new SerialPgClient(this);
  }

  async end(): Promise<void> {
    await this.ready.catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }
}

export class SerialPgClient extends EventEmitter {
  readonly channels = new Set<string>();
  private held?: () => void;

  constructor(private readonly pool: SerialPgPool) {
    super();
  }

  async query(text: QueryArg, params?: unknown[]) {
    const sql = (typeof text === 'string' ? text : text.text).replace(/--.*$/gm, '').trim();
    const listen = /^LISTEN\s+"?([\w.$-]+)"?/i.exec(sql);
    if (listen) {
      this.channels.add(listen[1]);
      this.pool.subscribers.add(this);
    }
    if (/^UNLISTEN\b/i.test(sql)) {
      // Other clients may listen on the same channel of the shared connection: only stop forwarding here.
      this.channels.clear();
      return { rows: [], rowCount: 0, command: 'UNLISTEN', fields: [] };
    }
    if (!this.held && /^(BEGIN|START\s+TRANSACTION)\b/i.test(sql)) this.held = await this.pool.mutex.lock();
    if (!this.held) return this.pool.query(text, params);
    try {
      return await this.pool.raw(text, params);
    } finally {
      if (/^\s*(COMMIT|ROLLBACK|END)\b/i.test(sql)) this.releaseLock();
    }
  }

  private releaseLock(): void {
    const release = this.held;
    this.held = undefined;
    release?.();
  }

  release(): void {
    this.releaseLock();
    this.pool.subscribers.delete(this);
  }
}
