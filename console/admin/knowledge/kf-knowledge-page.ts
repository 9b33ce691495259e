import { html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { baseStyles } from '../../ui/theme.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { requestJson } from '../../ui/http.ts';
import { pageStyles } from '../admin-styles.ts';
import { api, download, errorText, qs } from '../data/admin-api.ts';
import { kt } from './knowledge-strings.ts';
import './kf-knowledge-editor.ts';
import './kf-knowledge-learned.ts';
import type { KnowledgeItemDto } from './kf-knowledge-editor.ts';

interface ListAnswer {
  items: KnowledgeItemDto[];
  total: number;
  page: number;
  pageSize: number;
  categories: string[];
}

/** 知识库: search and filters, paging, bulk enable/disable, import with the bad-row report, export, editing. */
@customElement('kf-knowledge-page')
export class KfKnowledgePage extends KfElement {
  static override styles = [baseStyles, pageStyles];

  @state() private list: ListAnswer = { items: [], total: 0, page: 1, pageSize: 20, categories: [] };
  @state() private q = '';
  @state() private category = '';
  @state() private enabled = '';
  @state() private selected = new Set<string>();
  @state() private editing: KnowledgeItemDto | 'new' | null = null;
  @state() private message: { error: boolean; lines: string[] } | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load(1);
  }

  async #load(page: number): Promise<void> {
    await this.#run(async () => {
      this.list = await api.get<ListAnswer>(`/api/knowledge${qs({ q: this.q, category: this.category, enabled: this.enabled, page })}`);
      this.selected = new Set();
    });
  }

  async #run(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.message = { error: true, lines: [errorText(error)] };
    }
  }

  #bulk = (enabled: boolean) =>
    this.#run(async () => {
      await api.post('/api/knowledge/bulk', { ids: [...this.selected], enabled });
      await this.#load(this.list.page);
    });

  #remove = (item: KnowledgeItemDto) =>
    this.#run(async () => {
      if (!confirm(kt('confirmDelete'))) return;
      await api.delete(`/api/knowledge/${item.id}`);
      await this.#load(this.list.page);
    });

  async #import(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    const format = file.name.toLowerCase().endsWith('.csv') ? 'csv' : 'xlsx';
    await this.#run(async () => {
      const result = await requestJson<{ imported: number; errors: { row: number; error: string }[] }>(`/api/knowledge/import?format=${format}`, {
        method: 'POST',
        body: file,
        headers: { 'content-type': 'application/octet-stream' },
      });
      this.message = { error: result.errors.length > 0, lines: [kt('imported', { n: result.imported }), ...result.errors.map((e) => kt('rowError', e))] };
      await this.#load(1);
    });
  }

  #toggle(id: string, on: boolean): void {
    const next = new Set(this.selected);
    if (on) next.add(id);
    else next.delete(id);
    this.selected = next;
  }

  override render() {
    const { items, total, page, pageSize, categories } = this.list;
    return html`
      <h2>${kt('title')}</h2>
      <kf-knowledge-learned @changed=${() => this.#load(page)}></kf-knowledge-learned>
      <section>
        <div class="bar">
          <input type="search" placeholder=${kt('search')} .value=${this.q} @input=${(e: Event) => (this.q = (e.target as HTMLInputElement).value)} @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this.#load(1)} />
          <select @change=${(e: Event) => ((this.category = (e.target as HTMLSelectElement).value), this.#load(1))}>
            <option value="">${kt('allCategories')}</option>
            ${categories.map((c) => html`<option .value=${c} ?selected=${c === this.category}>${c}</option>`)}
          </select>
          <select @change=${(e: Event) => ((this.enabled = (e.target as HTMLSelectElement).value), this.#load(1))}>
            <option value="">${kt('allStates')}</option>
            <option value="true">${kt('on')}</option>
            <option value="false">${kt('off')}</option>
          </select>
          <button class="primary" @click=${() => (this.editing = 'new')}>${kt('new')}</button>
          <button ?disabled=${this.selected.size === 0} @click=${() => this.#bulk(true)}>${kt('enableSelected')}</button>
          <button ?disabled=${this.selected.size === 0} @click=${() => this.#bulk(false)}>${kt('disableSelected')}</button>
          <label>${kt('import')} <input type="file" accept=".csv,.xlsx" @change=${(e: Event) => this.#import(e)} /></label>
          <button @click=${() => download('/api/knowledge/export?format=xlsx')}>${kt('exportXlsx')}</button>
          <button @click=${() => download('/api/knowledge/export?format=csv')}>${kt('exportCsv')}</button>
        </div>
        ${this.message ? html`<div class=${this.message.error ? 'error' : 'muted'}>${this.message.lines.map((line) => html`<div>${line}</div>`)}</div>` : null}
        ${this.editing
          ? html`<kf-knowledge-editor .item=${this.editing === 'new' ? null : this.editing} @saved=${() => ((this.editing = null), this.#load(page))} @cancel=${() => (this.editing = null)}></kf-knowledge-editor>`
          : null}
        <table>
          <thead><tr><th></th><th>${kt('question')}</th><th>${kt('answer')}</th><th>${kt('category')}</th><th>${kt('enabled')}</th><th>${kt('source')}</th><th></th></tr></thead>
          <tbody>
            ${items.map(
              (item) => html`<tr>
                <td><input type="checkbox" .checked=${this.selected.has(item.id)} @change=${(e: Event) => this.#toggle(item.id, (e.target as HTMLInputElement).checked)} /></td>
                <td>${item.question}${item.phrasings.length ? html`<div class="muted">${item.phrasings.join(' / ')}</div>` : null}</td>
                <td>${item.answer}</td>
                <td>${item.category ?? ''}</td>
                <td>${item.enabled ? kt('on') : kt('off')}</td>
                <td>${kt(`source.${item.source}` as 'source.written')}</td>
                <td><button @click=${() => (this.editing = item)}>${kt('edit')}</button> <button @click=${() => this.#remove(item)}>${kt('delete')}</button></td>
              </tr>`,
            )}
          </tbody>
        </table>
        <div class="bar">
          <button ?disabled=${page <= 1} @click=${() => this.#load(page - 1)}>${kt('prev')}</button>
          <span class="muted">${kt('pageOf', { page, total })}</span>
          <button ?disabled=${page * pageSize >= total} @click=${() => this.#load(page + 1)}>${kt('next')}</button>
        </div>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-knowledge-page': KfKnowledgePage;
  }
}
