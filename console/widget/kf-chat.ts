import { html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { t } from '../i18n/i18n.ts';
import { ApiError } from '../ui/http.ts';
import { KfElement } from '../ui/kf-element.ts';
import { IMAGE_MIME_TYPES, isAcceptableImage, MAX_MESSAGE_CHARS } from '../ui/limits.ts';
import { baseStyles } from '../ui/theme.ts';
import type { ChatSession } from './chat-session.ts';
import { chatStyles } from './chat-styles.ts';
import { renderChatMessage } from './kf-chat-message.ts';

/** The visitor chat panel: status line, history, 转人工, and the input with image upload and paste. */
@customElement('kf-chat')
export class KfChat extends KfElement {
  static override styles = [baseStyles, chatStyles];

  @property({ attribute: false }) session!: ChatSession;
  @property({ attribute: false }) resolve: (url: string) => string = (url) => url;
  @property({ type: Boolean }) closable = false;
  @state() private text = '';
  @state() private notice = '';
  @state() private viewing: string | null = null;
  @query('.scroller') private scroller?: HTMLElement;
  @query('input[type=file]') private picker!: HTMLInputElement;
  #onChange = () => this.requestUpdate();
  #atBottom = true;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('session')) {
      changed.get('session')?.removeEventListener('change', this.#onChange);
      this.session.addEventListener('change', this.#onChange);
    }
    const el = this.scroller;
    this.#atBottom = !el || el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  }

  protected override updated(): void {
    if (this.#atBottom && this.scroller) this.scroller.scrollTop = this.scroller.scrollHeight;
    // The typing hint expires without any frame arriving, so schedule the re-render that hides it.
    const left = (this.session?.agentTypingUntil ?? 0) - Date.now();
    clearTimeout(this.#typingTimer);
    if (left > 0) this.#typingTimer = setTimeout(() => this.requestUpdate(), left + 50);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.session?.removeEventListener('change', this.#onChange);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.session?.addEventListener('change', this.#onChange);
  }

  #statusLine(): string {
    const c = this.session.conversation;
    if (!c) return this.session.settings?.greeting ? '' : t('widget.status.bot');
    if (c.status === 'queued') {
      return c.queuePosition ? t('widget.status.queuePosition', { n: c.queuePosition }) : t('widget.status.queued');
    }
    if (c.status === 'assigned') {
      return c.assigneeName ? t('widget.status.assigned', { name: c.assigneeName }) : t('widget.status.assignedNoName');
    }
    return t(c.status === 'closed' ? 'widget.status.closed' : 'widget.status.bot');
  }

  #submit(event?: Event): void {
    event?.preventDefault();
    const text = this.text.trim();
    if (!text) return;
    if (text.length > MAX_MESSAGE_CHARS) {
      this.notice = t('composer.tooLong', { n: MAX_MESSAGE_CHARS });
      return;
    }
    this.text = '';
    this.notice = '';
    this.#atBottom = true;
    this.session.send({ kind: 'text', text });
  }

  async #sendImage(file: Blob | null | undefined): Promise<void> {
    if (!file) return;
    if (!isAcceptableImage(file)) {
      this.notice = t('composer.badImage');
      return;
    }
    this.notice = t('composer.uploading');
    try {
      await this.session.sendImage(file);
      this.notice = '';
    } catch (error) {
      this.notice = error instanceof ApiError && error.status !== 0 ? error.message : t('msg.networkError');
    }
  }

  #onPaste(event: ClipboardEvent): void {
    const item = [...(event.clipboardData?.items ?? [])].find((it) => it.kind === 'file' && it.type.startsWith('image/'));
    if (!item) return;
    event.preventDefault();
    void this.#sendImage(item.getAsFile());
  }

  override render() {
    const s = this.session;
    const conversation = s.conversation;
    const canHandoff = s.settings?.handoffButton && (!conversation || conversation.status === 'bot' || conversation.status === 'closed');
    return html`
      <header>
        <div class="titles">
          <h2>${s.settings?.title || t('widget.title')}</h2>
          <div class="status" role="status">${this.#statusLine()}</div>
        </div>
        ${this.closable
          ? html`<button aria-label=${t('widget.close')} @click=${() => this.dispatchEvent(new Event('kf-close'))}>&minus;</button>`
          : nothing}
      </header>
      ${s.phase === 'ready' ? this.#renderChat(Boolean(canHandoff)) : this.#renderPhase()}
      ${this.viewing
        ? html`<div class="viewer" @click=${() => (this.viewing = null)}><img src=${this.viewing} alt="" /></div>`
        : nothing}
    `;
  }

  #renderPhase() {
    if (this.session.phase === 'failed') {
      return html`<button class="center-box link" @click=${() => this.session.start()}>${t('widget.startFailed')}</button>`;
    }
    return html`<div class="center-box">${t('widget.loading')}</div>`;
  }

  #renderChat(canHandoff: boolean) {
    const s = this.session;
    return html`
      <div class="scroller">
        ${s.settings?.greeting ? html`<div class="row"><div class="bubble">${s.settings.greeting}</div></div>` : nothing}
        ${repeat(
          s.timeline,
          (m) => m.clientMessageId ?? m.id,
          (m) => renderChatMessage(m, this.resolve, (url) => (this.viewing = url), (id) => s.discard(id)),
        )}
      </div>
      ${s.agentTypingUntil > Date.now() ? html`<div class="hint">${t('conv.typing')}</div>` : nothing}
      ${s.connection !== 'open' ? html`<div class="hint offline">${t('widget.offline')}</div>` : nothing}
      ${this.notice ? html`<div class="hint">${this.notice}</div>` : nothing}
      ${canHandoff
        ? html`<div class="actions"><button @click=${() => s.requestHandoff().catch(() => (this.notice = t('error.generic')))}>
            ${t('widget.handoff')}
          </button></div>`
        : nothing}
      <form @submit=${this.#submit}>
        <button type="button" class="icon" aria-label=${t('widget.image')} @click=${() => this.picker.click()}>
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><rect x="3" y="4" width="18" height="16" rx="2"></rect><circle cx="9" cy="10" r="2"></circle><path d="M21 17l-5-5-8 8"></path></svg>
        </button>
        <input type="file" accept=${IMAGE_MIME_TYPES.join(',')} @change=${() => {
          void this.#sendImage(this.picker.files?.[0]);
          this.picker.value = '';
        }} />
        <textarea
          rows="1"
          .value=${this.text}
          placeholder=${t('widget.placeholder')}
          aria-label=${t('widget.placeholder')}
          @input=${(e: Event) => {
            this.text = (e.target as HTMLTextAreaElement).value;
            s.notifyTyping();
          }}
          @keydown=${(e: KeyboardEvent) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) this.#submit(e);
          }}
          @paste=${this.#onPaste}
        ></textarea>
        <button type="submit" class="primary icon" ?disabled=${!this.text.trim()}>${t('widget.send')}</button>
      </form>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-chat': KfChat;
  }
}
