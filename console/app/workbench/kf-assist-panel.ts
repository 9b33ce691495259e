import { css, html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { t } from '../../i18n/i18n.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import { requestCompose } from '../state/compose-bus.ts';
import { StoreController } from '../state/store-context.ts';

/** 智能辅助: the knowledge base's answer (and alternatives) to the visitor's latest question; send or edit first. */
@customElement('kf-assist-panel')
export class KfAssistPanel extends KfElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: grid; gap: 8px; align-content: start; }
      h3 { margin: 0; font-size: 14px; font-weight: 600; }
      .q { font-size: 12px; color: var(--kf-text-3); }
      .answer { border: 1px solid var(--kf-border); border-radius: 6px; padding: 8px; display: grid; gap: 6px; font-size: 13px; }
      .answer p { margin: 0; white-space: pre-wrap; }
      .row { display: flex; gap: 6px; justify-content: flex-end; }
      .row button { font-size: 12px; padding: 2px 10px; }
      .muted { color: var(--kf-text-3); font-size: 12px; }
    `,
  ];

  #store = new StoreController(this);

  #use(answer: string, send: boolean): void {
    const store = this.#store.store;
    if (!store?.openId) return;
    requestCompose({ text: answer, replace: true, send });
    if (send) store.dismissSuggestion(store.openId);
  }

  override render() {
    const store = this.#store.store;
    const mine = store?.open?.status === 'assigned' && store.open.assigneeId === store.user?.id;
    const suggestion = store?.openId ? store.suggestions.get(store.openId) : undefined;
    return html`
      <h3>${t('assist.title')}</h3>
      ${!suggestion
        ? html`<span class="muted">${t('assist.empty')}</span>`
        : html`
            ${suggestion.question ? html`<span class="q">${t('assist.question', { text: suggestion.question })}</span>` : nothing}
            ${suggestion.answers.slice(0, 3).map(
              (answer) => html`<div class="answer">
                <p>${answer}</p>
                <div class="row">
                  <button ?disabled=${!mine} @click=${() => this.#use(answer, false)}>${t('assist.edit')}</button>
                  <button class="primary" ?disabled=${!mine} @click=${() => this.#use(answer, true)}>${t('assist.send')}</button>
                </div>
              </div>`,
            )}
          `}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-assist-panel': KfAssistPanel;
  }
}
