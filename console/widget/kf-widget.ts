import { css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { t } from '../i18n/i18n.ts';
import { KfElement } from '../ui/kf-element.ts';
import { baseStyles, themeTokens } from '../ui/theme.ts';
import type { ChatSession } from './chat-session.ts';
import type { WidgetApi } from './data/widget-api.ts';
import './kf-chat.ts';

/**
 * The embeddable widget. `float`: a launcher button in the page corner that opens the chat panel
 * (the session starts on first open). `fullscreen`: the chat fills the viewport (the H5 page).
 * Everything lives in this element's shadow root and `all: initial` stops the page's inherited styles.
 */
@customElement('kf-widget')
export class KfWidget extends KfElement {
  static override styles = [
    themeTokens,
    baseStyles,
    css`
      :host { all: initial; font-family: var(--kf-font); font-size: var(--kf-font-size); color: var(--kf-text); }
      .launcher {
        position: fixed; right: 24px; bottom: 24px; z-index: 2147483000; height: 52px; padding: 0 20px;
        border: none; border-radius: 26px; background: var(--kf-primary); color: #fff; box-shadow: var(--kf-shadow);
        font-size: 15px;
      }
      .launcher:hover:not(:disabled) { background: var(--kf-primary-hover); color: #fff; }
      .badge {
        position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; border-radius: 10px; padding: 0 6px;
        background: var(--kf-danger); color: #fff; font-size: 12px; line-height: 20px;
      }
      .panel {
        position: fixed; right: 24px; bottom: 24px; z-index: 2147483000; width: 370px; height: min(600px, calc(100vh - 48px));
        border-radius: 12px; overflow: hidden; box-shadow: var(--kf-shadow); background: var(--kf-bg);
      }
      .panel.fullscreen { inset: 0; width: auto; height: 100%; border-radius: 0; box-shadow: none; }
      .error { position: fixed; inset: 0; display: flex; align-items: center; justify-content: center; color: var(--kf-text-2); }
    `,
  ];

  @property() mode: 'float' | 'fullscreen' = 'float';
  @property({ attribute: false }) session: ChatSession | null = null;
  @property({ attribute: false }) api: WidgetApi | null = null;
  @state() private open = false;
  #onChange = () => this.requestUpdate();

  override connectedCallback(): void {
    super.connectedCallback();
    this.session?.addEventListener('change', this.#onChange);
    if (this.mode === 'fullscreen') this.#setOpen(true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.session?.removeEventListener('change', this.#onChange);
  }

  #setOpen(open: boolean): void {
    this.open = open;
    this.session?.setPanelOpen(open);
    if (open) void this.session?.start();
  }

  override render() {
    const { session, api } = this;
    if (!session || !api) return html`<div class="error">${t('widget.missingChannel')}</div>`;
    if (this.mode === 'float' && !this.open) {
      return html`<button class="launcher" @click=${() => this.#setOpen(true)}>
        ${t('widget.open')}${session.unread > 0 ? html`<span class="badge">${session.unread}</span>` : nothing}
      </button>`;
    }
    return html`
      <div class="panel ${this.mode === 'fullscreen' ? 'fullscreen' : ''}" role="dialog" aria-label=${t('widget.title')}>
        <kf-chat
          .session=${session}
          .resolve=${(url: string) => api.resolve(url)}
          ?closable=${this.mode === 'float'}
          @kf-close=${() => this.#setOpen(false)}
        ></kf-chat>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-widget': KfWidget;
  }
}
