import { ContextProvider } from '@lit/context';
import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { html as staticHtml, unsafeStatic } from 'lit/static-html.js';
import { adminPagesFor, type AdminPage } from '../../admin/admin-pages.ts';
import { getLocale, setLocale, t } from '../../i18n/i18n.ts';
import type { UserDto } from '../../shared/protocol.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles, themeTokens } from '../../ui/theme.ts';
import { fetchMe } from '../data/auth.ts';
import { ConsoleStore, describeError } from '../state/console-store.ts';
import { storeContext } from '../state/store-context.ts';
import { pageFor, routeOf } from './routes.ts';
import './kf-header.ts';
import './kf-side-nav.ts';
import './kf-login.ts';
import '../workbench/kf-workbench.ts';

/** Root of the console: session check, login, page routing, the shared store and notices. */
@customElement('kf-app')
export class KfApp extends KfElement {
  static override styles = [
    themeTokens,
    baseStyles,
    css`
      :host { display: flex; flex-direction: column; height: 100vh; min-width: 1024px; background: var(--kf-bg); }
      main { flex: 1; min-height: 0; display: flex; }
      main > * { flex: 1; min-width: 0; }
      main > kf-side-nav { flex: none; width: 180px; }
      .center { margin: auto; color: var(--kf-text-3); }
      .notice {
        position: fixed; top: 64px; left: 50%; transform: translateX(-50%); z-index: 20;
        padding: 8px 16px; border-radius: var(--kf-radius); box-shadow: var(--kf-shadow);
        background: var(--kf-surface); border-left: 4px solid var(--kf-primary);
      }
      .notice.error { border-left-color: var(--kf-danger); }
    `,
  ];

  readonly store = new ConsoleStore();
  @state() private checking = true;
  /** The current page's path (see routes.ts). */
  @state() private route = routeOf(location.pathname);
  #onChange = () => this.requestUpdate();
  #onPopState = () => (this.route = routeOf(location.pathname));

  constructor() {
    super();
    new ContextProvider(this, { context: storeContext, initialValue: this.store });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.store.addEventListener('change', this.#onChange);
    addEventListener('popstate', this.#onPopState);
    document.title = t('app.title');
    void this.#restoreSession();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.store.removeEventListener('change', this.#onChange);
    removeEventListener('popstate', this.#onPopState);
    this.store.stop();
  }

  async #restoreSession(): Promise<void> {
    try {
      const user = await fetchMe();
      if (user) await this.#signIn(user);
    } catch (error) {
      this.store.showNotice({ kind: 'error', text: describeError(error) });
    } finally {
      this.checking = false;
    }
  }

  async #signIn(user: UserDto): Promise<void> {
    await this.store.start(user);
  }

  protected override willUpdate(): void {
    // Admin pages are opened now and then: each is its own chunk, fetched on first visit.
    const page = this.store.user ? pageFor(this.route, this.store.user.role) : undefined;
    if (page && !customElements.get(page.tag)) {
      page.load().then(
        () => this.requestUpdate(),
        (error: unknown) => this.store.showNotice({ kind: 'error', text: describeError(error) }),
      );
    }
  }

  #navigate(path: string): void {
    if (path === this.route) return;
    history.pushState(null, '', path);
    this.route = path;
  }

  #toggleLocale(): void {
    const next = getLocale() === 'zh-CN' ? 'en' : 'zh-CN';
    localStorage.setItem('kefu.locale', next);
    document.documentElement.lang = next;
    setLocale(next);
    document.title = t('app.title');
  }

  override render() {
    const { user, notice } = this.store;
    return html`
      ${this.checking
        ? html`<div class="center">${t('list.loading')}</div>`
        : user
          ? html`
              <kf-header
                .route=${this.route}
                @kf-navigate=${(e: CustomEvent<string>) => this.#navigate(e.detail)}
                @kf-toggle-locale=${() => this.#toggleLocale()}
              ></kf-header>
              <main>${this.#renderPage(user)}</main>
            `
          : html`<kf-login
              @kf-signed-in=${(e: CustomEvent<UserDto>) => this.#signIn(e.detail)}
              @kf-toggle-locale=${() => this.#toggleLocale()}
            ></kf-login>`}
      ${notice ? html`<div class="notice ${notice.kind}" role="status">${notice.text}</div>` : nothing}
    `;
  }

  #renderPage(user: UserDto) {
    const page = pageFor(this.route, user.role);
    if (!page) return html`<kf-workbench></kf-workbench>`;
    // Agents reach their two pages from the header; admins get the full menu at the side.
    return html`
      ${user.role === 'admin' ? html`<kf-side-nav
        .pages=${adminPagesFor(user.role)}
        .current=${page.path}
        @kf-navigate=${(e: CustomEvent<string>) => this.#navigate(e.detail)}
      ></kf-side-nav>` : nothing}
      ${customElements.get(page.tag) ? this.#renderAdminPage(page, user) : html`<div class="center">${t('list.loading')}</div>`}
    `;
  }

  #renderAdminPage(page: AdminPage, user: UserDto) {
    // 快捷回复语料: admins edit the public library, agents their personal one.
    if (page.tag === 'kf-quick-replies-page') return html`<kf-quick-replies-page .admin=${user.role === 'admin'}></kf-quick-replies-page>`;
    const tag = unsafeStatic(page.tag);
    return staticHtml`<${tag}></${tag}>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-app': KfApp;
  }
}
