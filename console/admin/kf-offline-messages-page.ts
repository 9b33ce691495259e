import { html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { baseStyles } from '../ui/theme.ts';
import { KfElement } from '../ui/kf-element.ts';
import { at } from './admin-strings.ts';
import { pageStyles } from './admin-styles.ts';
import { api, errorText, qs } from './data/admin-api.ts';

interface OfflineMessage {
  id: string;
  status: 'open' | 'done';
  name: string | null;
  phone: string | null;
  email: string | null;
  content: string;
  channelName: string;
  note: string | null;
  handledByName: string | null;
  createdAt: string;
}

/** 留言回复: 未接单 / 已结单 lists with a date filter, the detail with the contact, and marking done with a note. */
@customElement('kf-offline-messages-page')
export class KfOfflineMessagesPage extends KfElement {
  static override styles = [baseStyles, pageStyles];

  @state() private status: 'open' | 'done' = 'open';
  @state() private from = '';
  @state() private to = '';
  @state() private items: OfflineMessage[] = [];
  @state() private selected: OfflineMessage | null = null;
  @state() private error = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  async #load(): Promise<void> {
    try {
      this.items = (await api.get<{ items: OfflineMessage[] }>(`/api/offline-messages${qs({ status: this.status, from: this.from, to: this.to })}`)).items;
    } catch (error) {
      this.error = errorText(error);
    }
  }

  async #done(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (!this.selected) return;
    const note = String(new FormData(event.target as HTMLFormElement).get('note') ?? '');
    try {
      await api.post(`/api/offline-messages/${this.selected.id}/done`, { note });
      this.selected = null;
      await this.#load();
    } catch (error) {
      this.error = errorText(error);
    }
  }

  override render() {
    const m = this.selected;
    return html`
      <h2>${at('nav.offline')}</h2>
      <div class="bar tabs">
        ${(['open', 'done'] as const).map(
          (s) => html`<button aria-selected=${this.status === s} @click=${() => ((this.status = s), (this.selected = null), void this.#load())}>${at(s === 'open' ? 'offline.open' : 'offline.done')}</button>`,
        )}
        <label>${at('common.from')} <input type="date" .value=${this.from} @change=${(e: Event) => ((this.from = (e.target as HTMLInputElement).value), void this.#load())} /></label>
        <label>${at('common.to')} <input type="date" .value=${this.to} @change=${(e: Event) => ((this.to = (e.target as HTMLInputElement).value), void this.#load())} /></label>
      </div>
      ${this.error ? html`<p class="error">${this.error}</p>` : null}
      ${m
        ? html`<section>
            <p><b>${m.name ?? ''}</b> · ${m.channelName} · ${new Date(m.createdAt).toLocaleString()}</p>
            <p>${at('offline.contact')}：${[m.phone, m.email].filter(Boolean).join(' / ')}</p>
            <p>${at('offline.content')}：${m.content}</p>
            ${m.status === 'open'
              ? html`<form class="bar" @submit=${this.#done}><input name="note" maxlength="1000" placeholder=${at('offline.note')} style="flex:1" /><button class="primary">${at('offline.markDone')}</button></form>`
              : html`<p class="muted">${at('offline.handledBy', { name: m.handledByName ?? '' })} ${m.note ?? ''}</p>`}
            <button @click=${() => (this.selected = null)}>${at('common.cancel')}</button>
          </section>`
        : null}
      <section>
        <table>
          <tbody>
            ${this.items.map(
              (item) => html`<tr class="clickable" @click=${() => (this.selected = item)}>
                <td>${new Date(item.createdAt).toLocaleString()}</td><td>${item.name ?? ''}</td><td>${item.phone ?? item.email ?? ''}</td><td>${item.content}</td>
              </tr>`,
            )}
          </tbody>
        </table>
        ${this.items.length === 0 ? html`<p class="muted">${at('common.empty')}</p>` : null}
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-offline-messages-page': KfOfflineMessagesPage;
  }
}
