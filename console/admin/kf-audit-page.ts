import { html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { baseStyles } from '../ui/theme.ts';
import { KfElement } from '../ui/kf-element.ts';
import { at } from './admin-strings.ts';
import { pageStyles } from './admin-styles.ts';
import { api, errorText, qs } from './data/admin-api.ts';

interface AuditEntry { id: number; actorEmail: string | null; action: string; targetType: string; targetId: string | null; data: unknown; createdAt: string }

/** 审计日志: searchable, newest first, paged with "load more". */
@customElement('kf-audit-page')
export class KfAuditPage extends KfElement {
  static override styles = [baseStyles, pageStyles];

  @state() private q = '';
  @state() private items: AuditEntry[] = [];
  @state() private next: number | null = null;
  @state() private error = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load(false);
  }

  async #load(more: boolean): Promise<void> {
    try {
      const page = await api.get<{ items: AuditEntry[]; next: number | null }>(`/api/audit${qs({ q: this.q, before: more ? this.next : undefined })}`);
      this.items = more ? [...this.items, ...page.items] : page.items;
      this.next = page.next;
    } catch (error) {
      this.error = errorText(error);
    }
  }

  override render() {
    return html`
      <h2>${at('nav.audit')}</h2>
      <div class="bar">
        <input placeholder=${at('audit.search')} .value=${this.q} @change=${(e: Event) => ((this.q = (e.target as HTMLInputElement).value), void this.#load(false))} />
      </div>
      ${this.error ? html`<p class="error">${this.error}</p>` : null}
      <section>
        <table>
          <thead><tr><th>${at('audit.time')}</th><th>${at('audit.actor')}</th><th>${at('audit.action')}</th><th>${at('audit.target')}</th></tr></thead>
          <tbody>
            ${this.items.map(
              (e) => html`<tr title=${JSON.stringify(e.data ?? {})}>
                <td>${new Date(e.createdAt).toLocaleString()}</td><td>${e.actorEmail ?? ''}</td><td>${e.action}</td><td>${e.targetType} ${e.targetId ?? ''}</td>
              </tr>`,
            )}
          </tbody>
        </table>
        ${this.next ? html`<button @click=${() => this.#load(true)}>${at('common.more')}</button>` : null}
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-audit-page': KfAuditPage;
  }
}
