import { css, html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { t } from '../../i18n/i18n.ts';
import { conversationChannelKey, formatClock } from '../../ui/format.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import { StoreController } from '../state/store-context.ts';

/** 扩展功能区, first part: who the visitor is (channel, name, contact fields, what the channel reported). */
@customElement('kf-visitor-panel')
export class KfVisitorPanel extends KfElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: block; overflow-y: auto; padding: 16px; }
      h3 { margin: 0 0 12px; font-size: 14px; font-weight: 600; }
      h4 { margin: 16px 0 8px; font-size: 12px; color: var(--kf-text-3); font-weight: 500; }
      dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 6px 12px; font-size: 13px; }
      dt { color: var(--kf-text-3); }
      dd { margin: 0; word-break: break-all; }
      a { color: var(--kf-primary); }
      .avatar { width: 48px; height: 48px; border-radius: 50%; object-fit: cover; margin-bottom: 8px; }
    `,
  ];

  #store = new StoreController(this);

  override render() {
    const conversation = this.#store.store?.open;
    if (!conversation) return html`<h3>${t('visitor.title')}</h3>`;
    const { visitor } = conversation;
    const facts = (record: Record<string, unknown> | undefined) =>
      Object.entries(record ?? {})
        .filter(([, value]) => value !== null && value !== undefined && value !== '' && typeof value !== 'object')
        .map(([key, value]) => html`<dt>${key}</dt><dd>${String(value)}</dd>`);
    const contact = facts(visitor.contact);
    const { device, page, ...rest } = visitor.profile ?? {};
    const profile = facts(rest);
    return html`
      ${visitor.avatarUrl ? html`<img class="avatar" src=${visitor.avatarUrl} alt="" />` : nothing}
      <dl>
        <dt>${t('visitor.name')}</dt><dd>${visitor.name}</dd>
        <dt>${t('visitor.channel')}</dt><dd>${t(conversationChannelKey(conversation))}${conversation.channelName ? ` · ${conversation.channelName}` : ''}</dd>
        ${typeof device === 'string' ? html`<dt>${t('visitor.device')}</dt><dd>${device === 'h5' ? 'H5' : 'PC'}</dd>` : nothing}
        ${typeof page === 'string' ? html`<dt>${t('visitor.page')}</dt><dd><a href=${page} target="_blank" rel="noopener noreferrer">${page}</a></dd>` : nothing}
        <dt>${t('visitor.firstSeen')}</dt><dd>${formatClock(visitor.firstSeenAt)}</dd>
      </dl>
      ${contact.length ? html`<h4>${t('visitor.contact')}</h4><dl>${contact}</dl>` : nothing}
      ${profile.length ? html`<h4>${t('visitor.profile')}</h4><dl>${profile}</dl>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-visitor-panel': KfVisitorPanel;
  }
}
