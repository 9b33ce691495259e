import { html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { baseStyles } from '../ui/theme.ts';
import { KfElement } from '../ui/kf-element.ts';
import { at } from './admin-strings.ts';
import { pageStyles } from './admin-styles.ts';
import { api, download, errorText } from './data/admin-api.ts';

interface WordSettings {
  words: string[];
  maskChar: string;
  keepOriginal: boolean;
  count: number;
}

/** 敏感词 (shown inside 会话设置): the list editor with import, export, mask character and retention. */
@customElement('kf-sensitive-words-page')
export class KfSensitiveWordsPage extends KfElement {
  static override styles = [baseStyles, pageStyles];

  @state() private text = '';
  @state() private maskChar = '*';
  @state() private keepOriginal = false;
  @state() private count = 0;
  @state() private message: { error: boolean; text: string } | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#run(async () => this.#show(await api.get<WordSettings>('/api/sensitive-words')), false);
  }

  #show(s: WordSettings): void {
    this.text = s.words.join('\n');
    this.maskChar = s.maskChar;
    this.keepOriginal = s.keepOriginal;
    this.count = s.count;
  }

  async #run(fn: () => Promise<void>, announce = true): Promise<void> {
    this.message = null;
    try {
      await fn();
      if (announce) this.message = { error: false, text: at('common.saved') };
    } catch (error) {
      this.message = { error: true, text: errorText(error) };
    }
  }

  #save = () =>
    this.#run(async () => {
      // Large lists go as a text import (no JSON size limit); options go with PUT.
      this.#show(await api.postText<WordSettings>('/api/sensitive-words/import?mode=replace', this.text));
      this.#show(await api.put<WordSettings>('/api/sensitive-words', { maskChar: this.maskChar, keepOriginal: this.keepOriginal }));
    });

  async #import(event: Event, mode: 'append' | 'replace'): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    const text = await file.text();
    await this.#run(async () => this.#show(await api.postText<WordSettings>(`/api/sensitive-words/import?mode=${mode}`, text)));
  }

  override render() {
    return html`
      <section>
        <h3>${at('words.title')}</h3>
        <p class="muted">${at('words.hint')} ${at('words.count', { n: this.count })}</p>
        <textarea rows="16" .value=${this.text} @input=${(e: Event) => (this.text = (e.target as HTMLTextAreaElement).value)}></textarea>
        <div class="bar">
          <label>${at('words.maskChar')} <input size="2" maxlength="2" .value=${this.maskChar} @input=${(e: Event) => (this.maskChar = (e.target as HTMLInputElement).value)} /></label>
          <label><input type="checkbox" .checked=${this.keepOriginal} @change=${(e: Event) => (this.keepOriginal = (e.target as HTMLInputElement).checked)} /> ${at('words.keepOriginal')}</label>
        </div>
        <div class="bar">
          <button class="primary" @click=${this.#save}>${at('common.save')}</button>
          <label>${at('words.importAppend')} <input type="file" accept=".txt,text/plain" @change=${(e: Event) => this.#import(e, 'append')} /></label>
          <label>${at('words.importReplace')} <input type="file" accept=".txt,text/plain" @change=${(e: Event) => this.#import(e, 'replace')} /></label>
          <button @click=${() => download('/api/sensitive-words/export')}>${at('common.export')}</button>
        </div>
        ${this.message ? html`<p class=${this.message.error ? 'error' : 'muted'}>${this.message.text}</p>` : null}
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-sensitive-words-page': KfSensitiveWordsPage;
  }
}
