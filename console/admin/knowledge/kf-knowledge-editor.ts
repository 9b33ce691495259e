import { css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { baseStyles } from '../../ui/theme.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { pageStyles } from '../admin-styles.ts';
import { api, errorText } from '../data/admin-api.ts';
import { kt } from './knowledge-strings.ts';

/** A knowledge item as GET /api/knowledge returns it. */
export interface KnowledgeItemDto {
  id: string;
  question: string;
  phrasings: string[];
  answer: string;
  answerImageUrl: string | null;
  category: string | null;
  enabled: boolean;
  source: 'written' | 'imported' | 'captured';
  sourceConversationId: string | null;
  pendingPhrasings: string[];
}

/** Form for one item (new when `item` is null); fires `saved` or `cancel`. */
@customElement('kf-knowledge-editor')
export class KfKnowledgeEditor extends KfElement {
  static override styles = [
    baseStyles,
    pageStyles,
    css`
      :host { padding: 0; margin-bottom: 12px; }
      label { display: block; margin-bottom: 8px; }
      input[type='text'] { width: 100%; box-sizing: border-box; }
    `,
  ];

  @property({ attribute: false }) item: KnowledgeItemDto | null = null;
  @state() private error = '';

  #value(name: string): string {
    return (this.renderRoot.querySelector(`[name=${name}]`) as HTMLInputElement | HTMLTextAreaElement).value;
  }

  #save = async () => {
    const body = {
      question: this.#value('question'),
      phrasings: this.#value('phrasings').split('\n').map((p) => p.trim()).filter(Boolean),
      answer: this.#value('answer'),
      answerImageUrl: this.#value('image').trim() || null,
      category: this.#value('category').trim() || null,
      enabled: (this.renderRoot.querySelector('[name=enabled]') as HTMLInputElement).checked,
    };
    try {
      if (this.item) await api.patch(`/api/knowledge/${this.item.id}`, body);
      else await api.post('/api/knowledge', body);
      this.dispatchEvent(new CustomEvent('saved', { bubbles: true, composed: true }));
    } catch (error) {
      this.error = errorText(error);
    }
  };

  override render() {
    const item = this.item;
    return html`
      <section>
        <label>${kt('question')} <input type="text" name="question" maxlength="200" .value=${item?.question ?? ''} /></label>
        <label>${kt('phrasings')} <textarea name="phrasings" rows="3" .value=${item?.phrasings.join('\n') ?? ''}></textarea></label>
        <label>${kt('answer')} <textarea name="answer" rows="4" maxlength="5000" .value=${item?.answer ?? ''}></textarea></label>
        <label>${kt('image')} <input type="text" name="image" .value=${item?.answerImageUrl ?? ''} /></label>
        <label>${kt('category')} <input type="text" name="category" maxlength="40" .value=${item?.category ?? ''} /></label>
        <label><input type="checkbox" name="enabled" .checked=${item?.enabled ?? true} /> ${kt('enabled')}</label>
        <div class="bar">
          <button class="primary" @click=${this.#save}>${kt('save')}</button>
          <button @click=${() => this.dispatchEvent(new CustomEvent('cancel', { bubbles: true, composed: true }))}>${kt('cancel')}</button>
        </div>
        ${this.error ? html`<p class="error">${this.error}</p>` : null}
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-knowledge-editor': KfKnowledgeEditor;
  }
}
