import { t } from '../../i18n/i18n.ts';
import type { AgentStatus, ConversationDto, MessageDto, ServerFrame, UserDto } from '../../shared/protocol.ts';
import { previewOf } from '../../ui/format.ts';
import { newClientMessageId } from '../../ui/ids.ts';
import { createLocalMessage, mergeMessages, type ChatMessage } from '../../ui/message-merge.ts';
import { ResumableSocket } from '../../ui/resumable-socket.ts';
import { createThrottle } from '../../ui/throttle.ts';
import { updateMyStatus } from '../data/auth.ts';
import * as conversations from '../data/conversations.ts';
import type { ConversationView } from '../data/conversations.ts';
import { listMessages, PAGE_SIZE, sendMessage, type OutgoingMessage } from '../data/messages.ts';
import { applyConversation, applyMessage, viewsFor } from './conversation-views.ts';
import { parseAssistPayload } from './assist.ts';
import { notifyDesktop, playChime } from './attention.ts';
import { ConsoleState } from './console-state.ts';
import { describeError } from './notice.ts';

export { describeError, type Notice } from './notice.ts';

/**
 * The console's live state: the signed-in user, the rows of the current tab, the open conversation
 * and its messages, and the agent socket that keeps them current. Components read fields directly and
 * re-render on its `change` event; every mutation goes through a method here.
 */
