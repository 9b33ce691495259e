import { t } from '../../i18n/i18n.ts';
import type { AgentStatus, ConversationDto, MessageDto, ServerFrame, UserDto } from '../../shared/protocol.ts';
import { previewOf } from '../../ui/format.ts';
import { ApiError } from '../../ui/http.ts';
import { newClientMessageId } from '../../ui/ids.ts';
import { createLocalMessage, mergeMessages, type ChatMessage } from '../../ui/message-merge.ts';
import { ResumableSocket, type SocketState } from '../../ui/resumable-socket.ts';
import { createThrottle } from '../../ui/throttle.ts';
import { fetchMe, updateMyStatus } from '../data/auth.ts';
import * as conversations from '../data/conversations.ts';
import type { ConversationView } from '../data/conversations.ts';
import { listMessages, PAGE_SIZE, sendMessage, type OutgoingMessage } from '../data/messages.ts';
import { applyConversation, applyMessage, viewsFor } from './conversation-views.ts';
import { parseAssistPayload, type AssistSuggestion } from './assist.ts';
import { notifyDesktop, playChime, titleWithUnread } from './attention.ts';

export interface Notice {
  kind: 'error' | 'info';
  text: string;
}

/** What the user sees for an error: the server's message, or a generic one for network trouble. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.status === 0 ? t('msg.networkError') : error.message || t('error.generic');
  return t('error.generic');
}

/**
 * The console's live state: the signed-in user, the rows of the current tab, the open conversation
 * and its messages, and the agent socket that keeps them current. Components read fields directly and
 * re-render on its `change` event; every mutation goes through a method here.
 */
export class ConsoleStore extends EventTarget {
  user: UserDto | null = null;
  view: ConversationView = 'mine';
  rows: ConversationDto[] = [];
  rowsLoading = false;
  openId: string | null = null;
  open: ConversationDto | null = null;
  messages: ChatMessage[] = [];
  hasOlder = false;
  loadingOlder = false;
  visitorTypingUntil = 0;
  connection: SocketState = 'closed';
  notice: Notice | null = null;
  /** Rows per tab, for the tab labels; refreshed after list loads and live updates settle. */
  counts: Partial<Record<ConversationView, number>> = {};
  /** The latest 智能辅助 suggestion per conversation. */
  suggestions = new Map<string, AssistSuggestion>();

