import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { t } from '../../i18n/i18n.ts';
import type { ConversationDto } from '../../shared/protocol.ts';
import { conversationChannelKey, formatClock, waitingParts } from '../../ui/format.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import type { ConversationView } from '../data/conversations.ts';
import { viewsFor } from '../state/conversation-views.ts';
import { StoreController } from '../state/store-context.ts';

/** The tabs of the role and the rows of the current tab, updated live from the store. */
@customElement('kf-conversation-list')
export class KfConversationList extends KfElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: flex; flex-direction: column; }
      [role='tablist'] { display: flex; border-bottom: 1px solid var(--kf-border); padding: 0 8px; }
      [role='tab'] {
        flex: 1; border: none; border-radius: 0; background: none; padding: 12px 4px;
        color: var(--kf-text-2); border-bottom: 2px solid transparent;
      }
      [role='tab'][aria-selected='true'] { color: var(--kf-primary); border-bottom-color: var(--kf-primary); font-weight: 600; }
      ul { list-style: none; margin: 0; padding: 0; overflow-y: auto; flex: 1; }
      li { padding: 12px 14px; cursor: pointer; border-bottom: 1px solid var(--kf-hover); display: grid; gap: 4px; }
      li:hover { background: var(--kf-hover); }
      li[aria-selected='true'] { background: var(--kf-primary-soft); }
      .line { display: flex; align-items: center; gap: 8px; min-width: 0; }
      .name { font-weight: 500; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .channel { font-size: 11px; color: var(--kf-text-2); border: 1px solid var(--kf-border); border-radius: 4px; padding: 0 4px; white-space: nowrap; }
      .time { margin-left: auto; font-size: 12px; color: var(--kf-text-3); white-space: nowrap; }
      .preview { flex: 1; color: var(--kf-text-2); font-size: 13px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .badge { min-width: 18px; height: 18px; padding: 0 5px; border-radius: 9px; background: var(--kf-danger); color: #fff; font-size: 11px; line-height: 18px; text-align: center; }
      .waiting { font-size: 12px; color: var(--kf-warning); }
      .count { font-size: 12px; color: var(--kf-text-3); font-weight: 400; }
      .empty { padding: 32px; text-align: center; color: var(--kf-text-3); }
    `,
  ];

  #store = new StoreController(this);
  /** Re-renders waiting times and clock labels as time passes. */
  @state() private now = new Date();
  #tick: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#tick = setInterval(() => (this.now = new Date()), 30_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#tick);
  }

  override render() {
    const store = this.#store.store;
    if (!store?.user) return nothing;
    return html`
      <div role="tablist">
        ${viewsFor(store.user.role).map(
          (view) => html`<button role="tab" aria-selected=${store.view === view} @click=${() => store.setView(view)}>
            ${t(`view.${view}`)}${this.#count(view)}
          </button>`,
        )}
      </div>
      <ul role="listbox" aria-label=${t(`view.${store.view}`)}>
        ${repeat(store.rows, (row) => row.id, (row) => this.#renderRow(row, row.id === store.openId))}
      </ul>
      ${store.rows.length === 0
        ? html`<div class="empty">${store.rowsLoading ? t('list.loading') : t('list.empty')}</div>`
        : nothing}
    `;
  }

  #count(view: ConversationView) {
    const store = this.#store.store!;
    const n = view === store.view ? store.rows.length : store.counts[view];
    return n === undefined ? nothing : html` <span class="count">${n}</span>`;
  }

  #renderRow(row: ConversationDto, selected: boolean) {
    const waiting = row.status === 'queued' ? waitingParts(row.queuedAt ?? row.createdAt, this.now) : null;
    return html`
      <li role="option" aria-selected=${selected} data-id=${row.id} @click=${() => this.#store.store?.select(row.id)}>
        <div class="line">
          <span class="name">${row.visitor.name}</span>
          <span class="channel">${t(conversationChannelKey(row))}</span>
          <span class="time">${formatClock(row.lastMessageAt ?? row.createdAt, this.now)}</span>
        </div>
        <div class="line">
          <span class="preview">${row.lastMessagePreview ?? ''}</span>
          ${row.unreadCount > 0 && !selected ? html`<span class="badge">${row.unreadCount > 99 ? '99+' : row.unreadCount}</span>` : nothing}
        </div>
        ${waiting ? html`<span class="waiting">${t('list.waiting', { time: t(waiting.key, waiting.params) })}</span>` : nothing}
      </li>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-conversation-list': KfConversationList;
  }
}
