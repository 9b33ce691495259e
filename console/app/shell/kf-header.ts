import { css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { t } from '../../i18n/i18n.ts';
import type { AgentStatus } from '../../shared/protocol.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import { logout } from '../data/auth.ts';
import { StoreController } from '../state/store-context.ts';
import { adminPages, adminPagesFor } from '../../admin/admin-pages.ts';
import { at } from '../../admin/admin-strings.ts';
import { workbenchPath } from './routes.ts';

/** Top bar: navigation, connection state, 在线 / 停止接入, load against the auto-accept limit, language, sign-out. */
@customElement('kf-header')
export class KfHeader extends KfElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: flex; align-items: center; gap: 16px; height: 52px; padding: 0 20px;
        background: var(--kf-surface); border-bottom: 1px solid var(--kf-border);
      }
      .brand { font-weight: 600; font-size: 16px; margin-right: 8px; }
      nav { display: flex; gap: 4px; }
      nav button { border: none; background: none; padding: 6px 10px; color: var(--kf-text-2); }
      nav button[aria-current='page'] { color: var(--kf-primary); background: var(--kf-primary-soft); }
      .spacer { flex: 1; }
      .conn { color: var(--kf-warning); font-size: 12px; }
      .status { display: flex; align-items: center; gap: 6px; }
      .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--kf-text-3); }
      .dot.online { background: var(--kf-success); }
      .dot.paused { background: var(--kf-warning); }
      .load, .name { color: var(--kf-text-2); }
    `,
  ];

  /** The current page's path. */
  @property({ attribute: false }) route = workbenchPath;
  #store = new StoreController(this);

  #navigate(route: string): void {
    this.dispatchEvent(new CustomEvent('kf-navigate', { detail: route }));
  }

  async #logout(): Promise<void> {
    await logout().catch(() => undefined);
    this.#store.store?.stop();
  }

  #navButton(path: string, label: string, current: boolean) {
    return html`<button aria-current=${current ? 'page' : 'false'} @click=${() => this.#navigate(path)}>${label}</button>`;
  }

  override render() {
    const store = this.#store.store;
    const user = store?.user;
    if (!store || !user) return nothing;
    const status = user.status === 'offline' ? 'online' : user.status;
    return html`
      <span class="brand">Kefu</span>
      <nav>
        ${this.#navButton(workbenchPath, t('header.workbench'), this.route === workbenchPath)}
        ${user.role === 'admin'
          ? this.#navButton(adminPages[0]!.path, at('nav.admin'), this.route !== workbenchPath)
          : adminPagesFor('agent').map((page) => this.#navButton(page.path, page.title(), this.route === page.path))}
      </nav>
      <span class="spacer"></span>
      ${store.connection === 'open'
        ? nothing
        : html`<span class="conn">${t(store.connection === 'connecting' ? 'connection.connecting' : 'connection.closed')}</span>`}
      <span class="load">${t('header.load', { active: user.activeCount ?? 0, limit: user.autoAcceptLimit })}</span>
      <label class="status">
        <span class="dot ${user.status}"></span>
        <select
          aria-label=${t('agents.status')}
          .value=${status}
          @change=${(e: Event) => store.setStatus((e.target as HTMLSelectElement).value as AgentStatus)}
        >
          <option value="online" ?selected=${status === 'online'}>${t('status.online')}</option>
          <option value="paused" ?selected=${status === 'paused'}>${t('status.paused')}</option>
        </select>
      </label>
      <span class="name">${user.name}</span>
      <button class="link" @click=${() => this.dispatchEvent(new Event('kf-toggle-locale'))}>${t('app.language')}</button>
      <button @click=${() => this.#logout()}>${t('header.logout')}</button>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-header': KfHeader;
  }
}
