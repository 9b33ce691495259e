import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import { api, errorText } from '../data/admin-api.ts';
import { joinList, readNumber, splitList, type SettingField, type SettingSection } from './settings-fields.ts';
import { st } from './settings-strings.ts';
import { formStyles } from './settings-styles.ts';

type Value = Record<string, unknown>;

/**
 * One section of a settings page: loads GET /api/settings/:key, edits its plain fields and saves
 * the whole value with PUT; a refusal shows the server's message (which names the field).
 */
@customElement('kf-setting-form')
export class KfSettingForm extends KfElement {
  static override styles = [baseStyles, formStyles];

  @property({ attribute: false }) section?: SettingSection;
  @state() private value: Value | null = null;
  @state() private busy = false;
  @state() private message: { error: boolean; text: string } | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  async #load(): Promise<void> {
    if (!this.section) return;
    try {
      this.value = (await api.get<{ value: Value }>(`/api/settings/${this.section.key}`)).value;
    } catch (error) {
      this.message = { error: true, text: errorText(error) };
    }
  }

  #set(name: string, v: unknown): void {
    this.value = { ...this.value, [name]: v };
    this.message = null;
  }

  async #save(event: Event): Promise<void> {
    event.preventDefault();
    if (!this.section || !this.value) return;
    this.busy = true;
    try {
      this.value = (await api.put<{ value: Value }>(`/api/settings/${this.section.key}`, this.value)).value;
      this.message = { error: false, text: st('saved') };
    } catch (error) {
      this.message = { error: true, text: errorText(error) };
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const section = this.section;
    if (!section) return nothing;
    return html`
      <form data-key=${section.key} @submit=${this.#save} novalidate>
        <h3>${st(section.title)}</h3>
        ${this.value ? section.fields.map((field) => this.#renderField(field, this.value![field.name])) : html`<p class="hint">${st('loading')}</p>`}
        <div class="actions">
          <button class="primary" type="submit" ?disabled=${this.busy || !this.value}>${st('save')}</button>
          ${this.message ? html`<span role="status" class=${this.message.error ? 'error' : 'ok'}>${this.message.text}</span>` : nothing}
        </div>
      </form>
    `;
  }

  #renderField(field: SettingField, current: unknown) {
    const text = (e: Event) => (e.target as HTMLInputElement).value;
    switch (field.kind) {
      case 'bool':
        return html`<label class="check"><input type="checkbox" name=${field.name} .checked=${current === true}
          @change=${(e: Event) => this.#set(field.name, (e.target as HTMLInputElement).checked)} />${st(field.label)}</label>`;
      case 'number':
        return html`<label class="field"><span>${st(field.label)}</span><input type="number" name=${field.name} min=${field.min} max=${field.max}
          .value=${String(current ?? '')} @input=${(e: Event) => this.#set(field.name, readNumber(text(e)))} /></label>`;
      case 'textarea':
        return html`<label class="field"><span>${st(field.label)}</span><textarea name=${field.name} rows="2"
          .value=${String(current ?? '')} @input=${(e: Event) => this.#set(field.name, text(e))}></textarea></label>`;
      case 'list':
        return html`<label class="field"><span>${st(field.label)}</span><input type="text" name=${field.name}
          .value=${joinList(current)} @change=${(e: Event) => this.#set(field.name, splitList(text(e)))} />
          <span class="hint">${st('listHint')}</span></label>`;
      case 'choice':
        return html`<label class="field"><span>${st(field.label)}</span><select name=${field.name} @change=${(e: Event) => this.#set(field.name, text(e))}>
          ${field.options.map((o) => html`<option value=${o.value} ?selected=${current === o.value}>${st(o.label)}</option>`)}
        </select></label>`;
      case 'multi': {
        const chosen = Array.isArray(current) ? (current as string[]) : [];
        return html`<div class="field"><span>${st(field.label)}</span><div class="options">
          ${field.options.map((o) => html`<label><input type="checkbox" name=${field.name} value=${o.value} .checked=${chosen.includes(o.value)}
            @change=${(e: Event) => this.#set(field.name, (e.target as HTMLInputElement).checked ? [...chosen, o.value] : chosen.filter((v) => v !== o.value))} />${st(o.label)}</label>`)}
        </div></div>`;
      }
      default:
        return html`<label class="field"><span>${st(field.label)}</span><input type="text" name=${field.name}
          .value=${String(current ?? '')} @input=${(e: Event) => this.#set(field.name, text(e))} /></label>`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-setting-form': KfSettingForm;
  }
}
