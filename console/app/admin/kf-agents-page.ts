import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { t } from '../../i18n/i18n.ts';
import type { Role, UserDto } from '../../shared/protocol.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import { postJson } from '../data/api.ts';
import { createAgent, listAgents } from '../data/agents.ts';
import { describeError } from '../state/console-store.ts';
import { StoreController } from '../state/store-context.ts';

/**
 * 客服账号 (admins): every agent with role, status and auto-accept limit, a form to create one, and per
 * account: change the limit, disable / re-enable, reset the password (PATCH /api/agents/:id).
 */
@customElement('kf-agents-page')
export class KfAgentsPage extends KfElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: block; overflow-y: auto; padding: 24px 32px; }
      h2 { margin: 0 0 16px; font-size: 18px; }
      section { background: var(--kf-surface); border-radius: var(--kf-radius); border: 1px solid var(--kf-border); margin-bottom: 20px; }
      table { width: 100%; border-collapse: collapse; }
      th, td { text-align: left; padding: 10px 16px; border-bottom: 1px solid var(--kf-hover); }
      th { color: var(--kf-text-3); font-weight: 500; font-size: 12px; }
      form { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-end; padding: 16px; }
      label { display: flex; flex-direction: column; gap: 4px; font-size: 12px; color: var(--kf-text-2); }
      input[type='number'] { width: 110px; }
      td input[type='number'] { width: 64px; }
      td.actions { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
      td.actions input[type='password'] { width: 160px; }
      tr.off td:not(.actions) { color: var(--kf-text-3); }
      .message { padding: 0 16px 12px; }
      .message.error { color: var(--kf-danger); }
      .muted { color: var(--kf-text-3); }
    `,
  ];

  @state() private agents: UserDto[] = [];
  @state() private loading = true;
  @state() private busy = false;
  @state() private message: { kind: 'error' | 'info'; text: string } | null = null;
  /** The account whose new password is being typed. */
  @state() private resetting: string | null = null;
  #store = new StoreController(this);

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  async #load(): Promise<void> {
    try {
      this.agents = await listAgents();
    } catch (error) {
      this.message = { kind: 'error', text: describeError(error) };
    } finally {
      this.loading = false;
    }
  }

  async #create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const email = String(data.get('email'));
    this.busy = true;
    this.message = null;
    try {
      await createAgent({
        email,
        name: String(data.get('name')),
        password: String(data.get('password')),
        role: String(data.get('role')) as Role,
        autoAcceptLimit: Number(data.get('autoAcceptLimit')),
      });
      form.reset();
      this.message = { kind: 'info', text: t('agents.created', { email }) };
      await this.#load();
    } catch (error) {
      this.message = { kind: 'error', text: describeError(error) };
    } finally {
      this.busy = false;
    }
  }

  async #update(agent: UserDto, patch: { autoAcceptLimit?: number; disabled?: boolean; password?: string }, done: string): Promise<void> {
    this.message = null;
    try {
      await postJson(`/api/agents/${agent.id}`, patch, 'PATCH');
      this.message = { kind: 'info', text: done };
      this.resetting = null;
      await this.#load();
    } catch (error) {
      this.message = { kind: 'error', text: describeError(error) };
    }
  }

  #resetPassword(event: SubmitEvent, agent: UserDto): void {
    event.preventDefault();
    const password = String(new FormData(event.target as HTMLFormElement).get('password'));
    void this.#update(agent, { password }, t('agents.passwordReset', { name: agent.name }));
  }

  #renderActions(agent: UserDto) {
    if (this.resetting === agent.id) {
      return html`<form class="reset" @submit=${(e: SubmitEvent) => this.#resetPassword(e, agent)} style="padding:0;gap:6px">
        <input name="password" type="password" required minlength="8" autocomplete="new-password" placeholder=${t('agents.newPassword')} aria-label=${t('agents.newPassword')} />
        <button class="primary" type="submit">${t('agents.confirm')}</button>
        <button type="button" @click=${() => (this.resetting = null)}>${t('agents.cancel')}</button>
      </form>`;
    }
    // The server refuses disabling oneself; do not offer it.
    const self = agent.id === this.#store.store?.user?.id;
    return html`
      ${self
        ? nothing
        : html`<button @click=${() => this.#update(agent, { disabled: !agent.disabled }, t('agents.updated', { name: agent.name }))}>
            ${t(agent.disabled ? 'agents.enable' : 'agents.disable')}
          </button>`}
      <button @click=${() => (this.resetting = agent.id)}>${t('agents.resetPassword')}</button>
    `;
  }

  override render() {
    return html`
      <h2>${t('agents.title')}</h2>
      <section>
        <form @submit=${this.#create}>
          <label>${t('agents.name')}<input name="name" required maxlength="64" /></label>
          <label>${t('agents.email')}<input name="email" type="email" required /></label>
          <label>${t('agents.password')}<input name="password" type="password" required minlength="8" autocomplete="new-password" /></label>
          <label>${t('agents.role')}
            <select name="role">
              <option value="agent">${t('role.agent')}</option>
              <option value="admin">${t('role.admin')}</option>
            </select>
          </label>
          <label>${t('agents.limit')}<input name="autoAcceptLimit" type="number" min="0" max="100" value="5" required /></label>
          <button class="primary" type="submit" ?disabled=${this.busy}>${t('agents.create')}</button>
        </form>
        ${this.message ? html`<div class="message ${this.message.kind}" role="status">${this.message.text}</div>` : nothing}
      </section>
      <section>
        <table>
          <thead>
            <tr>
              <th>${t('agents.name')}</th><th>${t('agents.email')}</th><th>${t('agents.role')}</th>
              <th>${t('agents.status')}</th><th>${t('agents.limit')}</th><th>${t('agents.actions')}</th>
            </tr>
          </thead>
          <tbody>
            ${this.agents.map(
              (agent) => html`<tr class=${agent.disabled ? 'off' : ''} data-agent=${agent.email}>
                <td>${agent.name}</td>
                <td>${agent.email}</td>
                <td>${t(`role.${agent.role}`)}</td>
                <td>${agent.disabled ? html`<span class="muted">${t('agents.disabled')}</span>` : t(`status.${agent.status}`)}</td>
                <td>
                  ${agent.activeCount ?? 0} /
                  <input type="number" min="0" max="200" aria-label=${t('agents.limit')} .value=${String(agent.autoAcceptLimit)}
                    @change=${(e: Event) => this.#update(agent, { autoAcceptLimit: Number((e.target as HTMLInputElement).value) }, t('agents.updated', { name: agent.name }))} />
                </td>
                <td class="actions">${this.#renderActions(agent)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
        ${this.loading ? html`<div class="message muted">${t('list.loading')}</div>` : nothing}
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-agents-page': KfAgentsPage;
  }
}
