import { t } from '../i18n/i18n.ts';
import type { ConversationDto, MessageDto, ServerFrame, WidgetSessionDto } from '../shared/protocol.ts';
import { ApiError } from '../ui/http.ts';
import { newClientMessageId } from '../ui/ids.ts';
import { createLocalMessage, maxSeq, mergeMessages, type ChatMessage } from '../ui/message-merge.ts';
import { ResumableSocket, type SocketState } from '../ui/resumable-socket.ts';
import { createThrottle } from '../ui/throttle.ts';
import type { WidgetApi } from './data/widget-api.ts';
import { addToOutbox, dueForSending, markFailed, markSent, parseOutbox, removeConfirmed, type OutboxItem } from './outbox.ts';

const ACK_TIMEOUT_MS = 10_000;
const RETRY_EVERY_MS = 5_000;

export type SessionPhase = 'idle' | 'starting' | 'ready' | 'failed';

/**
 * One visitor's chat on one channel: the session (token kept in localStorage per channel), the
 * history, the live socket, and the outbox. A message goes out over the socket when it is open and
 * over HTTP otherwise; it stays in the persisted outbox until the server confirms its client message
 * id, and is sent again after a reconnect or a timeout, so nothing is lost and nothing is doubled.
 * Emits `change` whenever anything visible changed.
 */
export class ChatSession extends EventTarget {
  phase: SessionPhase = 'idle';
  error = '';
  settings: WidgetSessionDto['settings'] | null = null;
  conversation: ConversationDto | null = null;
  connection: SocketState = 'closed';
  /** Bot and agent messages that arrived while the panel was closed. */
  unread = 0;
  panelOpen = false;
  agentTypingUntil = 0;

  #messages: ChatMessage[] = [];
  #outbox: OutboxItem[];
  #socket: ResumableSocket | null = null;
  #retryTimer: ReturnType<typeof setInterval> | undefined;
  #typingGate = createThrottle(3000);
  #flushing = false;

  constructor(
    private readonly api: WidgetApi,
    private readonly channelId: string,
    private readonly profile: Record<string, unknown>,
    private readonly storage: Storage = localStorage,
  ) {
    super();
    this.#outbox = parseOutbox(this.#read('outbox'));
  }

