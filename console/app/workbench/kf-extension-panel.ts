import { css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { t } from '../../i18n/i18n.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import './kf-assist-panel.ts';
import './kf-quick-replies.ts';
import './kf-visitor-panel.ts';

/** 扩展功能区: visitor information and quick replies as tabs, 智能辅助 always visible in the lower part. */
@customElement('kf-extension-panel')
export class KfExtensionPanel extends KfElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: grid; grid-template-rows: auto minmax(0, 1fr) auto; min-height: 0; }
      [role='tablist'] { display: flex; border-bottom: 1px solid var(--kf-border); padding: 0 8px; }
      [role='tab'] {
        flex: 1; border: none; border-radius: 0; background: none; padding: 12px 4px;
        color: var(--kf-text-2); border-bottom: 2px solid transparent;
      }
      [role='tab'][aria-selected='true'] { color: var(--kf-primary); border-bottom-color: var(--kf-primary); font-weight: 600; }
      .pane { overflow-y: auto; min-height: 0; }
      kf-quick-replies { padding: 12px; height: 100%; }
      kf-assist-panel { border-top: 1px solid var(--kf-border); padding: 12px; max-height: 45vh; overflow-y: auto; }
    `,
  ];

  @state() private tab: 'visitor' | 'quickReplies' = 'visitor';

  override render() {
    return html`
      <div role="tablist">
        ${(['visitor', 'quickReplies'] as const).map(
          (tab) => html`<button role="tab" aria-selected=${this.tab === tab} @click=${() => (this.tab = tab)}>${t(`ext.${tab}`)}</button>`,
        )}
      </div>
      <div class="pane">
        ${this.tab === 'visitor' ? html`<kf-visitor-panel></kf-visitor-panel>` : html`<kf-quick-replies></kf-quick-replies>`}
      </div>
      <kf-assist-panel></kf-assist-panel>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-extension-panel': KfExtensionPanel;
  }
}
