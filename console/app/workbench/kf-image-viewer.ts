import { css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { t } from '../../i18n/i18n.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';

/** Full-size image overlay; Esc, a click outside or the close button fire `kf-close`. */
@customElement('kf-image-viewer')
export class KfImageViewer extends KfElement {
  static override styles = [
    baseStyles,
    css`
      :host { position: fixed; inset: 0; z-index: 30; background: rgba(0, 0, 0, 0.75); display: flex; align-items: center; justify-content: center; }
      img { max-width: 92vw; max-height: 88vh; box-shadow: var(--kf-shadow); background: #fff; }
      button { position: absolute; top: 16px; right: 16px; }
    `,
  ];

  @property() src = '';
  constructor() {
    super();
    this.addEventListener('click', () => this.#close());
  }

  #onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape') this.#close();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('keydown', this.#onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('keydown', this.#onKey);
  }

  #close(): void {
    this.dispatchEvent(new Event('kf-close'));
  }

  override render() {
    return html`
      <img src=${this.src} alt="" @click=${(e: Event) => e.stopPropagation()} />
      <button @click=${(e: Event) => (e.stopPropagation(), this.#close())}>${t('viewer.close')}</button>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-image-viewer': KfImageViewer;
  }
}
