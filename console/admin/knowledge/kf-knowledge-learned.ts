import { css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { baseStyles } from '../../ui/theme.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { pageStyles } from '../admin-styles.ts';
import { api, errorText } from '../data/admin-api.ts';
import { kt } from './knowledge-strings.ts';
import type { KnowledgeItemDto } from './kf-knowledge-editor.ts';

interface Stats {
  days: number;
  answerRate: number | null;
  series: { day: string; answer: number; suggest: number; fallback: number; answerRate: number | null }[];
}

const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 1000) / 10}%`);

/** What the bot learned (phrasings held for review) and its answer rate per day; fires `changed`. */
@customElement('kf-knowledge-learned')
export class KfKnowledgeLearned extends KfElement {
  static override styles = [baseStyles, pageStyles, css`:host { padding: 0; }`];

  @state() private items: KnowledgeItemDto[] = [];
  @state() private stats: Stats | null = null;
  @state() private error = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  async #load(): Promise<void> {
    try {
      const [learned, stats] = await Promise.all([api.get<{ items: KnowledgeItemDto[] }>('/api/knowledge/learned'), api.get<Stats>('/api/knowledge/stats?days=30')]);
      this.items = learned.items;
      this.stats = stats;
    } catch (error) {
      this.error = errorText(error);
    }
  }

  async #decide(item: KnowledgeItemDto, phrasing: string, verdict: 'approve' | 'reject'): Promise<void> {
    try {
      await api.post(`/api/knowledge/${item.id}/phrasings/${verdict}`, { phrasing });
      await this.#load();
      this.dispatchEvent(new CustomEvent('changed', { bubbles: true, composed: true }));
    } catch (error) {
      this.error = errorText(error);
    }
  }

  override render() {
    const stats = this.stats;
    return html`
      <section>
        <h3>${kt('learned')}</h3>
        ${this.items.length === 0 ? html`<p class="muted">${kt('noLearned')}</p>` : null}
        ${this.items.flatMap((item) =>
          item.pendingPhrasings.map(
            (phrasing) => html`<div class="bar">
              <span>${phrasing}</span><span class="muted">→ ${item.question}</span>
              <button @click=${() => this.#decide(item, phrasing, 'approve')}>${kt('approve')}</button>
              <button @click=${() => this.#decide(item, phrasing, 'reject')}>${kt('reject')}</button>
            </div>`,
          ),
        )}
      </section>
      ${stats
        ? html`<section>
            <h3>${kt('stats')}</h3>
            <p>${kt('answerRate', { days: stats.days, rate: percent(stats.answerRate) })}</p>
            <table>
              <thead><tr><th>${kt('day')}</th><th>${kt('answers')}</th><th>${kt('suggests')}</th><th>${kt('fallbacks')}</th><th>%</th></tr></thead>
              <tbody>${stats.series.map((d) => html`<tr><td>${d.day}</td><td>${d.answer}</td><td>${d.suggest}</td><td>${d.fallback}</td><td>${percent(d.answerRate)}</td></tr>`)}</tbody>
            </table>
          </section>`
        : null}
      ${this.error ? html`<p class="error">${this.error}</p>` : null}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-knowledge-learned': KfKnowledgeLearned;
  }
}
