import pg from 'pg';
import { WebSocket } from 'ws';
import { sleep } from './services.ts';

export interface Reply {
  status: number;
  body: any;
}

/**
 * HTTP to whichever API process answers: a failed or 5xx request is tried again on the next one
 * (same body, so the same client message id) until `deadline`; a 4xx answer is final.
 */
export async function request(urls: () => string[], method: string, path: string, body: unknown, headers: Record<string, string>, deadline: number): Promise<Reply | undefined> {
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const list = urls();
    const base = list[attempt % list.length]!;
    try {
      const res = await fetch(base + path, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
      });
      const text = await res.text();
      let json: any = text;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        // Callbacks answer plain text.
      }
      if (res.status < 500) return { status: res.status, body: json };
    } catch {
      // Refused, reset or timed out: the process may be down; the next one is tried.
    }
    await sleep(Math.min(1_000, 50 * 2 ** Math.min(attempt, 5)));
  }
  return undefined;
}

export interface Receipt {
  id: string;
  seq: number;
  conversationId: string;
  text: string | null;
}

/**
 * A console or widget socket that reconnects (to any API process) with `?after=<highest seq seen>`
 * and records every message frame: `received` keeps the first receipt of each message id in order,
 * `repeats` counts frames that repeated an identical earlier one.
 */
export class ResumingSocket {
  readonly received = new Map<string, Receipt>();
  readonly order: string[] = [];
  repeats = 0;
  reconnects = 0;
  private readonly seen = new Set<string>();
  private cursor: number;
  private ws?: WebSocket;
  private closed = false;

  constructor(
    private readonly urls: () => string[],
    private readonly path: string,
    private readonly query: Record<string, string>,
    private readonly headers: Record<string, string> = {},
    initialCursor = 0,
  ) {
    this.cursor = initialCursor;
  }

  async open(): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      const list = this.urls();
      const base = list[attempt % list.length]!.replace(/^http/, 'ws');
      const query = new URLSearchParams({ ...this.query, ...(this.cursor > 0 ? { after: String(this.cursor) } : {}) });
      const ok = await new Promise<boolean>((resolve) => {
        const ws = new WebSocket(`${base}${this.path}?${query}`, { headers: this.headers });
        ws.once('open', () => {
          this.ws = ws;
          resolve(true);
        });
        ws.once('error', () => resolve(false));
        ws.once('unexpected-response', () => resolve(false));
        ws.on('message', (data) => this.onFrame(data.toString()));
        ws.once('close', () => {
          if (this.ws !== ws || this.closed) return;
          this.ws = undefined;
          this.reconnects++;
          void this.open();
        });
      });
      if (ok) return;
      await sleep(Math.min(1_000, 100 * (attempt + 1)));
    }
  }

  private onFrame(raw: string): void {
    const frame = JSON.parse(raw) as { type: string; message?: { id: string; seq: number; conversationId: string; text: string | null } };
    if (frame.type !== 'message' || !frame.message) return;
    if (this.seen.has(raw)) this.repeats++;
    this.seen.add(raw);
    const m = frame.message;
    if (m.seq > this.cursor) this.cursor = m.seq;
    if (this.received.has(m.id)) return;
    this.received.set(m.id, { id: m.id, seq: m.seq, conversationId: m.conversationId, text: m.text });
    this.order.push(m.id);
  }

  close(): void {
    this.closed = true;
    this.ws?.terminate();
  }
}

/** The chaos run's own look-ups in its PostgreSQL: retried through its restarts. */
export class ChaosDb {
  private readonly pool: pg.Pool;

  constructor(url: string, schema: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 8, options: `-c search_path="${schema}"` });
    this.pool.on('error', () => undefined);
  }

  async query<T = any>(text: string, params: unknown[] = [], deadline = Date.now() + 120_000): Promise<T[]> {
    for (;;) {
      try {
        return (await this.pool.query(text, params)).rows as T[];
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(250);
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
