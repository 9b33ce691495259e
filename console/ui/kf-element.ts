import { LitElement } from 'lit';
import { onLocaleChange } from '../i18n/i18n.ts';

/** Base of every Kefu element: re-renders when the locale switches, since all strings come from `t()`. */
export class KfElement extends LitElement {
  #offLocale: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#offLocale = onLocaleChange(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#offLocale?.();
    this.#offLocale = null;
  }
}
