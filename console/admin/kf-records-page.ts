import { html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { baseStyles } from '../ui/theme.ts';
import { KfElement } from '../ui/kf-element.ts';
import { at } from './admin-strings.ts';
import { pageStyles } from './admin-styles.ts';
import { api, errorText, qs } from './data/admin-api.ts';
import './kf-record-detail.ts';
import './kf-export-progress.ts';

interface RecordRow { id: string; createdAt: string; channelName: string; visitorName: string | null; agentName: string | null; status: string; rating: number | null; messageCount: number }
type Filters = { type: 'human' | 'bot'; from?: string; to?: string; status?: string; rating?: string; q?: string };

/** 会话记录: human and bot sessions with filters, a transcript view, and batch export with live progress. */
@customElement('kf-records-page')
export class KfRecordsPage extends KfElement {
  static override styles = [baseStyles, pageStyles];

  @state() private filters: Filters = { type: 'human' };
  @state() private items: RecordRow[] = [];
  @state() private total: number | null = null;
  @state() private next: string | null = null;
  @state() private selected: string | null = null;
  @state() private exportId: string | null = null;
  @state() private error = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load(false);
  }

  async #load(more: boolean): Promise<void> {
    try {
      const page = await api.get<{ items: RecordRow[]; next: string | null; total: number | null }>(
        `/api/records${qs({ ...this.#request(), cursor: more ? this.next : undefined })}`,
      );
      this.items = more ? [...this.items, ...page.items] : page.items;
      this.next = page.next;
      if (!more) this.total = page.total;
    } catch (error) {
      this.error = errorText(error);
    }
  }

  /** The filters as the server reads them: the picked dates are whole local days, the end day included. */
  #request(): Filters {
    const localMidnight = (date: string, plusDays = 0) => {
      const d = new Date(`${date}T00:00:00`);
      d.setDate(d.getDate() + plusDays);
      return d.toISOString();
    };
    const { from, to, ...rest } = this.filters;
    return { ...rest, from: from ? localMidnight(from) : undefined, to: to ? localMidnight(to, 1) : undefined };
  }

  #set(patch: Partial<Filters>): void {
    this.filters = { ...this.filters, ...patch };
    void this.#load(false);
  }

  async #export(format: 'xlsx' | 'csv'): Promise<void> {
    const filters = Object.fromEntries(Object.entries(this.#request()).filter(([, v]) => v !== undefined && v !== ''));
    try {
      this.exportId = (await api.post<{ id: string }>('/api/exports', { format, filters })).id;
    } catch (error) {
      this.error = errorText(error);
    }
  }

  override render() {
    const input = (key: keyof Filters, type = 'text') =>
      html`<input type=${type} .value=${this.filters[key] ?? ''} @change=${(e: Event) => this.#set({ [key]: (e.target as HTMLInputElement).value || undefined })} />`;
    return html`
      <h2>${at('nav.records')}</h2>
      <div class="bar tabs">
        <button aria-selected=${this.filters.type === 'human'} @click=${() => this.#set({ type: 'human' })}>${at('records.human')}</button>
        <button aria-selected=${this.filters.type === 'bot'} @click=${() => this.#set({ type: 'bot' })}>${at('records.bot')}</button>
      </div>
      <div class="bar">
        <label>${at('common.from')} ${input('from', 'date')}</label>
        <label>${at('common.to')} ${input('to', 'date')}</label>
        <label>${at('records.rating')}
          <select @change=${(e: Event) => this.#set({ rating: (e.target as HTMLSelectElement).value || undefined })}>
            <option value="">${at('common.all')}</option>${[1, 2, 3, 4, 5].map((n) => html`<option>${n}</option>`)}
          </select>
        </label>
        <label>${at('records.keyword')} ${input('q')}</label>
        <button @click=${() => this.#export('xlsx')}>${at('records.exportXlsx')}</button>
        <button @click=${() => this.#export('csv')}>${at('records.exportCsv')}</button>
      </div>
      ${this.exportId ? html`<kf-export-progress .exportId=${this.exportId}></kf-export-progress>` : null}
      ${this.error ? html`<p class="error">${this.error}</p>` : null}
      ${this.selected ? html`<kf-record-detail .recordId=${this.selected} @close=${() => (this.selected = null)}></kf-record-detail>` : null}
      <section>
        ${this.total !== null ? html`<p class="muted">${at('records.total', { n: this.total })}</p>` : null}
        <table>
          <thead><tr><th>${at('records.time')}</th><th>${at('records.channel')}</th><th>${at('records.visitor')}</th><th>${at('records.agent')}</th><th>${at('records.status')}</th><th>${at('records.rating')}</th><th>${at('records.messages')}</th></tr></thead>
          <tbody>
            ${this.items.map(
              (r) => html`<tr class="clickable" @click=${() => (this.selected = r.id)}>
                <td>${new Date(r.createdAt).toLocaleString()}</td><td>${r.channelName}</td><td>${r.visitorName ?? ''}</td><td>${r.agentName ?? ''}</td>
                <td>${r.status}</td><td>${r.rating ?? ''}</td><td>${r.messageCount}</td>
              </tr>`,
            )}
          </tbody>
        </table>
        ${this.next ? html`<button @click=${() => this.#load(true)}>${at('common.more')}</button>` : null}
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-records-page': KfRecordsPage;
  }
}
