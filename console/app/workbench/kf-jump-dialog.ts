import { css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { t } from '../../i18n/i18n.ts';
import { dialogStyles } from '../../ui/dialog-styles.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import { StoreController } from '../state/store-context.ts';

/** Ctrl/⌘+K: type part of a visitor's name or last message, Enter opens the first match. */
@customElement('kf-jump-dialog')
export class KfJumpDialog extends KfElement {
  static override styles = [
    baseStyles,
    dialogStyles,
    css`
      input { width: 100%; }
      ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 2px; }
      li button { width: 100%; text-align: left; border: none; display: flex; gap: 8px; }
      li button.active { background: var(--kf-primary-soft); }
      .muted { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    `,
  ];

  @state() private q = '';
  @state() private active = 0;
  #store = new StoreController(this);

  override firstUpdated(): void {
    this.renderRoot.querySelector('dialog')?.showModal();
    this.renderRoot.querySelector('input')?.focus();
  }

  get #matches() {
    const q = this.q.toLowerCase();
    return (this.#store.store?.rows ?? [])
      .filter((row) => !q || row.visitor.name.toLowerCase().includes(q) || (row.lastMessagePreview ?? '').toLowerCase().includes(q))
      .slice(0, 20);
  }

  #open(id: string | undefined): void {
    if (id) void this.#store.store?.select(id);
    this.dispatchEvent(new Event('kf-close'));
  }

  #onKey(event: KeyboardEvent): void {
    const count = this.#matches.length;
    if (event.key === 'ArrowDown') this.active = Math.min(count - 1, this.active + 1);
    else if (event.key === 'ArrowUp') this.active = Math.max(0, this.active - 1);
    else if (event.key === 'Enter') {
      event.preventDefault();
      this.#open(this.#matches[this.active]?.id);
    }
  }

  override render() {
    const matches = this.#matches;
    return html`
      <dialog @close=${() => this.dispatchEvent(new Event('kf-close'))}>
        <form @submit=${(e: Event) => e.preventDefault()}>
          <h2>${t('jump.title')}</h2>
          <div class="body">
            <input
              type="search"
              placeholder=${t('jump.placeholder')}
              aria-label=${t('jump.placeholder')}
              @input=${(e: Event) => ((this.q = (e.target as HTMLInputElement).value.trim()), (this.active = 0))}
              @keydown=${this.#onKey}
            />
            <ul>
              ${matches.map(
                (row, i) => html`<li>
                  <button type="button" class=${i === this.active ? 'active' : ''} @click=${() => this.#open(row.id)}>
                    <strong>${row.visitor.name}</strong><span class="muted">${row.lastMessagePreview ?? ''}</span>
                  </button>
                </li>`,
              )}
            </ul>
          </div>
        </form>
      </dialog>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-jump-dialog': KfJumpDialog;
  }
}
