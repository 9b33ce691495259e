import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { t } from '../../i18n/i18n.ts';
import type { ConversationDto } from '../../shared/protocol.ts';
import { conversationChannelKey } from '../../ui/format.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import { StoreController } from '../state/store-context.ts';
import './kf-composer.ts';
import './kf-image-viewer.ts';
import './kf-message-list.ts';
import './kf-transfer-dialog.ts';
import './kf-capture-dialog.ts';

/** 会话消息区: the open conversation's header and actions, its timeline and the input. */
@customElement('kf-message-pane')
export class KfMessagePane extends KfElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: flex; flex-direction: column; min-width: 0; }
      header {
        display: flex; align-items: center; gap: 10px; padding: 10px 20px; min-height: 52px;
        background: var(--kf-surface); border-bottom: 1px solid var(--kf-border);
      }
      h2 { margin: 0; font-size: 16px; font-weight: 600; }
      .meta { color: var(--kf-text-3); font-size: 12px; }
      .spacer { flex: 1; }
      kf-message-list { flex: 1; min-height: 0; }
      .typing { padding: 2px 20px 6px; font-size: 12px; color: var(--kf-text-3); }
      .note { padding: 16px 20px; text-align: center; color: var(--kf-text-3); background: var(--kf-surface); border-top: 1px solid var(--kf-border); }
      .empty { margin: auto; color: var(--kf-text-3); }
      button.danger:hover:not(:disabled) { color: var(--kf-danger); border-color: var(--kf-danger); }
    `,
  ];

  #store = new StoreController(this);
  @state() private viewing: string | null = null;
  @state() private busy = false;
  @state() private dialog: 'transfer' | 'assign' | 'capture' | null = null;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;

  async #act(run: () => Promise<void>): Promise<void> {
    this.busy = true;
    try {
      await run();
    } finally {
      this.busy = false;
    }
  }

  override updated(): void {
    // The typing hint expires without any frame arriving, so schedule the re-render that hides it.
    const until = this.#store.store?.visitorTypingUntil ?? 0;
    clearTimeout(this.#typingTimer);
    if (until > Date.now()) this.#typingTimer = setTimeout(() => this.requestUpdate(), until - Date.now() + 50);
  }

  override render() {
    const store = this.#store.store;
    const conversation = store?.open;
    if (!store || !conversation) return html`<div class="empty">${t('conv.select')}</div>`;
    const mine = conversation.status === 'assigned' && conversation.assigneeId === store.user?.id;
    return html`
      ${this.#renderHeader(conversation, mine)}
      <kf-message-list
        .messages=${store.messages}
        .hasOlder=${store.hasOlder}
        .loadingOlder=${store.loadingOlder}
        .conversationId=${conversation.id}
        @kf-load-older=${() => store.loadOlder()}
        @kf-view-image=${(e: CustomEvent<string>) => (this.viewing = e.detail)}
        @kf-retry=${(e: CustomEvent) => store.retry(e.detail)}
      ></kf-message-list>
      ${store.visitorTypingUntil > Date.now() ? html`<div class="typing">${t('conv.typing')}</div>` : nothing}
      ${mine
        ? html`<kf-composer .conversationId=${conversation.id}></kf-composer>`
        : conversation.status === 'assigned'
          ? html`<div class="note">${t('conv.notYours')}</div>`
          : nothing}
      ${this.#renderDialog(conversation)}
      ${this.viewing
        ? html`<kf-image-viewer .src=${this.viewing} @kf-close=${() => (this.viewing = null)}></kf-image-viewer>`
        : nothing}
    `;
  }

  #renderHeader(conversation: ConversationDto, mine: boolean) {
    const store = this.#store.store!;
    return html`
      <header>
        <h2>${conversation.visitor.name}</h2>
        <span class="meta">${t(conversationChannelKey(conversation))} · ${t(`conv.status.${conversation.status}`)}</span>
        ${conversation.assigneeName && !mine
          ? html`<span class="meta">${t('conv.assignee', { name: conversation.assigneeName })}</span>`
          : nothing}
        <span class="spacer"></span>
        ${conversation.status !== 'closed' && this.#store.store!.messages.length
          ? html`<button @click=${() => (this.dialog = 'capture')}>${t('tools.capture')}</button>`
          : nothing}
        ${conversation.status === 'assigned' && (mine || store.user?.role === 'admin')
          ? html`<button @click=${() => (this.dialog = 'transfer')}>${t('tools.transfer')}</button>`
          : nothing}
        ${conversation.status === 'queued' && store.user?.role === 'admin'
          ? html`<button @click=${() => (this.dialog = 'assign')}>${t('tools.assign')}</button>`
          : nothing}
        ${conversation.status === 'queued'
          ? html`<button class="primary" ?disabled=${this.busy} @click=${() => this.#act(() => store.pick(conversation.id))}>
              ${t('conv.pick')}
            </button>`
          : nothing}
        ${conversation.status !== 'closed' && (mine || store.user?.role === 'admin')
          ? html`<button class="danger" ?disabled=${this.busy} @click=${() => this.#close(conversation.id)}>
              ${t('conv.close')}
            </button>`
          : nothing}
      </header>
    `;
  }

  #renderDialog(conversation: ConversationDto) {
    const close = () => (this.dialog = null);
    if (this.dialog === 'capture') {
      return html`<kf-capture-dialog .conversationId=${conversation.id} .messages=${this.#store.store?.messages ?? []} @kf-close=${close}></kf-capture-dialog>`;
    }
    if (this.dialog === 'transfer' || this.dialog === 'assign') {
      return html`<kf-transfer-dialog
        .conversationId=${conversation.id}
        .assigneeId=${conversation.assigneeId}
        ?assign=${this.dialog === 'assign'}
        @kf-close=${close}
      ></kf-transfer-dialog>`;
    }
    return nothing;
  }

  #close(id: string): void {
    if (confirm(t('conv.closeConfirm'))) void this.#act(() => this.#store.store!.close(id));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-message-pane': KfMessagePane;
  }
}
