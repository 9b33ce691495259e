import { html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import { at } from '../admin-strings.ts';
import { pageStyles } from '../admin-styles.ts';
import { humanServiceSection, offHoursSection, offlineMessagesSection, queueSection, satisfactionSection } from './settings-fields.ts';
import './kf-service-hours-form.ts';
import './kf-setting-form.ts';

/** 人工客服设置: on/off, service hours, queue, satisfaction and 留言; each section saves on its own. */
@customElement('kf-human-service-page')
export class KfHumanServicePage extends KfElement {
  static override styles = [baseStyles, pageStyles];

  override render() {
    return html`
      <h2>${at('nav.humanService')}</h2>
      <section><kf-setting-form .section=${humanServiceSection}></kf-setting-form></section>
      <section><kf-service-hours-form></kf-service-hours-form></section>
      <section><kf-setting-form .section=${offHoursSection}></kf-setting-form></section>
      <section><kf-setting-form .section=${queueSection}></kf-setting-form></section>
      <section><kf-setting-form .section=${satisfactionSection}></kf-setting-form></section>
      <section><kf-setting-form .section=${offlineMessagesSection}></kf-setting-form></section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-human-service-page': KfHumanServicePage;
  }
}
