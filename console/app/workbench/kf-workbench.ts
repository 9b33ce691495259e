import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { KfElement } from '../../ui/kf-element.ts';
import './kf-conversation-list.ts';
import './kf-extension-panel.ts';
import './kf-jump-dialog.ts';
import './kf-message-pane.ts';

/**
 * The 客服工作台 layout: conversation list, message area, and the extension column (visitor
 * information, quick replies, 智能辅助). Ctrl/⌘+K opens the jump dialog from anywhere.
 */
@customElement('kf-workbench')
export class KfWorkbench extends KfElement {
  static override styles = css`
    :host { display: grid; grid-template-columns: 300px minmax(0, 1fr) 300px; height: 100%; min-height: 0; }
    :host > * { min-height: 0; }
    kf-conversation-list, kf-extension-panel { background: var(--kf-surface); }
    kf-conversation-list { border-right: 1px solid var(--kf-border); }
    kf-extension-panel { border-left: 1px solid var(--kf-border); }
  `;

  @state() private jumping = false;
  #onKey = (event: KeyboardEvent) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
      event.preventDefault();
      this.jumping = true;
    }
  };

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('keydown', this.#onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('keydown', this.#onKey);
  }

  override render() {
    return html`
      <kf-conversation-list></kf-conversation-list>
      <kf-message-pane></kf-message-pane>
      <kf-extension-panel></kf-extension-panel>
      ${this.jumping ? html`<kf-jump-dialog @kf-close=${() => (this.jumping = false)}></kf-jump-dialog>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-workbench': KfWorkbench;
  }
}
