import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { ChannelSettings } from '../../../core/settings/settings-schema.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import { at } from '../admin-strings.ts';
import { pageStyles } from '../admin-styles.ts';
import { api, errorText } from '../data/admin-api.ts';
import { st, type SettingsStringKey } from './settings-strings.ts';
import { formStyles } from './settings-styles.ts';
import './kf-channel-settings.ts';

interface ChannelRow {
  id: string;
  type: string;
  name: string;
  enabled: boolean;
  settings: ChannelSettings;
}

interface AddedChannel {
  channel: { id: string; type: string; name: string };
  callbackUrl?: string;
  token?: string;
  encodingAesKey?: string;
}

type NewType = 'wecom' | 'wechat_mp' | 'wechaty';

/** The credential fields each channel type asks for, as the WeChat admin names them. */
const credentialInputs: Record<NewType, { name: string; label: string; optional?: boolean; choices?: string[] }[]> = {
  wecom: [
    { name: 'corpId', label: '企业 ID（corpId）' },
    { name: 'secret', label: '微信客服 Secret' },
    { name: 'openKfId', label: '客服账号 ID（open_kfid）' },
    { name: 'token', label: 'Token（留空自动生成）', optional: true },
    { name: 'encodingAesKey', label: 'EncodingAESKey（留空自动生成）', optional: true },
  ],
  wechat_mp: [
    { name: 'appId', label: 'AppID' },
    { name: 'appSecret', label: 'AppSecret' },
    { name: 'token', label: 'Token' },
    { name: 'encodingAesKey', label: 'EncodingAESKey', optional: true },
    { name: 'mode', label: '消息加解密方式', choices: ['safe', 'compatible', 'plain'] },
  ],
  wechaty: [
    { name: 'puppet', label: 'Puppet（留空用默认）', optional: true },
    { name: 'puppetToken', label: 'Puppet Token', optional: true },
  ],
};
const modeLabels: Record<string, string> = { safe: '安全模式', compatible: '兼容模式', plain: '明文模式' };

/** 渠道管理: every channel, adding a WeChat-family channel, a web channel's embed code, per-channel settings. */
@customElement('kf-channels-page')
export class KfChannelsPage extends KfElement {
  static override styles = [
    baseStyles,
    pageStyles,
    formStyles,
    css`
      pre { background: var(--kf-hover); padding: 8px 12px; border-radius: var(--kf-radius); white-space: pre-wrap; word-break: break-all; user-select: all; }
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 12px; }
      dt { color: var(--kf-text-2); }
      dd { margin: 0; font-family: monospace; word-break: break-all; user-select: all; }
      td.actions-cell { white-space: nowrap; }
      tr.open td { background: var(--kf-hover); }
    `,
  ];

