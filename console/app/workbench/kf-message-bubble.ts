import { css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { t } from '../../i18n/i18n.ts';
import { formatClock } from '../../ui/format.ts';
import { KfElement } from '../../ui/kf-element.ts';
import type { ChatMessage } from '../../ui/message-merge.ts';
import { baseStyles } from '../../ui/theme.ts';

/**
 * One timeline entry: a visitor, bot or agent bubble, or a centred system line. Agent messages show
 * their delivery state; a failed one offers a retry (`kf-retry` with the message). Clicking an image
 * fires `kf-view-image` with its URL.
 */
@customElement('kf-message-bubble')
export class KfMessageBubble extends KfElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: flex; flex-direction: column; align-items: flex-start; gap: 4px; }
      :host([side='right']) { align-items: flex-end; }
      :host([side='center']) { align-items: center; }
      .who { font-size: 12px; color: var(--kf-text-3); }
      .bubble {
        max-width: min(560px, 80%); padding: 8px 12px; border-radius: var(--kf-radius); white-space: pre-wrap;
        word-break: break-word; background: var(--kf-bubble-visitor); border: 1px solid var(--kf-border);
      }
      .bubble.agent { background: var(--kf-bubble-agent); border-color: transparent; }
      .bubble.bot { background: var(--kf-bubble-bot); border-color: transparent; }
      .bubble.image { padding: 4px; background: var(--kf-surface); }
      img { display: block; max-width: 240px; max-height: 240px; border-radius: 4px; cursor: zoom-in; }
      .system { font-size: 12px; color: var(--kf-text-3); background: var(--kf-hover); padding: 3px 10px; border-radius: 10px; }
      .menu { margin: 6px 0 0; padding-left: 18px; }
      .state { font-size: 12px; color: var(--kf-text-3); display: flex; gap: 6px; align-items: center; }
      .state.failed { color: var(--kf-danger); }
    `,
  ];

  @property({ attribute: false }) message!: ChatMessage;
  @property({ reflect: true }) side: 'left' | 'right' | 'center' = 'left';

  protected override willUpdate(): void {
    const { sender, kind } = this.message;
    this.side = sender === 'system' || kind === 'event' ? 'center' : sender === 'agent' ? 'right' : 'left';
  }

  override render() {
    const m = this.message;
    if (this.side === 'center') {
      return html`<span class="system">${m.text ?? String(m.data?.['name'] ?? '')} · ${formatClock(m.createdAt)}</span>`;
    }
    const who = m.senderName ?? t(`sender.${m.sender}`);
    return html`
      <span class="who">${who} · ${formatClock(m.createdAt)}</span>
      <div class="bubble ${m.sender} ${m.kind === 'image' ? 'image' : ''}">${this.#renderBody()}</div>
      ${m.sender === 'agent' ? this.#renderState() : nothing}
    `;
  }

  #renderBody() {
    const m = this.message;
    if (m.kind === 'image' && m.mediaUrl) {
      const url = m.mediaUrl;
      return html`<img src=${url} alt=${t('msg.image')} loading="lazy" @click=${() => this.#emit('kf-view-image', url)} />`;
    }
    if (m.kind === 'unsupported') return t('msg.unsupported');
    if (m.kind === 'menu') {
      const items = (m.data?.['items'] as { id: string; text: string }[] | undefined) ?? [];
      return html`${m.text ?? ''}<ol class="menu">${items.map((item) => html`<li>${item.text}</li>`)}</ol>`;
    }
    return m.text ?? '';
  }

  #renderState() {
    const m = this.message;
    if (m.localState === 'sending') return html`<span class="state">${t('msg.sending')}</span>`;
    const failed = m.localState === 'failed' || m.deliveryStatus === 'failed';
    if (failed) {
      const reason = m.localError ?? m.failureReason;
      return html`<span class="state failed">
        ${t('msg.failed')}${reason ? html`: ${reason}` : nothing}
        <button class="link" @click=${() => this.#emit('kf-retry', m)}>${t('msg.retry')}</button>
      </span>`;
    }
    const key = m.deliveryStatus === 'pending' ? 'msg.sending' : m.deliveryStatus === 'delivered' ? 'msg.delivered' : 'msg.sent';
    return html`<span class="state">${t(key)}</span>`;
  }

  #emit(name: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-message-bubble': KfMessageBubble;
  }
}
