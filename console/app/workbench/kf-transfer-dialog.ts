import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { t } from '../../i18n/i18n.ts';
import type { UserDto } from '../../shared/protocol.ts';
import { dialogStyles } from '../../ui/dialog-styles.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import { listAgents } from '../data/agents.ts';
import { describeError } from '../state/console-store.ts';
import { StoreController } from '../state/store-context.ts';

/**
 * 转接 (or 分配 for a queued conversation): the online agents with their current load; the chosen one
 * gets the conversation with its whole history. Fires `kf-close` when done or dismissed.
 */
@customElement('kf-transfer-dialog')
export class KfTransferDialog extends KfElement {
  static override styles = [baseStyles, dialogStyles];

  @property() conversationId = '';
  @property() assigneeId: string | null = null;
  @property({ type: Boolean }) assign = false;
  @state() private agents: UserDto[] | null = null;
  @state() private chosen = '';
  @state() private error = '';
  @state() private busy = false;
  #store = new StoreController(this);

  override async firstUpdated(): Promise<void> {
    this.renderRoot.querySelector('dialog')?.showModal();
    try {
      const me = this.#store.store?.user?.id;
      this.agents = (await listAgents()).filter(
        (agent) => agent.status === 'online' && !agent.disabled && agent.id !== this.assigneeId && (this.assign || agent.id !== me),
      );
    } catch (error) {
      this.error = describeError(error);
      this.agents = [];
    }
  }

  async #submit(event: Event): Promise<void> {
    event.preventDefault();
    const store = this.#store.store;
    const agent = this.agents?.find((a) => a.id === this.chosen);
    if (!store || !agent) return;
    this.busy = true;
    const note = (this.renderRoot.querySelector('textarea') as HTMLTextAreaElement | null)?.value.trim();
    const ok = await store.transfer(this.conversationId, agent.id, note);
    this.busy = false;
    if (ok) {
      store.showNotice({ kind: 'info', text: t('transfer.done', { name: agent.name }) });
      this.#close();
    }
  }

  #close(): void {
    this.dispatchEvent(new Event('kf-close'));
  }

  override render() {
    return html`
      <dialog @close=${() => this.#close()}>
        <form @submit=${this.#submit}>
          <h2>${t(this.assign ? 'transfer.assignTitle' : 'transfer.title')}</h2>
          <div class="body" role="radiogroup">
            ${this.agents === null ? html`<span class="muted">${t('list.loading')}</span>` : nothing}
            ${this.agents?.length === 0 ? html`<span class="muted">${t('transfer.none')}</span>` : nothing}
            ${(this.agents ?? []).map(
              (agent) => html`<label class="choice">
                <input type="radio" name="agent" .value=${agent.id} @change=${() => (this.chosen = agent.id)} />
                <span>${agent.name}</span>
                <span class="muted">${t('transfer.load', { active: agent.activeCount ?? 0, limit: agent.autoAcceptLimit })}</span>
              </label>`,
            )}
            ${this.assign ? nothing : html`<textarea name="note" maxlength="500" placeholder=${t('transfer.note')}></textarea>`}
            ${this.error ? html`<span class="muted" role="alert">${this.error}</span>` : nothing}
          </div>
          <div class="buttons">
            <button type="button" @click=${() => this.#close()}>${t('dialog.cancel')}</button>
            <button type="submit" class="primary" ?disabled=${!this.chosen || this.busy}>${t('transfer.submit')}</button>
          </div>
        </form>
      </dialog>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-transfer-dialog': KfTransferDialog;
  }
}
