import { html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { baseStyles } from '../ui/theme.ts';
import { KfElement } from '../ui/kf-element.ts';
import { at } from './admin-strings.ts';
import { pageStyles } from './admin-styles.ts';
import { api, download, errorText, qs } from './data/admin-api.ts';

type Scope = 'public' | 'personal';
interface Category { id: string; name: string }
interface Reply { id: string; categoryId: string | null; keyword: string; content: string }

/** 快捷回复语料: public library (admins edit) and the user's own, with categories, search, reorder, import/export. */
@customElement('kf-quick-replies-page')
export class KfQuickRepliesPage extends KfElement {
  static override styles = [baseStyles, pageStyles];

  /** Admins may edit the public library; everyone edits their own. */
  @property({ type: Boolean }) admin = false;
  @state() private scope: Scope = 'public';
  @state() private categories: Category[] = [];
  @state() private replies: Reply[] = [];
  @state() private categoryId = '';
  @state() private q = '';
  @state() private error = '';

  get #editable(): boolean {
    return this.scope === 'personal' || this.admin;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  async #load(): Promise<void> {
    await this.#try(async () => {
      const [c, r] = await Promise.all([
        api.get<{ items: Category[] }>(`/api/quick-reply-categories${qs({ scope: this.scope })}`),
        api.get<{ items: Reply[] }>(`/api/quick-replies${qs({ scope: this.scope, categoryId: this.categoryId, q: this.q })}`),
      ]);
      this.categories = c.items;
      this.replies = r.items;
    });
  }

  async #try(fn: () => Promise<unknown>): Promise<void> {
    this.error = '';
    try {
      await fn();
    } catch (error) {
      this.error = errorText(error);
    }
  }

  #switch(scope: Scope): void {
    this.scope = scope;
    this.categoryId = '';
    void this.#load();
  }

  async #addCategory(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const name = String(new FormData(form).get('name') ?? '');
    await this.#try(() => api.post('/api/quick-reply-categories', { scope: this.scope, name }));
    form.reset();
    await this.#load();
  }

  async #addReply(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    await this.#try(() =>
      api.post('/api/quick-replies', { scope: this.scope, categoryId: this.categoryId || null, keyword: data.get('keyword'), content: data.get('content') }),
    );
    form.reset();
    await this.#load();
  }

  async #edit(reply: Reply): Promise<void> {
    const content = prompt(at('qr.content'), reply.content);
    if (content === null) return;
    await this.#try(() => api.patch(`/api/quick-replies/${reply.id}`, { content }));
    await this.#load();
  }

  async #remove(reply: Reply): Promise<void> {
    await this.#try(() => api.delete(`/api/quick-replies/${reply.id}`));
    await this.#load();
  }

  async #move(index: number, delta: number): Promise<void> {
    const ids = this.replies.map((r) => r.id);
    const target = index + delta;
    if (target < 0 || target >= ids.length) return;
    [ids[index], ids[target]] = [ids[target], ids[index]];
    await this.#try(() => api.post('/api/quick-replies/reorder', { scope: this.scope, ids }));
    await this.#load();
  }

  async #import(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    const format = file.name.endsWith('.json') ? 'json' : 'csv';
    const text = await file.text();
    await this.#try(() => api.postText(`/api/quick-replies/import${qs({ scope: this.scope, format })}`, text, 'text/plain'));
    await this.#load();
  }

  override render() {
    return html`
      <h2>${at('nav.quickReplies')}</h2>
      <div class="bar tabs">
        <button aria-selected=${this.scope === 'public'} @click=${() => this.#switch('public')}>${at('qr.public')}</button>
        <button aria-selected=${this.scope === 'personal'} @click=${() => this.#switch('personal')}>${at('qr.personal')}</button>
      </div>
      <section>
        <div class="bar">
          <select @change=${(e: Event) => ((this.categoryId = (e.target as HTMLSelectElement).value), void this.#load())}>
            <option value="">${at('common.all')}</option>
            ${this.categories.map((c) => html`<option value=${c.id} ?selected=${c.id === this.categoryId}>${c.name}</option>`)}
          </select>
          <input placeholder=${at('qr.keyword')} .value=${this.q} @change=${(e: Event) => ((this.q = (e.target as HTMLInputElement).value), void this.#load())} />
          <button @click=${() => download(`/api/quick-replies/export${qs({ scope: this.scope, format: 'csv' })}`)}>${at('common.export')} CSV</button>
          <button @click=${() => download(`/api/quick-replies/export${qs({ scope: this.scope, format: 'json' })}`)}>${at('common.export')} JSON</button>
          ${this.#editable ? html`<label>${at('common.import')} <input type="file" accept=".csv,.json" @change=${this.#import} /></label>` : html`<span class="muted">${at('qr.readonly')}</span>`}
        </div>
        ${this.#editable
          ? html`<form class="bar" @submit=${this.#addCategory}><input name="name" required maxlength="40" placeholder=${at('qr.newCategory')} /><button>${at('common.add')}</button></form>
              <form class="bar" @submit=${this.#addReply}>
                <input name="keyword" required maxlength="40" placeholder=${at('qr.keyword')} />
                <input name="content" required maxlength="2000" placeholder=${at('qr.content')} style="flex:1" />
                <button class="primary">${at('common.add')}</button>
              </form>`
          : null}
        ${this.error ? html`<p class="error">${this.error}</p>` : null}
        <table>
          <thead><tr><th>${at('qr.categories')}</th><th>${at('qr.keyword')}</th><th>${at('qr.content')}</th><th></th></tr></thead>
          <tbody>
            ${this.replies.map(
              (r, i) => html`<tr>
                <td>${this.categories.find((c) => c.id === r.categoryId)?.name ?? at('qr.uncategorized')}</td>
                <td>${r.keyword}</td>
                <td>${r.content}</td>
                <td>${this.#editable
                  ? html`<button @click=${() => this.#move(i, -1)}>${at('qr.up')}</button><button @click=${() => this.#move(i, 1)}>${at('qr.down')}</button>
                      <button @click=${() => this.#edit(r)}>${at('common.edit')}</button><button @click=${() => this.#remove(r)}>${at('common.delete')}</button>`
                  : null}</td>
              </tr>`,
            )}
          </tbody>
        </table>
        ${this.replies.length === 0 ? html`<p class="muted">${at('common.empty')}</p>` : null}
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-quick-replies-page': KfQuickRepliesPage;
  }
}