  #socket: ResumableSocket | null = null;
  #cache = new Map<string, { messages: ChatMessage[]; hasOlder: boolean }>();
  /** Messages already counted: a resume or a resend announces some again, which must not count twice. */
  #counted = new Set<string>();
  #typingGate = createThrottle(3000);
  #noticeTimer: ReturnType<typeof setTimeout> | undefined;
  #meTimer: ReturnType<typeof setTimeout> | undefined;
  #readTimer: ReturnType<typeof setTimeout> | undefined;
  #onOnline = () => this.#socket?.reconnectNow();
  #countsTimer: ReturnType<typeof setTimeout> | undefined;
  #onVisibility = () => {
    if (!document.hidden && this.openId) this.#markReadSoon(this.openId);
    this.#updateTitle();
  };

  #changed(): void {
    if (this.user) this.#updateTitle();
    this.dispatchEvent(new Event('change'));
  }

  /** Unread messages across the agent's own conversations, shown in the title. */
  get unreadTotal(): number {
    return this.rows.reduce((sum, row) => sum + (row.assigneeId === this.user?.id && (row.id !== this.openId || document.hidden) ? row.unreadCount : 0), 0);
  }

  #updateTitle(): void {
    document.title = titleWithUnread(t('app.title'), this.unreadTotal);
  }

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
        this.#changed();
      },
    });
    this.#socket.start();
    addEventListener('online', this.#onOnline);
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.#changed();
    await this.loadRows();
  }

  stop(): void {
    this.#socket?.stop();
    this.#socket = null;
    removeEventListener('online', this.#onOnline);
    document.removeEventListener('visibilitychange', this.#onVisibility);
    clearTimeout(this.#countsTimer);
    this.suggestions.clear();
    Object.assign(this, { user: null, rows: [], openId: null, open: null, messages: [], connection: 'closed' });
    this.#cache.clear();
    this.#changed();
  }

  showNotice(notice: Notice): void {
    this.notice = notice;
    clearTimeout(this.#noticeTimer);
    this.#noticeTimer = setTimeout(() => {
      this.notice = null;
      this.#changed();
    }, 5000);
    this.#changed();
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
    this.#changed();
    try {
      const rows = await conversations.listConversations(view);
      if (view === this.view) {
        this.rows = rows;
        this.counts = { ...this.counts, [view]: rows.length };
      }
      this.#refreshCountsSoon();
    } catch (error) {
      this.showNotice({ kind: 'error', text: describeError(error) });
    } finally {
      this.rowsLoading = false;
      this.#changed();
    }
  }

  async select(id: string): Promise<void> {
    if (id === this.openId) return;
    this.openId = id;
    this.open = this.rows.find((row) => row.id === id) ?? null;
    this.rows = this.rows.map((row) => (row.id === id ? { ...row, unreadCount: 0 } : row));
    const cached = this.#cache.get(id);
    this.messages = cached?.messages ?? [];
    this.hasOlder = cached?.hasOlder ?? false;
    this.visitorTypingUntil = 0;
    this.#changed();
    this.#markReadSoon(id);
    try {
      const [conversation, latest] = await Promise.all([
        this.open ? Promise.resolve(this.open) : conversations.getConversation(id),
        listMessages(id),
      ]);
      if (this.openId !== id) return;
      this.open = conversation;
      this.#setMessages(id, mergeMessages(this.messages, latest), cached ? this.hasOlder : latest.length >= PAGE_SIZE);
    } catch (error) {
      this.showNotice({ kind: 'error', text: describeError(error) });
    }
  }

  async loadOlder(): Promise<void> {
    const id = this.openId;
    const first = this.messages.find((m) => !m.localState);
    if (!id || !first || this.loadingOlder || !this.hasOlder) return;
    this.loadingOlder = true;
    this.#changed();
    try {
      const older = await listMessages(id, first.seq);
      if (this.openId === id) this.#setMessages(id, mergeMessages(older, this.messages), older.length >= PAGE_SIZE);
    } catch (error) {
      this.showNotice({ kind: 'error', text: describeError(error) });
    } finally {
      this.loadingOlder = false;
      this.#changed();
    }
  }

  /** Sends to the open conversation; a retry passes the failed message's client id so it is stored once. */
  async send(content: Omit<OutgoingMessage, 'clientMessageId'>, clientMessageId = newClientMessageId()): Promise<void> {
    const id = this.openId;
    if (!id) return;
    const outgoing: OutgoingMessage = { clientMessageId, ...content };
    const local = createLocalMessage(outgoing, id, 'agent');
    this.#mergeInto(id, [local]);
    try {
      this.#mergeInto(id, [await sendMessage(id, outgoing)]);
    } catch (error) {
      this.#mergeInto(id, [{ ...local, localState: 'failed', localError: describeError(error) }]);
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
      this.#refreshMeSoon();
      return true;
    } catch (error) {
      this.showNotice({ kind: 'error', text: describeError(error) });
      return false;
    }
  }

  /** Drops a suggestion once it was used, so the panel does not offer it twice. */
  dismissSuggestion(conversationId: string): void {
    this.suggestions.delete(conversationId);
    this.#changed();
  }

  async setStatus(status: AgentStatus): Promise<void> {
    try {
      this.user = (await updateMyStatus(status)) ?? this.user;
    } catch (error) {
      this.showNotice({ kind: 'error', text: describeError(error) });
    }
    this.#changed();
  }

  async #command(run: () => Promise<ConversationDto | null>): Promise<void> {
    try {
      const conversation = await run();
      if (conversation) this.#applyConversation(conversation);
      this.#refreshMeSoon();
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
          this.#changed();
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
    if (message.conversationId === this.openId || this.#cache.has(message.conversationId)) {
      this.#mergeInto(message.conversationId, [message]);
    }
    if (repeat) return this.#changed();
    if (message.sender === 'visitor') this.#alert(message.conversationId, 'notify.newMessage');
    if (message.sender === 'visitor' && message.conversationId === this.openId) {
      this.visitorTypingUntil = 0;
      if (!document.hidden) this.#markReadSoon(message.conversationId);
    }
    this.#changed();
  }

  /** `agent.updated` carries the agent's status and load; the header shows them for the signed-in user. */
  #applyEvent(name: string, payload: Record<string, unknown>): void {
    if (name === 'assist.suggested') {
      const suggestion = parseAssistPayload(payload);
      if (suggestion) {
        this.suggestions.set(suggestion.conversationId, suggestion);
        this.#changed();
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
    this.#changed();
  }

  /** The server keeps unread counts; tell it once a burst of messages in the open conversation settles. */
  #markReadSoon(id: string): void {
    clearTimeout(this.#readTimer);
    this.#readTimer = setTimeout(() => {
      conversations.markConversationRead(id).catch(() => undefined);
    }, 500);
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
    if (wasMine || conversation.assigneeId === this.user.id) this.#refreshMeSoon();
    this.#refreshCountsSoon();
    this.#changed();
  }

  /** A chime and a desktop notification while the tab is hidden, for the agent's own conversations. */
  #alert(conversationId: string, key: 'notify.newMessage' | 'notify.assigned', visitorName?: string): void {
    const row = this.rows.find((r) => r.id === conversationId);
    const mine = row ? row.assigneeId === this.user?.id : key === 'notify.assigned';
    if (!mine || !document.hidden) return;
    playChime();
    notifyDesktop(t('app.title'), t(key, { name: visitorName ?? row?.visitor.name ?? '' }), () => void this.select(conversationId));
  }

  /** The other tabs' counts move with assignments and closes; re-read them once a burst settles. */
  #refreshCountsSoon(): void {
    clearTimeout(this.#countsTimer);
    this.#countsTimer = setTimeout(async () => {
      const user = this.user;
      if (!user) return;
      const views = viewsFor(user.role);
      const lists = await Promise.all(views.map((view) => (view === this.view ? Promise.resolve(this.rows) : conversations.listConversations(view).catch(() => null))));
      const counts: Partial<Record<ConversationView, number>> = {};
      views.forEach((view, i) => {
        const list = lists[i];
        if (list) counts[view] = view === this.view ? this.rows.length : list.length;
      });
      this.counts = counts;
      this.#changed();
    }, 800);
  }

  #mergeInto(id: string, incoming: ChatMessage[]): void {
    const entry = this.#cache.get(id) ?? { messages: [], hasOlder: false };
    this.#setMessages(id, mergeMessages(entry.messages, incoming), entry.hasOlder);
  }

  #setMessages(id: string, messages: ChatMessage[], hasOlder: boolean): void {
    this.#cache.set(id, { messages, hasOlder });
    if (id === this.openId) {
      this.messages = messages;
      this.hasOlder = hasOlder;
    }
    this.#changed();
  }

  /** Load (activeCount) changes with assignments; re-read it once a burst of updates settles. */
  #refreshMeSoon(): void {
    clearTimeout(this.#meTimer);
    this.#meTimer = setTimeout(async () => {
      const me = await fetchMe().catch(() => null);
      if (me && this.user) {
        this.user = me;
        this.#changed();
      }
    }, 300);
  }

  async #resync(): Promise<void> {
    await this.loadRows();
    const id = this.openId;
    if (!id) return;
    try {
      const latest = await listMessages(id);
      if (this.openId === id) this.#mergeInto(id, latest);
    } catch (error) {
      this.showNotice({ kind: 'error', text: describeError(error) });
    }
  }
}
