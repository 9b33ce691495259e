import { t } from '../../i18n/i18n.ts';
import type { ConversationDto, UserDto } from '../../shared/protocol.ts';
import { mergeMessages, type ChatMessage } from '../../ui/message-merge.ts';
import type { SocketState } from '../../ui/resumable-socket.ts';
import { fetchMe } from '../data/auth.ts';
import * as conversations from '../data/conversations.ts';
import type { ConversationView } from '../data/conversations.ts';
import type { AssistSuggestion } from './assist.ts';
import { titleWithUnread } from './attention.ts';
import { viewsFor } from './conversation-views.ts';
import type { Notice } from './notice.ts';

/**
 * What the console shows and the plumbing under it: change events, the unread count in the title,
 * notices, the message cache per conversation and the debounced re-reads from the server.
 * `ConsoleStore` adds the session, the agent socket and the actions.
 */
export abstract class ConsoleState extends EventTarget {
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

  protected cache = new Map<string, { messages: ChatMessage[]; hasOlder: boolean }>();
  #noticeTimer: ReturnType<typeof setTimeout> | undefined;
  #meTimer: ReturnType<typeof setTimeout> | undefined;
  #readTimer: ReturnType<typeof setTimeout> | undefined;
  protected countsTimer: ReturnType<typeof setTimeout> | undefined;

  protected changed(): void {
    if (this.user) this.updateTitle();
    this.dispatchEvent(new Event('change'));
  }

  /** Unread messages across the agent's own conversations, shown in the title. */
  get unreadTotal(): number {
    return this.rows.reduce((sum, row) => sum + (row.assigneeId === this.user?.id && (row.id !== this.openId || document.hidden) ? row.unreadCount : 0), 0);
  }

  protected updateTitle(): void {
    document.title = titleWithUnread(t('app.title'), this.unreadTotal);
  }

  showNotice(notice: Notice): void {
    this.notice = notice;
    clearTimeout(this.#noticeTimer);
    this.#noticeTimer = setTimeout(() => {
      this.notice = null;
      this.changed();
    }, 5000);
    this.changed();
  }

  /** The server keeps unread counts; tell it once a burst of messages in the open conversation settles. */
  protected markReadSoon(id: string): void {
    clearTimeout(this.#readTimer);
    this.#readTimer = setTimeout(() => {
      conversations.markConversationRead(id).catch(() => undefined);
    }, 500);
  }

  /** The other tabs' counts move with assignments and closes; re-read them once a burst settles. */
  protected refreshCountsSoon(): void {
    clearTimeout(this.countsTimer);
    this.countsTimer = setTimeout(async () => {
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
      this.changed();
    }, 800);
  }

  protected mergeInto(id: string, incoming: ChatMessage[]): void {
    const entry = this.cache.get(id) ?? { messages: [], hasOlder: false };
    this.setMessages(id, mergeMessages(entry.messages, incoming), entry.hasOlder);
  }

  protected setMessages(id: string, messages: ChatMessage[], hasOlder: boolean): void {
    this.cache.set(id, { messages, hasOlder });
    if (id === this.openId) {
      this.messages = messages;
      this.hasOlder = hasOlder;
    }
    this.changed();
  }

  /** Load (activeCount) changes with assignments; re-read it once a burst of updates settles. */
  protected refreshMeSoon(): void {
    clearTimeout(this.#meTimer);
    this.#meTimer = setTimeout(async () => {
      const me = await fetchMe().catch(() => null);
      if (me && this.user) {
        this.user = me;
        this.changed();
      }
    }, 300);
  }
}