export class ConsoleStore extends ConsoleState {
  #socket: ResumableSocket | null = null;
  /** Messages already counted: a resume or a resend announces some again, which must not count twice. */
  #counted = new Set<string>();
  #typingGate = createThrottle(3000);
  #onOnline = () => this.#socket?.reconnectNow();
  #onVisibility = () => {
    if (!document.hidden && this.openId) this.markReadSoon(this.openId);
    this.updateTitle();
  };

  /** Starts a signed-in session: socket first, so nothing between the list load and the live stream is missed. */
  async start(user: UserDto): Promise<void> {
    this.user = user;
    this.view = viewsFor(user.role)[0]!;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.#socket = new ResumableSocket({
      url: (after) => `${scheme}://${location.host}/ws/agent${after === null ? '' : `?after=${after}`}`,
      onFrame: (frame) => this.#onFrame(frame),
      onState: (state, { reconnected }) => {
        this.connection = state;
        if (state === 'open' && reconnected) void this.#resync();
        this.changed();
      },
    });
    this.#socket.start();
    addEventListener('online', this.#onOnline);
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.changed();
    await this.loadRows();
  }

  stop(): void {
    this.#socket?.stop();
    this.#socket = null;
    removeEventListener('online', this.#onOnline);
    document.removeEventListener('visibilitychange', this.#onVisibility);
    clearTimeout(this.countsTimer);
    this.suggestions.clear();
    Object.assign(this, { user: null, rows: [], openId: null, open: null, messages: [], connection: 'closed' });
    this.cache.clear();
    this.changed();
  }

  async setView(view: ConversationView): Promise<void> {
    if (view === this.view) return;
    this.view = view;
    this.rows = [];
    await this.loadRows();
  }

  async loadRows(): Promise<void> {
    const view = this.view;
    this.rowsLoading = true;
    this.changed();
    try {
      const rows = await conversations.listConversations(view);
      if (view === this.view) {
        this.rows = rows;
        this.counts = { ...this.counts, [view]: rows.length };
      }
      this.refreshCountsSoon();
    } catch (error) {
      this.showNotice({ kind: 'error', text: describeError(error) });
    } finally {
      this.rowsLoading = false;
      this.changed();
    }
  }

  async select(id: string): Promise<void> {
    if (id === this.openId) return;
    this.openId = id;
    this.open = this.rows.find((row) => row.id === id) ?? null;
    this.rows = this.rows.map((row) => (row.id === id ? { ...row, unreadCount: 0 } : row));
    const cached = this.cache.get(id);
    this.messages = cached?.messages ?? [];
    this.hasOlder = cached?.hasOlder ?? false;
    this.visitorTypingUntil = 0;
    this.changed();
    this.markReadSoon(id);
    try {
      const [conversation, latest] = await Promise.all([
        this.open ? Promise.resolve(this.open) : conversations.getConversation(id),
        listMessages(id),
      ]);
      if (this.openId !== id) return;
      this.open = conversation;
      this.setMessages(id, mergeMessages(this.messages, latest), cached ? this.hasOlder : latest.length >= PAGE_SIZE);
    } catch (error) {
      this.showNotice({ kind: 'error', text: describeError(error) });
    }
  }

  async loadOlder(): Promise<void> {
    const id = this.openId;
    const first = this.messages.find((m) => !m.localState);
    if (!id || !first || this.loadingOlder || !this.hasOlder) return;
    this.loadingOlder = true;
    this.changed();
    try {
      const older = await listMessages(id, first.seq);
      if (this.openId === id) this.setMessages(id, mergeMessages(older, this.messages), older.length >= PAGE_SIZE);
    } catch (error) {
      this.showNotice({ kind: 'error', text: describeError(error) });
    } finally {
      this.loadingOlder = false;
      this.changed();
    }
  }

  /** Sends to the open conversation; a retry passes the failed message's client id so it is stored once. */
  async send(content: Omit<OutgoingMessage, 'clientMessageId'>, clientMessageId = newClientMessageId()): Promise<void> {
    const id = this.openId;
    if (!id) return;
    const outgoing: OutgoingMessage = { clientMessageId, ...content };
    const local = createLocalMessage(outgoing, id, 'agent');
    this.mergeInto(id, [local]);
    try {
      this.mergeInto(id, [await sendMessage(id, outgoing)]);
    } catch (error) {
      this.mergeInto(id, [{ ...local, localState: 'failed', localError: describeError(error) }]);
    }
  }

  /**
   * Retries a failed message: a send that never got an answer goes again under its own client id; a
   * message the channel refused is sent again as a new message (the stored one stays failed).
   */
  retry(message: ChatMessage): Promise<void> {
    const content = { kind: message.kind as 'text' | 'image', text: message.text ?? undefined, mediaUrl: message.mediaUrl ?? undefined };
    if (message.localState === 'failed' && message.clientMessageId) return this.send(content, message.clientMessageId);
    return this.send(content);
  }

  notifyTyping(): void {
    if (this.openId && this.#typingGate()) this.#socket?.send({ type: 'typing', conversationId: this.openId });
  }

  async pick(id: string): Promise<void> {
    await this.#command(() => conversations.pickConversation(id));
  }

  async close(id: string): Promise<void> {
    await this.#command(() => conversations.closeConversation(id));
  }

  /** 转接 (or, for an admin and a queued conversation, 分配); true when it went through. */
  async transfer(id: string, agentId: string, note?: string): Promise<boolean> {
    const queued = this.rows.find((row) => row.id === id)?.status === 'queued' || (this.open?.id === id && this.open.status === 'queued');
    try {
      const conversation = queued
        ? await conversations.assignConversation(id, agentId)
        : await conversations.transferConversation(id, agentId, note || undefined);
      if (conversation) this.#applyConversation(conversation);
      this.refreshMeSoon();
      return true;
    } catch (error) {
      this.showNotice({ kind: 'error', text: describeError(error) });
      return false;
    }
  }

  /** Drops a suggestion once it was used, so the panel does not offer it twice. */
  dismissSuggestion(conversationId: string): void {
    this.suggestions.delete(conversationId);
    this.changed();
  }

  async setStatus(status: AgentStatus): Promise<void> {
    try {
      this.user = (await updateMyStatus(status)) ?? this.user;
    } catch (error) {
      this.showNotice({ kind: 'error', text: describeError(error) });
    }
    this.changed();
  }

  async #command(run: () => Promise<ConversationDto | null>): Promise<void> {
    try {
      const conversation = await run();
      if (conversation) this.#applyConversation(conversation);
      this.refreshMeSoon();
    } catch (error) {
      this.showNotice({ kind: 'error', text: describeError(error) });
    }
  }

  #onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'message':
        return this.#applyMessage(frame.message);
      case 'ack':
        return this.#applyMessage(frame.message);
      case 'conversation':
        return this.#applyConversation(frame.conversation);
      case 'typing':
        if (frame.from === 'visitor' && frame.conversationId === this.openId) {
          this.visitorTypingUntil = Date.now() + 5000;
          this.changed();
        }
        return;
      case 'error':
        return this.showNotice({ kind: 'error', text: frame.message });
      case 'event':
        return this.#applyEvent(frame.name, frame.payload);
      default:
        return;
    }
  }

  #applyMessage(message: MessageDto): void {
    const repeat = this.#counted.has(message.id);
    if (!repeat) {
      if (this.#counted.size >= 10_000) this.#counted.clear();
      this.#counted.add(message.id);
      const preview = previewOf(message);
      const text = preview ? ('key' in preview ? t(preview.key) : preview.text) : null;
      this.rows = applyMessage(this.rows, message, this.view, { openConversationId: this.openId, preview: text });
    }
    if (message.conversationId === this.openId || this.cache.has(message.conversationId)) {
      this.mergeInto(message.conversationId, [message]);
    }
    if (repeat) return this.changed();
    if (message.sender === 'visitor') this.#alert(message.conversationId, 'notify.newMessage');
    if (message.sender === 'visitor' && message.conversationId === this.openId) {
      this.visitorTypingUntil = 0;
      if (!document.hidden) this.markReadSoon(message.conversationId);
    }
    this.changed();
  }

  /** `agent.updated` carries the agent's status and load; the header shows them for the signed-in user. */
  #applyEvent(name: string, payload: Record<string, unknown>): void {
    if (name === 'assist.suggested') {
      const suggestion = parseAssistPayload(payload);
      if (suggestion) {
        this.suggestions.set(suggestion.conversationId, suggestion);
        this.changed();
      }
      return;
    }
    if (name !== 'agent.updated' || !this.user || payload['agentId'] !== this.user.id) return;
    const { status, activeCount, autoAcceptLimit } = payload as Partial<UserDto>;
    this.user = {
      ...this.user,
      status: status ?? this.user.status,
      activeCount: activeCount ?? this.user.activeCount,
      autoAcceptLimit: autoAcceptLimit ?? this.user.autoAcceptLimit,
    };
    this.changed();
  }

  #applyConversation(conversation: ConversationDto): void {
    if (!this.user) return;
    const wasMine = this.rows.some((row) => row.id === conversation.id && row.assigneeId === this.user?.id);
    const known = this.rows.find((row) => row.id === conversation.id);
    if (conversation.status === 'assigned' && conversation.assigneeId === this.user.id && known?.assigneeId !== this.user.id) {
      this.#alert(conversation.id, 'notify.assigned', conversation.visitor.name);
    }
    this.rows = applyConversation(this.rows, conversation, this.view, this.user.id);
    if (conversation.id === this.openId) this.open = conversation;
    if (wasMine || conversation.assigneeId === this.user.id) this.refreshMeSoon();
    this.refreshCountsSoon();
    this.changed();
  }

  /** A chime and a desktop notification while the tab is hidden, for the agent's own conversations. */
  #alert(conversationId: string, key: 'notify.newMessage' | 'notify.assigned', visitorName?: string): void {
    const row = this.rows.find((r) => r.id === conversationId);
    const mine = row ? row.assigneeId === this.user?.id : key === 'notify.assigned';
    if (!mine || !document.hidden) return;
    playChime();
    notifyDesktop(t('app.title'), t(key, { name: visitorName ?? row?.visitor.name ?? '' }), () => void this.select(conversationId));
  }

  async #resync(): Promise<void> {
    await this.loadRows();
    const id = this.openId;
    if (!id) return;
    try {
      const latest = await listMessages(id);
      if (this.openId === id) this.mergeInto(id, latest);
    } catch (error) {
      this.showNotice({ kind: 'error', text: describeError(error) });
    }
  }
}
