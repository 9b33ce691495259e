import { css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { baseStyles } from '../ui/theme.ts';
import { KfElement } from '../ui/kf-element.ts';
import { at } from './admin-strings.ts';
import { api, errorText } from './data/admin-api.ts';

interface Detail {
  id: string;
  visitor: { name: string | null; externalId: string };
  agent: { name: string } | null;
  rating: { score: number; comment: string | null } | null;
  messages: { id: string; sender: string; senderName: string | null; kind: string; text: string | null; mediaUrl: string | null; createdAt: string }[];
}

/** One session's transcript with its rating; fires `close`. */
@customElement('kf-record-detail')
export class KfRecordDetail extends KfElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: block; border: 1px solid var(--kf-border); border-radius: var(--kf-radius); padding: 12px 16px; margin-bottom: 16px; background: var(--kf-surface); }
      .line { margin: 4px 0; }
      .who { color: var(--kf-text-3); font-size: 12px; margin-right: 8px; }
    `,
  ];

  @property() recordId = '';
  @state() private detail: Detail | null = null;
  @state() private error = '';

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('recordId') && this.recordId) {
      api.get<{ record: Detail }>(`/api/records/${this.recordId}`).then(
        (r) => (this.detail = r.record),
        (error) => (this.error = errorText(error)),
      );
    }
  }

  override render() {
    const d = this.detail;
    return html`
      <button @click=${() => this.dispatchEvent(new CustomEvent('close'))}>${at('common.cancel')}</button>
      ${this.error ? html`<p class="error">${this.error}</p>` : null}
      ${d
        ? html`<h3>${at('records.transcript')} · ${d.visitor.name ?? d.visitor.externalId}${d.agent ? ` · ${d.agent.name}` : ''}${d.rating ? ` · ${at('records.rating')} ${d.rating.score}` : ''}</h3>
            ${d.messages.map(
              (m) => html`<p class="line"><span class="who">${new Date(m.createdAt).toLocaleTimeString()} ${m.senderName ?? m.sender}</span>${m.kind === 'image' && m.mediaUrl ? html`<a href=${m.mediaUrl} target="_blank">[image]</a>` : m.text}</p>`,
            )}`
        : html`<p>${at('common.loading')}</p>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-record-detail': KfRecordDetail;
  }
}
