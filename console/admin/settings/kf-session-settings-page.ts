import { css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import { at } from '../admin-strings.ts';
import { pageStyles } from '../admin-styles.ts';
import { sessionSection } from './settings-fields.ts';
import '../kf-sensitive-words-page.ts';
import './kf-setting-form.ts';

/** 会话设置: 自动结单, no-reply re-route, and the 敏感词 list below them. */
@customElement('kf-session-settings-page')
export class KfSessionSettingsPage extends KfElement {
  static override styles = [
    baseStyles,
    pageStyles,
    css`
      kf-sensitive-words-page { padding: 0; overflow: visible; }
    `,
  ];

  override render() {
    return html`
      <h2>${at('nav.sessionSettings')}</h2>
      <section><kf-setting-form .section=${sessionSection}></kf-setting-form></section>
      <kf-sensitive-words-page></kf-sensitive-words-page>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-session-settings-page': KfSessionSettingsPage;
  }
}
