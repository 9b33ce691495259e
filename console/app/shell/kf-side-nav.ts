import { css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { AdminPage } from '../../admin/admin-pages.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';

/** The admin menu beside an admin page; asks the shell to navigate with `kf-navigate` (detail: path). */
@customElement('kf-side-nav')
export class KfSideNav extends KfElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: block; overflow-y: auto; padding: 12px 8px; background: var(--kf-surface); border-right: 1px solid var(--kf-border); }
      nav { display: flex; flex-direction: column; gap: 2px; }
      button {
        border: none; background: none; text-align: left; padding: 8px 12px; border-radius: var(--kf-radius);
        color: var(--kf-text-2); white-space: nowrap;
      }
      button:hover { background: var(--kf-hover); }
      button[aria-current='page'] { color: var(--kf-primary); background: var(--kf-primary-soft); font-weight: 500; }
    `,
  ];

  @property({ attribute: false }) pages: AdminPage[] = [];
  @property({ attribute: false }) current = '';

  override render() {
    return html`<nav aria-label="admin">
      ${this.pages.map(
        (page) => html`<button aria-current=${page.path === this.current ? 'page' : 'false'}
          @click=${() => this.dispatchEvent(new CustomEvent('kf-navigate', { detail: page.path }))}>${page.title()}</button>`,
      )}
    </nav>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-side-nav': KfSideNav;
  }
}
