import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { ServerFrame } from '../shared/protocol.ts';

/**
 * Writes server frames to sockets cheaply: a frame fanned out to many sockets is serialized once,
 * and the frames one socket gets in the same turn (a batch of bus events, the acks of one intake
 * batch) leave in one write, the socket being corked until the turn's synchronous work is done.
 */
export class FrameWriter {
  private lastFrame?: ServerFrame;
  private lastJson = '';
  private readonly corked = new Set<Socket>();

  write(ws: WebSocket, frame: ServerFrame): void {
    if (frame !== this.lastFrame) {
      this.lastJson = JSON.stringify(frame);
      this.lastFrame = frame;
    }
    this.cork(ws);
    ws.send(this.lastJson);
  }

  private cork(ws: WebSocket): void {
    const socket = (ws as WebSocket & { _socket?: Socket })._socket;
    if (!socket || this.corked.has(socket)) return;
    socket.cork();
    if (this.corked.size === 0) process.nextTick(() => this.uncorkAll());
    this.corked.add(socket);
  }

  private uncorkAll(): void {
    for (const socket of this.corked) socket.uncork();
    this.corked.clear();
  }
}
