import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { t } from '../../i18n/i18n.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import { listQuickReplies, listQuickReplyCategories, type QuickReply, type QuickReplyCategory, type QuickReplyScope } from '../data/quick-replies.ts';
import { requestCompose } from '../state/compose-bus.ts';

/** 快捷回复: the public and personal libraries with their categories and a keyword search; a click inserts. */
@customElement('kf-quick-replies')
export class KfQuickReplies extends KfElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: flex; flex-direction: column; gap: 8px; min-height: 0; }
      .scopes { display: flex; gap: 4px; }
      .scopes button[aria-pressed='true'] { color: var(--kf-primary); border-color: var(--kf-primary); background: var(--kf-primary-soft); }
      input[type='search'] { width: 100%; }
      .cats { display: flex; flex-wrap: wrap; gap: 4px; }
      .cats button { font-size: 12px; padding: 2px 8px; border-radius: 10px; }
      .cats button[aria-pressed='true'] { background: var(--kf-primary); border-color: var(--kf-primary); color: #fff; }
      ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 6px; overflow-y: auto; }
      li button { width: 100%; text-align: left; display: grid; gap: 2px; padding: 6px 8px; }
      .kw { font-size: 12px; color: var(--kf-primary); }
      .content { font-size: 13px; color: var(--kf-text-2); display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
      .muted { color: var(--kf-text-3); font-size: 13px; }
    `,
  ];

  @state() private scope: QuickReplyScope = 'public';
  @state() private categories: QuickReplyCategory[] = [];
  @state() private categoryId = '';
  @state() private q = '';
  @state() private items: QuickReply[] | null = null;
  @state() private unavailable = false;
  #searchTimer: ReturnType<typeof setTimeout> | undefined;
  #generation = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load(true);
  }

  async #load(withCategories = false): Promise<void> {
    const generation = ++this.#generation;
    try {
      const [items, categories] = await Promise.all([
        listQuickReplies(this.scope, { categoryId: this.categoryId || undefined, q: this.q || undefined }),
        withCategories ? listQuickReplyCategories(this.scope) : Promise.resolve(this.categories),
      ]);
      if (generation !== this.#generation) return;
      this.items = items;
      this.categories = categories;
      this.unavailable = false;
    } catch {
      // The library is optional for the workbench: without it the panel says so and nothing else breaks.
      if (generation === this.#generation) this.unavailable = true;
    }
  }

  #setScope(scope: QuickReplyScope): void {
    if (scope === this.scope) return;
    this.scope = scope;
    this.categoryId = '';
    this.items = null;
    void this.#load(true);
  }

  #setCategory(id: string): void {
    this.categoryId = id;
    void this.#load();
  }

  #onSearch(event: Event): void {
    this.q = (event.target as HTMLInputElement).value.trim();
    clearTimeout(this.#searchTimer);
    this.#searchTimer = setTimeout(() => void this.#load(), 200);
  }

  override render() {
    return html`
      <div class="scopes">
        ${(['public', 'personal'] as const).map(
          (scope) => html`<button aria-pressed=${this.scope === scope} @click=${() => this.#setScope(scope)}>${t(`quick.${scope}`)}</button>`,
        )}
      </div>
      <input type="search" placeholder=${t('quick.search')} aria-label=${t('quick.search')} @input=${this.#onSearch} />
      ${this.categories.length
        ? html`<div class="cats">
            <button aria-pressed=${this.categoryId === ''} @click=${() => this.#setCategory('')}>${t('quick.all')}</button>
            ${this.categories.map(
              (c) => html`<button aria-pressed=${this.categoryId === c.id} @click=${() => this.#setCategory(c.id)}>${c.name}</button>`,
            )}
          </div>`
        : nothing}
      ${this.unavailable
        ? html`<span class="muted">${t('quick.unavailable')}</span>`
        : this.items?.length === 0
          ? html`<span class="muted">${t('quick.empty')}</span>`
          : html`<ul>
              ${(this.items ?? []).map(
                (item) => html`<li>
                  <button title=${item.content} @click=${() => requestCompose({ text: item.content })}>
                    <span class="kw">${item.keyword}</span><span class="content">${item.content}</span>
                  </button>
                </li>`,
              )}
            </ul>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-quick-replies': KfQuickReplies;
  }
}
