import { afterEach, beforeEach, describe, it, expect, vi } from 'vitest';
import type { ServerFrame } from '../shared/protocol.ts';
import { ResumableSocket } from './resumable-socket.ts';

class FakeSocket {
  static instances: FakeSocket[] = [];
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  sent: string[] = [];
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
  receive(frame: ServerFrame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

const message = (seq: number) => ({
  id: `m${seq}`, seq, conversationId: 'c1', sender: 'visitor' as const, senderId: null, kind: 'text' as const,
  text: 'hi', mediaUrl: null, clientMessageId: null, deliveryStatus: 'sent' as const, failureReason: null,
  createdAt: '2024-01-01T00:00:00Z',
});

function open(options: Partial<ConstructorParameters<typeof ResumableSocket>[0]> = {}) {
  const frames: ServerFrame[] = [];
  const states: string[] = [];
  const socket = new ResumableSocket({
    url: (after) => (after === null ? '/ws' : `/ws?after=${after}`),
    onFrame: (frame) => frames.push(frame),
    onState: (state, info) => states.push(info.reconnected ? `${state}:again` : state),
    backoff: { baseMs: 100, maxMs: 1000, jitter: 0 },
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    ...options,
  });
  socket.start();
  return { socket, frames, states };
}

describe('ResumableSocket', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('reconnects after a drop and resumes after the last seq it saw', () => {
    const { frames, states } = open();
    const first = FakeSocket.instances[0]!;
    expect(first.url).toBe('/ws');
    first.receive({ type: 'hello', resumedFrom: 0 });
    first.receive({ type: 'message', message: message(41) });
    first.receive({ type: 'message', message: message(42) });
    first.close();
    vi.advanceTimersByTime(99);
    expect(FakeSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    const second = FakeSocket.instances[1]!;
    expect(second.url).toBe('/ws?after=42');
    second.receive({ type: 'hello', resumedFrom: 42 });
    expect(states).toEqual(['connecting', 'open', 'closed', 'connecting', 'open:again']);
    expect(frames.filter((f) => f.type === 'message')).toHaveLength(2);
  });

  it('backs off further on each failed attempt and resets once connected', () => {
    open();
    FakeSocket.instances[0]!.close();
    vi.advanceTimersByTime(100);
    FakeSocket.instances[1]!.close();
    vi.advanceTimersByTime(199);
    expect(FakeSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(3);
    FakeSocket.instances[2]!.receive({ type: 'hello', resumedFrom: 0 });
    FakeSocket.instances[2]!.close();
    vi.advanceTimersByTime(100);
    expect(FakeSocket.instances).toHaveLength(4);
  });

  it('refuses to send while not open and never reconnects after stop()', () => {
    const { socket } = open();
    expect(socket.send({ type: 'ping' })).toBe(false);
    FakeSocket.instances[0]!.receive({ type: 'hello', resumedFrom: 0 });
    expect(socket.send({ type: 'typing' })).toBe(true);
    expect(FakeSocket.instances[0]!.sent).toEqual(['{"type":"typing"}']);
    socket.stop();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('replaces a connection that stays silent for two ping intervals', () => {
    open({ pingMs: 1000 });
    FakeSocket.instances[0]!.receive({ type: 'hello', resumedFrom: 0 });
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.instances[0]!.sent).toEqual(['{"type":"ping"}']);
    vi.advanceTimersByTime(2000);
    expect(FakeSocket.instances[0]!.closed).toBe(true);
    vi.advanceTimersByTime(100);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('takes seqs noted from REST loads as the resume point', () => {
    const { socket } = open();
    socket.noteSeq(7);
    socket.noteSeq(3);
    FakeSocket.instances[0]!.close();
    vi.advanceTimersByTime(100);
    expect(FakeSocket.instances[1]!.url).toBe('/ws?after=7');
  });
});
