import { css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { t } from '../../i18n/i18n.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { isAcceptableImage, MAX_MESSAGE_CHARS } from '../../ui/limits.ts';
import { baseStyles } from '../../ui/theme.ts';
import { uploadImage } from '../data/uploads.ts';
import { describeError } from '../state/console-store.ts';
import { loadDraft, saveDraft } from '../state/drafts.ts';
import { StoreController } from '../state/store-context.ts';

/**
 * The input: Enter sends, Shift+Enter breaks the line; images come from the picker or a clipboard
 * paste; the draft of each conversation is kept across switches and reloads.
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
    `,
  ];

  @property() conversationId = '';
  @state() private text = '';
  @state() private uploading = false;
  @state() private error = '';
  @query('textarea') private textarea!: HTMLTextAreaElement;
  @query('input[type=file]') private picker!: HTMLInputElement;
  #store = new StoreController(this);

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
  }

  #onKeyDown(event: KeyboardEvent): void {
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
