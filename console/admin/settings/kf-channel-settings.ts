import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ChannelSettings } from '../../../core/settings/settings-schema.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import { api, errorText } from '../data/admin-api.ts';
import { joinList, readNumber, splitList } from './settings-fields.ts';
import { st } from './settings-strings.ts';
import { formStyles } from './settings-styles.ts';

/** A channel's bot and 转人工 settings, saved with PUT /api/channels/:id/settings. */
@customElement('kf-channel-settings')
export class KfChannelSettings extends KfElement {
  static override styles = [baseStyles, formStyles];

  @property() channelId = '';
  @property() channelType = '';
  @property({ attribute: false }) settings: ChannelSettings | null = null;
  @state() private draft: Record<string, unknown> = {};
  @state() private busy = false;
  @state() private message: { error: boolean; text: string } | null = null;

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('settings') && this.settings) this.draft = { ...this.settings };
  }

  #set(name: string, value: unknown): void {
    this.draft = { ...this.draft, [name]: value };
    this.message = null;
  }

  async #save(event: Event): Promise<void> {
    event.preventDefault();
    this.busy = true;
    try {
      const answer = await api.put<{ settings: ChannelSettings }>(`/api/channels/${this.channelId}/settings`, this.draft);
      this.draft = { ...answer.settings };
      this.message = { error: false, text: st('saved') };
      this.dispatchEvent(new CustomEvent('kf-saved', { detail: answer.settings }));
    } catch (error) {
      this.message = { error: true, text: errorText(error) };
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const d = this.draft;
    const value = (e: Event) => (e.target as HTMLInputElement).value;
    const checked = (e: Event) => (e.target as HTMLInputElement).checked;
    return html`
      <form @submit=${this.#save} novalidate>
        ${this.channelType === 'web'
          ? html`<label class="field"><span>${st('channels.widgetTitle')}</span><input type="text" name="title" .value=${String(d['title'] ?? '')}
              @input=${(e: Event) => this.#set('title', value(e))} /></label>`
          : nothing}
        <label class="check"><input type="checkbox" name="botEnabled" .checked=${d['botEnabled'] === true} @change=${(e: Event) => this.#set('botEnabled', checked(e))} />${st('channels.botEnabled')}</label>
        <label class="field"><span>${st('channels.greeting')}</span><textarea name="greeting" rows="2" .value=${String(d['greeting'] ?? '')}
          @input=${(e: Event) => this.#set('greeting', value(e))}></textarea></label>
        <label class="field"><span>${st('channels.transferKeywords')}</span><input type="text" name="transferKeywords" .value=${joinList(d['transferKeywords'])}
          @change=${(e: Event) => this.#set('transferKeywords', splitList(value(e)))} /><span class="hint">${st('listHint')}</span></label>
        <label class="field"><span>${st('channels.transferAfterMisses')}</span><input type="number" name="transferAfterMisses" min="1" max="20"
          .value=${String(d['transferAfterMisses'] ?? '')} @input=${(e: Event) => this.#set('transferAfterMisses', readNumber(value(e)))} /></label>
        <label class="check"><input type="checkbox" name="handoffButton" .checked=${d['handoffButton'] === true} @change=${(e: Event) => this.#set('handoffButton', checked(e))} />${st('channels.handoffButton')}</label>
        <div class="actions">
          <button class="primary" type="submit" ?disabled=${this.busy}>${st('save')}</button>
          ${this.message ? html`<span role="status" class=${this.message.error ? 'error' : 'ok'}>${this.message.text}</span>` : nothing}
        </div>
      </form>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-channel-settings': KfChannelSettings;
  }
}
