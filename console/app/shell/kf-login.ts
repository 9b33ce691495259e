import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { t } from '../../i18n/i18n.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import { login } from '../data/auth.ts';
import { describeError } from '../state/console-store.ts';

/** Email + password sign-in; fires `kf-signed-in` with the user once the session cookie is set. */
@customElement('kf-login')
export class KfLogin extends KfElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: flex; flex: 1; align-items: center; justify-content: center; }
      form {
        width: 360px; padding: 32px; display: flex; flex-direction: column; gap: 14px;
        background: var(--kf-surface); border-radius: 12px; box-shadow: var(--kf-shadow);
      }
      h1 { margin: 0 0 8px; font-size: 20px; font-weight: 600; }
      label { display: flex; flex-direction: column; gap: 6px; color: var(--kf-text-2); }
      input { padding: 9px 12px; }
      button.primary { padding: 9px; }
      .error { color: var(--kf-danger); }
      .lang { align-self: flex-end; }
    `,
  ];

  @state() private busy = false;
  @state() private error = '';

  async #submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    this.busy = true;
    this.error = '';
    try {
      const user = await login(String(data.get('email') ?? ''), String(data.get('password') ?? ''));
      this.dispatchEvent(new CustomEvent('kf-signed-in', { detail: user, bubbles: true, composed: true }));
    } catch (error) {
      this.error = describeError(error) || t('login.failed');
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`
      <form @submit=${this.#submit}>
        <button type="button" class="link lang" @click=${() => this.dispatchEvent(new Event('kf-toggle-locale'))}>
          ${t('app.language')}
        </button>
        <h1>${t('login.title')}</h1>
        <label>${t('login.email')}<input name="email" type="email" autocomplete="username" required autofocus /></label>
        <label>
          ${t('login.password')}<input name="password" type="password" autocomplete="current-password" required />
        </label>
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
        <button class="primary" type="submit" ?disabled=${this.busy}>
          ${this.busy ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-login': KfLogin;
  }
}
