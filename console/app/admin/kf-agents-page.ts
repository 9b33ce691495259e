import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { t } from '../../i18n/i18n.ts';
import type { Role, UserDto } from '../../shared/protocol.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import { createAgent, listAgents } from '../data/agents.ts';
import { describeError } from '../state/console-store.ts';

/** 客服账号 (admins): every agent with role, status and auto-accept limit, and a form to create one. */
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
      .message { padding: 0 16px 12px; }
      .message.error { color: var(--kf-danger); }
      .muted { color: var(--kf-text-3); }
    `,
  ];

  @state() private agents: UserDto[] = [];
  @state() private loading = true;
  @state() private busy = false;
  @state() private message: { kind: 'error' | 'info'; text: string } | null = null;

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
              <th>${t('agents.status')}</th><th>${t('agents.limit')}</th>
            </tr>
          </thead>
          <tbody>
            ${this.agents.map(
              (agent) => html`<tr>
                <td>${agent.name}</td>
                <td>${agent.email}</td>
                <td>${t(`role.${agent.role}`)}</td>
                <td>${agent.disabled ? html`<span class="muted">${t('agents.disabled')}</span>` : t(`status.${agent.status}`)}</td>
                <td>${agent.activeCount ?? 0} / ${agent.autoAcceptLimit}</td>
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
