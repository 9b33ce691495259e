import { css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { t } from '../../i18n/i18n.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { isAcceptableImage, MAX_MESSAGE_CHARS } from '../../ui/limits.ts';
import { baseStyles } from '../../ui/theme.ts';
import { searchQuickReplies, type QuickReply } from '../data/quick-replies.ts';
import { uploadImage } from '../data/uploads.ts';
import { COMPOSE_EVENT, type ComposeRequest } from '../state/compose-bus.ts';
import { describeError } from '../state/console-store.ts';
import { loadDraft, saveDraft } from '../state/drafts.ts';
import { StoreController } from '../state/store-context.ts';

/**
 * The input: Enter sends, Shift+Enter breaks the line; images come from the picker or a clipboard
 * paste; the draft of each conversation is kept across switches and reloads. Typing `/keyword` searches
 * the quick replies inline (↑/↓, Enter or click picks one); other panels insert text through the compose bus.
 */
@customElement('kf-composer')
export class KfComposer extends KfElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: flex; flex-direction: column; background: var(--kf-surface); border-top: 1px solid var(--kf-border); }
      .tools { display: flex; gap: 8px; align-items: center; padding: 6px 12px 0; }
      .tools .hint { font-size: 12px; color: var(--kf-text-3); }
      .tools .error { font-size: 12px; color: var(--kf-danger); }
      textarea { border: none; resize: none; height: 96px; padding: 8px 16px; }
      .actions { display: flex; justify-content: flex-end; padding: 0 12px 10px; }
      input[type='file'] { display: none; }
      :host { position: relative; }
      .slash {
        position: absolute; left: 12px; right: 12px; bottom: 100%; margin: 0 0 4px; padding: 4px; list-style: none;
        background: var(--kf-surface); border: 1px solid var(--kf-border); border-radius: var(--kf-radius);
        box-shadow: var(--kf-shadow); max-height: 240px; overflow-y: auto; z-index: 5;
      }
      .slash li { padding: 6px 8px; border-radius: 4px; cursor: pointer; display: flex; gap: 8px; font-size: 13px; }
      .slash li[aria-selected='true'] { background: var(--kf-primary-soft); }
      .slash .kw { color: var(--kf-primary); white-space: nowrap; }
      .slash .content { color: var(--kf-text-2); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    `,
  ];

  @property() conversationId = '';
  @state() private text = '';
  @state() private uploading = false;
  @state() private error = '';
  @state() private slashItems: QuickReply[] = [];
  @state() private slashActive = 0;
  #slashGeneration = 0;
  #onCompose = (event: Event) => this.#compose((event as CustomEvent<ComposeRequest>).detail);
  @query('textarea') private textarea!: HTMLTextAreaElement;
  @query('input[type=file]') private picker!: HTMLInputElement;
  #store = new StoreController(this);

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener(COMPOSE_EVENT, this.#onCompose);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener(COMPOSE_EVENT, this.#onCompose);
  }

  #setText(text: string): void {
    this.text = text;
    saveDraft(localStorage, this.conversationId, text);
  }

  #compose(request: ComposeRequest): void {
    if (request.send) {
      void this.#store.store?.send({ kind: 'text', text: request.text });
      return;
    }
    const area = this.textarea;
    if (request.replace || !area) {
      this.#setText(request.text);
    } else {
      const start = area.selectionStart ?? this.text.length;
      const end = area.selectionEnd ?? start;
      this.#setText(this.text.slice(0, start) + request.text + this.text.slice(end));
    }
    this.slashItems = [];
    void this.updateComplete.then(() => this.textarea?.focus());
  }

  /** `/keyword` alone in the input searches both quick reply libraries. */
  async #searchSlash(): Promise<void> {
    const match = /^\/(\S{0,40})$/.exec(this.text);
    const generation = ++this.#slashGeneration;
    if (!match) {
      this.slashItems = [];
      return;
    }
    // Narrow what is shown at once, so Enter never picks a row the new keyword no longer matches.
    const q = match[1]!;
    this.slashItems = this.slashItems.filter((item) => item.keyword.includes(q) || item.content.includes(q));
    this.slashActive = 0;
    const items = await searchQuickReplies(q).catch(() => []);
    if (generation !== this.#slashGeneration) return;
    this.slashItems = items.slice(0, 8);
    this.slashActive = 0;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('conversationId')) {
      this.text = loadDraft(localStorage, this.conversationId);
      this.error = '';
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('conversationId')) this.textarea?.focus();
  }

  #onInput(event: Event): void {
    this.text = (event.target as HTMLTextAreaElement).value;
    saveDraft(localStorage, this.conversationId, this.text);
    this.#store.store?.notifyTyping();
    void this.#searchSlash();
  }

  #onKeyDown(event: KeyboardEvent): void {
    if (this.slashItems.length) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        this.slashActive = (this.slashActive + step + this.slashItems.length) % this.slashItems.length;
        return;
      }
      if (event.key === 'Enter' && !event.isComposing) {
        event.preventDefault();
        this.#compose({ text: this.slashItems[this.slashActive]!.content, replace: true });
        return;
      }
      if (event.key === 'Escape') {
        this.slashItems = [];
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.#sendText();
    }
  }

  #sendText(): void {
    const text = this.text.trim();
    if (!text) return;
    if (text.length > MAX_MESSAGE_CHARS) {
      this.error = t('composer.tooLong', { n: MAX_MESSAGE_CHARS });
      return;
    }
    this.text = '';
    this.error = '';
    saveDraft(localStorage, this.conversationId, '');
    void this.#store.store?.send({ kind: 'text', text });
  }

  async #sendImage(file: Blob): Promise<void> {
    if (!isAcceptableImage(file)) {
      this.error = t('composer.badImage');
      return;
    }
    this.uploading = true;
    this.error = '';
    try {
      const uploaded = await uploadImage(file);
      await this.#store.store?.send({ kind: 'image', mediaUrl: uploaded.url });
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.uploading = false;
    }
  }

  #onPaste(event: ClipboardEvent): void {
    const file = [...(event.clipboardData?.items ?? [])].find((item) => item.kind === 'file' && item.type.startsWith('image/'))?.getAsFile();
    if (!file) return;
    event.preventDefault();
    void this.#sendImage(file);
  }

  #onPick(): void {
    const file = this.picker.files?.[0];
    this.picker.value = '';
    if (file) void this.#sendImage(file);
  }

  override render() {
    return html`
      <div class="tools">
        <button class="link" title=${t('composer.image')} ?disabled=${this.uploading} @click=${() => this.picker.click()}>
          ${t('composer.image')}
        </button>
        <input type="file" accept="image/png,image/jpeg,image/gif,image/webp" @change=${this.#onPick} />
        ${this.uploading ? html`<span class="hint">${t('composer.uploading')}</span>` : nothing}
        ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}
      </div>
      ${this.slashItems.length
        ? html`<ul class="slash" role="listbox" aria-label=${t('ext.quickReplies')}>
            ${this.slashItems.map(
              (item, i) => html`<li role="option" aria-selected=${i === this.slashActive} @mousedown=${(e: Event) => e.preventDefault()} @click=${() => this.#compose({ text: item.content, replace: true })}>
                <span class="kw">/${item.keyword}</span><span class="content">${item.content}</span>
              </li>`,
            )}
          </ul>`
        : nothing}
      <textarea
        .value=${this.text}
        placeholder=${t('composer.placeholder')}
        aria-label=${t('composer.placeholder')}
        @input=${this.#onInput}
        @keydown=${this.#onKeyDown}
        @paste=${this.#onPaste}
      ></textarea>
      <div class="actions">
        <button class="primary" ?disabled=${!this.text.trim()} @click=${() => this.#sendText()}>${t('composer.send')}</button>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-composer': KfComposer;
  }
}
