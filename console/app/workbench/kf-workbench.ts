import { css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { KfElement } from '../../ui/kf-element.ts';
import './kf-conversation-list.ts';
import './kf-message-pane.ts';
import './kf-visitor-panel.ts';

/**
 * The 客服工作台 layout: conversation list, message area, and the extension column (visitor
 * information now; quick replies and suggestions later).
 */
@customElement('kf-workbench')
export class KfWorkbench extends KfElement {
  static override styles = css`
    :host { display: grid; grid-template-columns: 300px minmax(0, 1fr) 280px; height: 100%; min-height: 0; }
    :host > * { min-height: 0; }
    kf-conversation-list, kf-visitor-panel { background: var(--kf-surface); }
    kf-conversation-list { border-right: 1px solid var(--kf-border); }
    kf-visitor-panel { border-left: 1px solid var(--kf-border); }
  `;

  override render() {
    return html`
      <kf-conversation-list></kf-conversation-list>
      <kf-message-pane></kf-message-pane>
      <kf-visitor-panel></kf-visitor-panel>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-workbench': KfWorkbench;
  }
}
