import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { t } from '../../i18n/i18n.ts';
import { dialogStyles } from '../../ui/dialog-styles.ts';
import { KfElement } from '../../ui/kf-element.ts';
import type { ChatMessage } from '../../ui/message-merge.ts';
import { baseStyles } from '../../ui/theme.ts';
import { captureKnowledge } from '../data/knowledge.ts';
import { describeError } from '../state/console-store.ts';
import { StoreController } from '../state/store-context.ts';

const textOf = (m: ChatMessage) => (m.kind === 'text' ? (m.text ?? '').trim() : '');

/**
 * 问题收录: pick at most one visitor question and one answer (agent or bot) from the conversation,
 * edit both, save them to the knowledge base. Fires `kf-close` when done or dismissed.
 */
@customElement('kf-capture-dialog')
export class KfCaptureDialog extends KfElement {
  static override styles = [baseStyles, dialogStyles];

  @property() conversationId = '';
  @property({ attribute: false }) messages: ChatMessage[] = [];
  @state() private question: ChatMessage | null = null;
  @state() private answer: ChatMessage | null = null;
  @state() private questionText = '';
  @state() private answerText = '';
  @state() private error = '';
  @state() private busy = false;
  #store = new StoreController(this);

  override firstUpdated(): void {
    this.renderRoot.querySelector('dialog')?.showModal();
  }

  #pick(role: 'question' | 'answer', message: ChatMessage): void {
    if (role === 'question') {
      this.question = message;
      this.questionText = textOf(message);
    } else {
      this.answer = message;
      this.answerText = textOf(message);
    }
  }

  async #submit(event: Event): Promise<void> {
    event.preventDefault();
    if (!this.questionText.trim() || !this.answerText.trim()) return;
    this.busy = true;
    this.error = '';
    try {
      await captureKnowledge({
        conversationId: this.conversationId,
        question: this.questionText.trim(),
        answer: this.answerText.trim(),
        questionMessageId: this.question?.id,
        answerMessageId: this.answer?.id,
      });
      this.#store.store?.showNotice({ kind: 'info', text: t('capture.saved') });
      this.dispatchEvent(new Event('kf-close'));
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  #choices(role: 'question' | 'answer', list: ChatMessage[]) {
    const selected = role === 'question' ? this.question : this.answer;
    return list.map(
      (m) => html`<label class="choice">
        <input type="radio" name=${role} .checked=${selected?.id === m.id} @change=${() => this.#pick(role, m)} />
        <span>${textOf(m)}</span>
      </label>`,
    );
  }

  override render() {
    const usable = this.messages.filter((m) => !m.localState && textOf(m));
    const questions = usable.filter((m) => m.sender === 'visitor').slice(-8);
    const answers = usable.filter((m) => m.sender === 'agent' || m.sender === 'bot').slice(-8);
    return html`
      <dialog @close=${() => this.dispatchEvent(new Event('kf-close'))}>
        <form @submit=${this.#submit}>
          <h2>${t('capture.title')}</h2>
          <div class="body">
            ${questions.length === 0 || answers.length === 0 ? html`<span class="muted">${t('capture.nothing')}</span>` : nothing}
            <span class="muted">${t('capture.pickQuestion')}</span>
            <div class="questions">${this.#choices('question', questions)}</div>
            <span class="muted">${t('capture.pickAnswer')}</span>
            <div class="answers">${this.#choices('answer', answers)}</div>
            <label>${t('capture.question')}
              <textarea name="question" maxlength="200" .value=${this.questionText} @input=${(e: Event) => (this.questionText = (e.target as HTMLTextAreaElement).value)}></textarea>
            </label>
            <label>${t('capture.answer')}
              <textarea name="answer" maxlength="5000" .value=${this.answerText} @input=${(e: Event) => (this.answerText = (e.target as HTMLTextAreaElement).value)}></textarea>
            </label>
            ${this.error ? html`<span class="muted" role="alert">${this.error}</span>` : nothing}
          </div>
          <div class="buttons">
            <button type="button" @click=${() => this.dispatchEvent(new Event('kf-close'))}>${t('dialog.cancel')}</button>
            <button type="submit" class="primary" ?disabled=${this.busy || !this.questionText.trim() || !this.answerText.trim()}>${t('capture.save')}</button>
          </div>
        </form>
      </dialog>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-capture-dialog': KfCaptureDialog;
  }
}