  /** History plus the messages still waiting in the outbox, in display order. */
  get timeline(): ChatMessage[] {
    const conversationId = this.conversation?.id ?? '';
    const pending = this.#outbox.map((item) => ({
      ...createLocalMessage(item, conversationId, 'visitor', item.failed ? 'failed' : 'queued'),
      localError: item.failed,
    }));
    return mergeMessages(this.#messages, pending);
  }

  async start(): Promise<void> {
    if (this.phase === 'starting' || this.phase === 'ready') return;
    this.phase = 'starting';
    this.#changed();
    try {
      const session = await this.#openSession();
      this.api.token = session.visitorToken;
      this.#write('token', session.visitorToken);
      this.settings = session.settings;
      this.conversation = session.conversation;
      this.#addMessages(session.messages);
      this.#socket = new ResumableSocket({
        url: (after) => this.api.socketUrl(after),
        onFrame: (frame) => this.#onFrame(frame),
        onState: (state) => {
          this.connection = state;
          if (state === 'open') void this.#flush();
          this.#changed();
        },
      });
      this.#socket.noteSeq(maxSeq(session.messages));
      this.#socket.start();
      addEventListener('online', this.#onOnline);
      this.#retryTimer = setInterval(() => void this.#flush(), RETRY_EVERY_MS);
      this.phase = 'ready';
    } catch (error) {
      this.phase = 'failed';
      this.error = error instanceof ApiError ? error.message : String(error);
    }
    this.#changed();
  }

  stop(): void {
    this.#socket?.stop();
    clearInterval(this.#retryTimer);
    removeEventListener('online', this.#onOnline);
  }

  setPanelOpen(open: boolean): void {
    this.panelOpen = open;
    if (open) this.unread = 0;
    this.#changed();
  }

  send(content: { kind: 'text' | 'image'; text?: string; mediaUrl?: string }): void {
    const item: OutboxItem = { clientMessageId: newClientMessageId(), ...content, createdAt: Date.now() };
    this.#setOutbox(addToOutbox(this.#outbox, item));
    void this.#flush();
  }

  async sendImage(file: Blob): Promise<void> {
    const uploaded = await this.api.uploadImage(file);
    this.send({ kind: 'image', mediaUrl: uploaded.url });
  }

  async requestHandoff(): Promise<void> {
    const conversation = await this.api.requestHandoff();
    if (conversation) this.conversation = conversation;
    this.#changed();
  }

  notifyTyping(): void {
    if (this.#typingGate()) this.#socket?.send({ type: 'typing' });
  }

  /** Drops a refused message from the outbox (the visitor dismissed it). */
  discard(clientMessageId: string): void {
    this.#setOutbox(removeConfirmed(this.#outbox, [clientMessageId]));
  }

  #onOnline = () => {
    this.#socket?.reconnectNow();
    void this.#flush();
  };

  async #openSession(): Promise<WidgetSessionDto> {
    const visitorToken = this.#read('token') ?? undefined;
    try {
      return await this.api.createSession({ channelId: this.channelId, visitorToken, profile: this.profile });
    } catch (error) {
      // A token from an older secret or a wiped database: start over as a new visitor.
      if (!(error instanceof ApiError) || error.status !== 401 || !visitorToken) throw error;
      this.#remove('token');
      return this.api.createSession({ channelId: this.channelId, profile: this.profile });
    }
  }

  async #flush(): Promise<void> {
    if (this.phase !== 'ready' || this.#flushing) return;
    this.#flushing = true;
    try {
      for (const item of dueForSending(this.#outbox, Date.now(), ACK_TIMEOUT_MS)) {
        const { clientMessageId, kind, text, mediaUrl } = item;
        this.#setOutbox(markSent(this.#outbox, clientMessageId, Date.now()));
        if (this.#socket?.send({ type: 'send', clientMessageId, kind, text, mediaUrl })) continue;
        try {
          this.#addMessages([await this.api.sendMessage({ clientMessageId, kind, text, mediaUrl })]);
        } catch (error) {
          if (error instanceof ApiError && !error.retryable) this.#setOutbox(markFailed(this.#outbox, clientMessageId, error.message));
          else break;
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  #onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'message':
      case 'ack':
        this.#addMessages([frame.message]);
        if (frame.type === 'message' && frame.message.sender !== 'visitor' && !this.panelOpen) this.unread++;
        if (frame.message.sender === 'agent') this.agentTypingUntil = 0;
        break;
      case 'conversation':
        this.conversation = frame.conversation;
        break;
      case 'typing':
        if (frame.from === 'agent') this.agentTypingUntil = Date.now() + 5000;
        break;
      case 'error':
        if (frame.clientMessageId) this.#setOutbox(markFailed(this.#outbox, frame.clientMessageId, frame.message || t('error.generic')));
        break;
      default:
        return;
    }
    this.#changed();
  }

  #addMessages(messages: MessageDto[]): void {
    this.#messages = mergeMessages(this.#messages, messages);
    this.#setOutbox(removeConfirmed(this.#outbox, messages.map((m) => m.clientMessageId)));
  }

  #setOutbox(items: OutboxItem[]): void {
    this.#outbox = items;
    if (items.length) this.#write('outbox', JSON.stringify(items));
    else this.#remove('outbox');
    this.#changed();
  }

  #changed(): void {
    this.dispatchEvent(new Event('change'));
  }

  #key(name: string): string {
    return `kefu.${name}.${this.channelId}`;
  }

  #read(name: string): string | null {
    try {
      return this.storage.getItem(this.#key(name));
    } catch {
      return null;
    }
  }

  #write(name: string, value: string): void {
    try {
      this.storage.setItem(this.#key(name), value);
    } catch {
      // Storage refused (private mode, quota): the chat still works, it just will not survive a reload.
    }
  }

  #remove(name: string): void {
    try {
      this.storage.removeItem(this.#key(name));
    } catch {
      // See #write.
    }
  }
}
