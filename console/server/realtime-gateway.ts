import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { BusEvent, ConversationRef } from '../../core/conversation/bus-events.ts';
import type { ConversationRecord } from '../../core/conversation/records.ts';
import { isAppError } from '../../core/errors.ts';
import { withoutNul } from '../../core/without-nul.ts';
import { clientFrameSchema, type ServerFrame } from '../shared/protocol.ts';
import type { AppContext } from './app-context.ts';
import { conversationDto, messageDto } from './dto.ts';
import { FrameGate } from './frame-gate.ts';
import { FrameWriter } from './frame-writer.ts';
import { MissedMessages } from './missed-messages.ts';
import { receiveWebMessage } from './routes/widget-routes.ts';
import { authenticateSocket, type SocketIdentity } from './socket-auth.ts';

type AgentSocket = Extract<SocketIdentity, { kind: 'agent' }> & { ws: WebSocket };
type VisitorSocket = Extract<SocketIdentity, { kind: 'visitor' }> & {
  ws: WebSocket;
  /** Client message ids this socket sent whose ack carries the message: their bus echo is not sent back. */
  ownSends?: Set<string>;
};
type Client = AgentSocket | VisitorSocket;

const MAX_FRAME_BYTES = 64 * 1024;
/**
 * A resume also replays this many seqs before the client's cursor: a message committed before a later
 * one can reach the bus after it (a process that died between commit and publish, announced again when
 * its sender resends). Clients keep each message id once.
 */
const RESUME_GRACE_SEQS = 2_000;
/** Frames of one client handled at once before its socket stops being read. */
const MAX_FRAMES_IN_FLIGHT = 8;
/** Sends of one socket remembered for echo suppression; past this the memory is dropped (an echo then goes out, harmless). */
const MAX_OWN_SENDS = 256;

/**
 * WebSockets for agents (/ws/agent) and visitors (/ws/visitor). Every process subscribes to the
 * event bus and forwards each event to the sockets it holds whose audience matches. A client that
 * reconnects with `?after=<seq>` first gets every message it missed, from the database.
 */
