import { css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { t } from '../../i18n/i18n.ts';
import type { ChatMessage } from '../../ui/message-merge.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import './kf-message-bubble.ts';

/**
 * The scrolling timeline. Sticks to the bottom while the agent is there, keeps the reading position
 * when older pages are prepended, and asks for older messages (`kf-load-older`) near the top.
 */
@customElement('kf-message-list')
export class KfMessageList extends KfElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: block; position: relative; }
      .scroller { position: absolute; inset: 0; overflow-y: auto; padding: 16px 20px; display: flex; flex-direction: column; gap: 12px; }
      .older { align-self: center; font-size: 12px; color: var(--kf-text-3); }
    `,
  ];

  @property({ attribute: false }) messages: ChatMessage[] = [];
  @property({ attribute: false }) conversationId = '';
  @property({ type: Boolean }) hasOlder = false;
  @property({ type: Boolean }) loadingOlder = false;
  @query('.scroller') private scroller!: HTMLElement;

  #stickToBottom = true;
  #anchor: { height: number; top: number; firstId: string | undefined } | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('conversationId')) this.#stickToBottom = true;
    const el = this.scroller;
    if (el && changed.has('messages')) {
      this.#anchor = { height: el.scrollHeight, top: el.scrollTop, firstId: changed.get('messages')?.[0]?.id };
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    const el = this.scroller;
    if (!el) return;
    const anchor = this.#anchor;
    this.#anchor = null;
    if (this.#stickToBottom) {
      el.scrollTop = el.scrollHeight;
    } else if (anchor && changed.has('messages') && anchor.firstId && this.messages[0]?.id !== anchor.firstId) {
      // Older messages went in above: keep the same message under the reader's eyes.
      el.scrollTop = anchor.top + (el.scrollHeight - anchor.height);
    }
  }

  #onScroll(): void {
    const el = this.scroller;
    this.#stickToBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 60 && this.hasOlder && !this.loadingOlder) {
      this.dispatchEvent(new Event('kf-load-older'));
    }
  }

  override render() {
    return html`
      <div class="scroller" @scroll=${this.#onScroll}>
        ${this.hasOlder
          ? html`<button class="link older" ?disabled=${this.loadingOlder} @click=${() => this.dispatchEvent(new Event('kf-load-older'))}>
              ${this.loadingOlder ? t('list.loading') : t('conv.loadOlder')}
            </button>`
          : this.messages.length > 0
            ? html`<span class="older">${t('conv.noOlder')}</span>`
            : nothing}
        ${repeat(
          this.messages,
          (message) => message.clientMessageId ?? message.id,
          (message) => html`<kf-message-bubble .message=${message}></kf-message-bubble>`,
        )}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-message-list': KfMessageList;
  }
}