  @state() private channels: ChannelRow[] = [];
  @state() private adding: NewType | null = null;
  @state() private added: AddedChannel | null = null;
  @state() private openId: string | null = null;
  @state() private busy = false;
  @state() private message: { error: boolean; text: string } | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  async #load(): Promise<void> {
    try {
      this.channels = (await api.get<{ items: ChannelRow[] }>('/api/channels')).items;
    } catch (error) {
      this.message = { error: true, text: errorText(error) };
    }
  }

  async #create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const type = this.adding!;
    const data = new FormData(event.target as HTMLFormElement);
    const credentials: Record<string, string> = {};
    for (const input of credentialInputs[type]) {
      const value = String(data.get(input.name) ?? '').trim();
      if (value) credentials[input.name] = value;
    }
    this.busy = true;
    this.message = null;
    try {
      this.added = await api.post<AddedChannel>('/api/channels', { type, name: String(data.get('name') ?? ''), credentials });
      this.adding = null;
      await this.#load();
    } catch (error) {
      this.message = { error: true, text: errorText(error) };
    } finally {
      this.busy = false;
    }
  }

  async #toggle(channel: ChannelRow): Promise<void> {
    try {
      await api.patch(`/api/channels/${channel.id}`, { enabled: !channel.enabled });
      await this.#load();
    } catch (error) {
      this.message = { error: true, text: errorText(error) };
    }
  }

  override render() {
    return html`
      <h2>${at('nav.channels')}</h2>
      <section>
        <div class="bar">
          <strong>${st('channels.add')}</strong>
          ${(['wecom', 'wechat_mp', 'wechaty'] as const).map(
            (type) => html`<button aria-pressed=${this.adding === type} @click=${() => ((this.adding = type), (this.added = null), (this.message = null))}>
              ${st(`channels.type.${type}`)}</button>`,
          )}
        </div>
        ${this.adding ? this.#renderAddForm(this.adding) : nothing}
        ${this.added ? this.#renderAdded(this.added) : nothing}
        ${this.message ? html`<p role="status" class=${this.message.error ? 'error' : 'ok'}>${this.message.text}</p>` : nothing}
      </section>
      <section>
        <table>
          <thead><tr><th>${st('channels.name')}</th><th>${st('channels.type')}</th><th>${st('channels.enabled')}</th><th></th></tr></thead>
          <tbody>
            ${this.channels.map((c) => this.#renderRow(c))}
          </tbody>
        </table>
      </section>
    `;
  }

  #renderRow(c: ChannelRow) {
    const open = this.openId === c.id;
    return html`
      <tr class=${open ? 'open' : ''} data-channel=${c.id}>
        <td>${c.name}</td>
        <td>${st(`channels.type.${c.type}` as SettingsStringKey)}</td>
        <td>${c.enabled ? st('channels.on') : html`<span class="muted">${st('channels.off')}</span>`}</td>
        <td class="actions-cell">
          <button @click=${() => (this.openId = open ? null : c.id)}>${st('channels.settings')}</button>
          <button @click=${() => this.#toggle(c)}>${st(c.enabled ? 'channels.disable' : 'channels.enable')}</button>
        </td>
      </tr>
      ${open
        ? html`<tr><td colspan="4">
            ${c.type === 'web' ? this.#renderEmbed(c.id) : nothing}
            <kf-channel-settings .channelId=${c.id} .channelType=${c.type} .settings=${c.settings}
              @kf-saved=${(e: CustomEvent<ChannelSettings>) => (this.channels = this.channels.map((x) => (x.id === c.id ? { ...x, settings: e.detail } : x)))}></kf-channel-settings>
          </td></tr>`
        : nothing}
    `;
  }

  #renderEmbed(id: string) {
    const origin = location.origin;
    return html`<p class="hint">${st('channels.embed')}</p>
      <pre class="embed">&lt;script src="${origin}/widget.js" data-channel="${id}" async&gt;&lt;/script&gt;</pre>
      <p class="hint">${st('channels.h5')}：<code>${origin}/h5?channel=${id}</code></p>`;
  }

  #renderAddForm(type: NewType) {
    return html`<form @submit=${this.#create}>
      <label class="field"><span>${st('channels.name')}</span><input type="text" name="name" required maxlength="60" /></label>
      ${credentialInputs[type].map((input) =>
        input.choices
          ? html`<label class="field"><span>${input.label}</span><select name=${input.name}>
              ${input.choices.map((c) => html`<option value=${c}>${modeLabels[c] ?? c}</option>`)}</select></label>`
          : html`<label class="field"><span>${input.label}</span><input type="text" name=${input.name} ?required=${!input.optional} autocomplete="off" /></label>`,
      )}
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy}>${st('channels.create')}</button>
        <button type="button" @click=${() => (this.adding = null)}>${st('cancel')}</button>
      </div>
    </form>`;
  }

  #renderAdded(added: AddedChannel) {
    return html`<div class="added" role="status">
      <p class="ok">${st('saved')} · ${added.channel.name}</p>
      ${added.callbackUrl || added.token
        ? html`<p class="hint">${st('channels.pasteHint')}</p>
            <dl>
              ${added.callbackUrl ? html`<dt>${st('channels.callbackUrl')}</dt><dd class="callback-url">${added.callbackUrl}</dd>` : nothing}
              ${added.token ? html`<dt>${st('channels.token')}</dt><dd class="token">${added.token}</dd>` : nothing}
              ${added.encodingAesKey ? html`<dt>${st('channels.aesKey')}</dt><dd>${added.encodingAesKey}</dd>` : nothing}
            </dl>`
        : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-channels-page': KfChannelsPage;
  }
}
