import type { ClientFrame, ServerFrame } from '../shared/protocol.ts';
import { backoffDelay, defaultBackoff, type BackoffOptions } from './backoff.ts';

export type SocketState = 'connecting' | 'open' | 'closed';

export interface ResumableSocketOptions {
  /** Builds the URL for a connection; `after` is the last seq seen, or null before any was seen. */
  url: (after: number | null) => string;
  onFrame: (frame: ServerFrame) => void;
  onState?: (state: SocketState, info: { reconnected: boolean }) => void;
  backoff?: BackoffOptions;
  /** How often to ping; a socket silent for two intervals is presumed dead and replaced. */
  pingMs?: number;
  WebSocketImpl?: typeof WebSocket;
}

/**
 * A WebSocket that reconnects with backoff and resumes: each new connection asks for everything after
 * the highest message seq seen (from `message` and `ack` frames, or `noteSeq`), so a dropped connection
 * loses nothing. `open` is reported on the server's `hello`, when the replay has started.
 */
export class ResumableSocket {
  #socket: WebSocket | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #ping: ReturnType<typeof setInterval> | null = null;
  #lastFrameAt = 0;
  #stopped = true;
  #everOpened = false;
  #lastSeq: number | null = null;
  #state: SocketState = 'closed';

  constructor(private readonly options: ResumableSocketOptions) {}

  get lastSeq(): number | null {
    return this.#lastSeq;
  }

  get state(): SocketState {
    return this.#state;
  }

  /** Records a seq seen outside the socket (e.g. from a REST load) so a resume does not replay it. */
  noteSeq(seq: number | null | undefined): void {
    if (typeof seq === 'number' && (this.#lastSeq === null || seq > this.#lastSeq)) this.#lastSeq = seq;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    this.#clearTimers();
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000);
    this.#setState('closed');
  }

  /** Reconnects now instead of waiting out the backoff (e.g. when the browser comes back online). */
  reconnectNow(): void {
    if (this.#stopped || this.#state === 'open') return;
    this.#attempt = 0;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#socket?.close();
    this.#socket = null;
    this.#connect();
  }

  /** Sends a frame if the connection is open; returns false otherwise, so the caller can fall back. */
  send(frame: ClientFrame): boolean {
    if (this.#state !== 'open' || !this.#socket) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  #connect(): void {
    const Impl = this.options.WebSocketImpl ?? WebSocket;
    this.#setState('connecting');
    const socket = new Impl(this.options.url(this.#lastSeq));
    this.#socket = socket;
    socket.onmessage = (event) => {
      if (socket !== this.#socket) return;
      this.#lastFrameAt = Date.now();
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch {
        return;
      }
      this.#observe(frame);
    };
    socket.onclose = () => {
      if (socket !== this.#socket) return;
      this.#socket = null;
      this.#clearTimers();
      this.#setState('closed');
      if (!this.#stopped) this.#timer = setTimeout(() => this.#connect(), backoffDelay(this.#attempt++, this.options.backoff ?? defaultBackoff));
    };
  }

  #observe(frame: ServerFrame): void {
    if (frame.type === 'message') this.noteSeq(frame.message.seq);
    if (frame.type === 'ack') this.noteSeq(frame.message.seq);
    if (frame.type === 'hello') {
      const reconnected = this.#everOpened;
      this.#everOpened = true;
      this.#attempt = 0;
      this.#startPing();
      this.#setState('open', reconnected);
    }
    this.options.onFrame(frame);
  }

  #startPing(): void {
    const every = this.options.pingMs ?? 25_000;
    this.#lastFrameAt = Date.now();
    this.#ping = setInterval(() => {
      if (Date.now() - this.#lastFrameAt > every * 2) this.#socket?.close();
      else this.#socket?.send(JSON.stringify({ type: 'ping' } satisfies ClientFrame));
    }, every);
  }

  #clearTimers(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#ping) clearInterval(this.#ping);
    this.#timer = null;
    this.#ping = null;
  }

  #setState(state: SocketState, reconnected = false): void {
    if (state === this.#state && state !== 'open') return;
    this.#state = state;
    this.options.onState?.(state, { reconnected });
  }
}