export class RealtimeGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly agents = new Map<string, Set<AgentSocket>>();
  private readonly visitors = new Map<string, Set<VisitorSocket>>();
  private readonly unsubscribe: () => void;
  private heartbeat?: NodeJS.Timeout;
  private readonly gate: FrameGate;
  /** The highest message seq each socket was sent (or resumed from). */
  private readonly cursors = new WeakMap<WebSocket, number>();
  private readonly unsubscribeReconnect?: () => void;
  /** Message seqs heard on the bus; a message whose event did not come in time is sent from the database. */
  private readonly missed: MissedMessages;

  constructor(private readonly app: AppContext) {
    this.gate = new FrameGate(app.config.wsFramesAtOnce);
    this.missed = new MissedMessages({ queries: app.queries, logger: app.logger, send: (event) => this.fanOut(event) });
    this.unsubscribe = app.bus.subscribe((event) => this.fanOut(event));
    // Events published while the bus was away never arrive: every socket catches up from the database.
    this.unsubscribeReconnect = app.bus.onReconnect?.(() => {
      setTimeout(() => void this.replayAll(), 1_000).unref();
    });
  }

  get agentCount(): number {
    let n = 0;
    for (const set of this.agents.values()) n += set.size;
    return n;
  }

  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/ws/agent' && url.pathname !== '/ws/visitor') {
        socket.destroy();
        return;
      }
      authenticateSocket(this.app, req, url)
        .then((client) => {
          if (!client) {
            socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
            socket.destroy();
            return;
          }
          this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, client, Number(url.searchParams.get('after') ?? 0) || 0));
        })
        .catch(() => socket.destroy());
    });
    this.heartbeat = setInterval(() => {
      for (const ws of this.wss.clients) {
        const state = ws as WebSocket & { alive?: boolean };
        // A socket paused for backpressure has frames being handled and its pong cannot be read yet.
        if (ws.isPaused) continue;
        if (state.alive === false) {
          ws.terminate();
          continue;
        }
        state.alive = false;
        ws.ping();
      }
    }, this.app.config.wsHeartbeatMs);
    this.heartbeat.unref();
  }

  private async accept(ws: WebSocket, base: SocketIdentity, after: number): Promise<void> {
    const client = { ...base, ws } as Client;
    (ws as WebSocket & { alive?: boolean }).alive = true;
    ws.on('pong', () => ((ws as WebSocket & { alive?: boolean }).alive = true));
    this.register(client);
    ws.on('close', () => this.unregister(client));
    ws.on('error', () => ws.terminate());
    // Backpressure: a client with many frames waiting or running stops being read (TCP holds the
    // rest), and the process-wide gate bounds how many frames are handled at once, so a flood costs
    // a bounded amount of memory and never queues thousands of callers on the database pool.
    // ws.pause() (not the raw socket's) so the library does not resume reading on its own.
    let inFlight = 0;
    ws.on('message', (data, isBinary) => {
      (ws as WebSocket & { alive?: boolean }).alive = true;
      if (isBinary) return this.send(ws, { type: 'error', code: 'bad_request', message: 'Binary frames are not accepted.' });
      inFlight++;
      if (inFlight >= MAX_FRAMES_IN_FLIGHT && !ws.isPaused) ws.pause();
      this.gate
        .run(() => this.onFrame(client, data.toString()))
        .catch((error) => {
          const code = isAppError(error) ? error.code : 'internal';
          const message = isAppError(error) ? error.userMessage : 'Something went wrong on the server.';
          if (!isAppError(error)) this.app.logger.error({ err: error }, 'socket frame failed');
          this.send(ws, { type: 'error', code, message });
        })
        .finally(() => {
          inFlight--;
          if (ws.isPaused && inFlight <= MAX_FRAMES_IN_FLIGHT / 2) ws.resume();
        });
    });
    this.send(ws, {
      type: 'hello',
      userId: client.kind === 'agent' ? client.user.id : undefined,
      visitorId: client.kind === 'visitor' ? (client.visitorId ?? undefined) : undefined,
      resumedFrom: after,
    });
    if (after > 0) {
      this.cursors.set(ws, after);
      // A resume that cannot be served (the database is away) closes the socket: the client comes back
      // with the same cursor instead of silently missing what it asked for.
      await this.replay(client, Math.max(1, after - RESUME_GRACE_SEQS)).catch((error) => {
        this.app.logger.warn({ err: error }, 'socket resume failed; closing it for the client to retry');
        ws.close(1011, 'resume failed');
      });
    }
  }

  /** Sends every message after `after` that the client may see, page by page. */
  private async replay(client: Client, after: number): Promise<void> {
    for (let cursor = after; client.ws.readyState === client.ws.OPEN; ) {
      const missed =
        client.kind === 'agent'
          ? await this.app.queries.messagesForAgentAfter(client.user.id, client.user.role === 'admin', cursor)
          : client.visitorId
            ? await this.app.queries.messagesForVisitorAfter(client.visitorId, cursor)
            : [];
      if (missed.length === 0) return;
      for (const message of missed) this.send(client.ws, { type: 'message', message: messageDto(message) });
      cursor = Number(missed.at(-1)!.seq);
    }
  }

  private async replayAll(): Promise<void> {
    const clients: Client[] = [...this.agents.values(), ...this.visitors.values()].flatMap((set) => [...set]);
    if (clients.length > 0) this.app.logger.info({ sockets: clients.length }, 'event bus reconnected; sockets catch up from the database');
    for (const client of clients) {
      if (this.closed) return;
      const cursor = this.cursors.get(client.ws);
      if (cursor === undefined) continue;
      await this.replay(client, Math.max(1, cursor - RESUME_GRACE_SEQS)).catch((error) => {
        this.app.logger.warn({ err: error }, 'socket catch-up after a bus reconnect failed; closing it for the client to resume');
        client.ws.close(1011, 'catch-up failed');
      });
    }
  }

  private register(client: Client): void {
    if (client.kind === 'agent') {
      const set = this.agents.get(client.user.id) ?? new Set();
      set.add(client);
      this.agents.set(client.user.id, set);
    } else if (client.visitorId) {
      const set = this.visitors.get(client.visitorId) ?? new Set();
      set.add(client);
      this.visitors.set(client.visitorId, set);
    }
  }

  private unregister(client: Client): void {
    if (client.kind === 'agent') {
      this.agents.get(client.user.id)?.delete(client);
      if (this.agents.get(client.user.id)?.size === 0) this.agents.delete(client.user.id);
    } else if (client.visitorId) {
      this.visitors.get(client.visitorId)?.delete(client);
      if (this.visitors.get(client.visitorId)?.size === 0) this.visitors.delete(client.visitorId);
    }
  }

  private async onFrame(client: Client, raw: string): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return this.send(client.ws, { type: 'error', code: 'malformed_json', message: 'A frame must be JSON.' });
    }
    const parsed = clientFrameSchema.safeParse(withoutNul(json));
    if (!parsed.success) {
      return this.send(client.ws, { type: 'error', code: 'validation_failed', message: parsed.error.issues[0]?.message ?? 'Unknown frame.' });
    }
    const frame = parsed.data;
    if (frame.type === 'ping') return this.send(client.ws, { type: 'pong' });
    if (client.kind === 'visitor') {
      if (frame.type === 'send') {
        const own = (client.ownSends ??= new Set());
        if (own.size >= MAX_OWN_SENDS) own.clear();
        own.add(frame.clientMessageId);
        try {
          const { message } = await receiveWebMessage(this.app, client.identity, frame);
          if (!client.visitorId) {
            this.unregister(client);
            client.visitorId = (await this.app.conversations.requireConversation(message.conversationId)).visitorId;
            this.register(client);
          }
          this.send(client.ws, { type: 'ack', clientMessageId: frame.clientMessageId, message: messageDto(message) });
        } catch (error) {
          own.delete(frame.clientMessageId);
          if (!isAppError(error)) throw error;
          this.send(client.ws, { type: 'error', code: error.code, message: error.userMessage, clientMessageId: frame.clientMessageId });
        }
        return;
      }
      if (frame.type === 'typing' && client.visitorId) {
        const open = await this.app.prisma.conversation.findFirst({ where: { visitorId: client.visitorId, status: { not: 'closed' } }, select: { id: true } });
        if (open) {
          const conversation = await this.app.conversations.requireConversation(open.id);
          await this.app.bus.publish({ name: 'conversation.typing', conversation, from: 'visitor' });
        }
        return;
      }
      if (frame.type === 'handoff' && client.visitorId) {
        const open = await this.app.prisma.conversation.findFirst({ where: { visitorId: client.visitorId, status: { not: 'closed' } }, select: { id: true } });
        if (open) await this.app.conversations.handOff(open.id, { type: 'visitor', id: client.visitorId }, 'button');
        return;
      }
      return;
    }
    if (frame.type === 'typing' && frame.conversationId) {
      const conversation = await this.app.conversations.requireConversation(frame.conversationId);
      if (conversation.assigneeId === client.user.id || client.user.role === 'admin') {
        await this.app.bus.publish({ name: 'conversation.typing', conversation, from: 'agent' });
      }
      return;
    }
    if (frame.type === 'send') {
      this.send(client.ws, { type: 'error', code: 'bad_request', message: 'Agents send through POST /api/conversations/:id/messages.' });
    }
  }

  private fanOut(event: BusEvent): void {
    switch (event.name) {
      case 'message.created':
      case 'message.updated': {
        this.missed.heard(event.message.seq);
        const frame: ServerFrame = { type: 'message', message: messageDto(event.message) };
        this.toVisitor(event.conversation, frame);
        this.toAgents(event.conversation, frame, []);
        return;
      }
      case 'conversation.typing': {
        const frame: ServerFrame = { type: 'typing', conversationId: event.conversation.id, from: event.from };
        if (event.from === 'agent') this.toVisitor(event.conversation, frame);
        else this.toAgents(event.conversation, frame, []);
        return;
      }
      case 'agent.updated': {
        const frame: ServerFrame = { type: 'event', name: event.name, payload: { ...event } };
        for (const set of this.agents.values()) for (const c of set) if (c.user.id === event.agentId || c.user.role === 'admin') this.send(c.ws, frame);
        return;
      }
      case 'assist.suggested': {
        const frame: ServerFrame = { type: 'event', name: event.name, payload: { conversationId: event.conversation.id, suggestions: event.suggestions } };
        for (const [userId, set] of this.agents) for (const c of set) if (userId === event.conversation.assigneeId || c.user.role === 'admin') this.send(c.ws, frame);
        return;
      }
      case 'notice': {
        const frame: ServerFrame = { type: 'event', name: event.kind, payload: event.payload };
        for (const set of this.agents.values()) for (const c of set) if (event.audience === 'agents' || c.user.role === 'admin') this.send(c.ws, frame);
        return;
      }
      default: {
        const previous = 'previousAssigneeId' in event ? event.previousAssigneeId : null;
        const frame: ServerFrame = { type: 'conversation', conversation: conversationDto(event.conversation) };
        this.toAgents(event.conversation, frame, previous ? [previous] : [], true);
        this.toVisitorWithPosition(event.conversation).catch(() => undefined);
        if (event.name === 'conversation.closed' || event.name === 'conversation.assigned') this.refreshQueuePositions();
      }
    }
  }

  private toVisitor(conversation: ConversationRef, frame: ServerFrame): void {
    const set = this.visitors.get(conversation.visitorId);
    if (!set) return;
    const own = frame.type === 'message' && frame.message.sender === 'visitor' ? frame.message.clientMessageId : null;
    for (const c of set) {
      if (own && c.kind === 'visitor' && c.ownSends?.delete(own)) {
        // The sender's own socket has (or is about to get) this message in its ack.
        if (frame.type === 'message' && frame.message.seq > (this.cursors.get(c.ws) ?? 0)) this.cursors.set(c.ws, frame.message.seq);
        continue;
      }
      this.send(c.ws, frame);
    }
  }

  private async toVisitorWithPosition(conversation: ConversationRecord): Promise<void> {
    if (!this.visitors.has(conversation.visitorId)) return;
    const queuePosition = await this.app.queries.queuePosition(conversation);
    this.toVisitor(conversation, { type: 'conversation', conversation: conversationDto(conversation, { queuePosition }) });
  }

  private positionsTimer?: NodeJS.Timeout;
  private closed = false;
  /** Web visitors see their queue position live: recompute for queued visitors connected here. */
  private refreshQueuePositions(): void {
    if (this.positionsTimer || this.visitors.size === 0 || this.closed) return;
    this.positionsTimer = setTimeout(() => {
      this.positionsTimer = undefined;
      this.pushQueuePositions().catch((error) => {
        if (!this.closed) this.app.logger.warn({ err: error }, 'queue positions not pushed');
      });
    }, 200);
    this.positionsTimer.unref();
  }

  private async pushQueuePositions(): Promise<void> {
    const queued = await this.app.prisma.conversation.findMany({
      where: { status: 'queued', visitorId: { in: [...this.visitors.keys()] } },
      select: { id: true },
    });
    for (const { id } of queued) {
      if (this.closed) return;
      const conversation = await this.app.conversations.requireConversation(id).catch(() => null);
      if (conversation) await this.toVisitorWithPosition(conversation);
    }
  }

  /** Agents: the assignee (and a previous one), every admin, and for queued conversations every agent. */
  private toAgents(conversation: ConversationRef, frame: ServerFrame, extra: string[], queueListChanged = false): void {
    const everyone = conversation.status === 'queued' || (queueListChanged && conversation.queuedAt !== null);
    for (const [userId, set] of this.agents) {
      for (const c of set) {
        if (everyone || c.user.role === 'admin' || userId === conversation.assigneeId || extra.includes(userId)) this.send(c.ws, frame);
      }
    }
  }

  private readonly writer = new FrameWriter();

  private send(ws: WebSocket, frame: ServerFrame): void {
    if (ws.readyState !== ws.OPEN) return;
    if (frame.type === 'message' && frame.message.seq > (this.cursors.get(ws) ?? 0)) this.cursors.set(ws, frame.message.seq);
    this.writer.write(ws, frame);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.positionsTimer) clearTimeout(this.positionsTimer);
    this.unsubscribe();
    this.unsubscribeReconnect?.();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.missed.close();
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
