import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { ServiceHours, ServiceHoursOverride, TimeRange, Weekday } from '../../../core/routing/service-hours.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import { api, errorText } from '../data/admin-api.ts';
import { st, type SettingsStringKey } from './settings-strings.ts';
import { formStyles } from './settings-styles.ts';

/** Monday first, as Chinese calendars show the week. */
const weekOrder: Weekday[] = [1, 2, 3, 4, 5, 6, 0];
const timezones = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Singapore', 'Asia/Tokyo', 'Europe/London', 'America/New_York', 'UTC'];

/** 人工客服服务时间段: on/off, timezone, ranges per weekday and date overrides, saved as `serviceHours`. */
@customElement('kf-service-hours-form')
export class KfServiceHoursForm extends KfElement {
  static override styles = [
    baseStyles,
    formStyles,
    css`
      table { border-collapse: collapse; margin-bottom: 12px; }
      td { padding: 4px 8px 4px 0; vertical-align: middle; }
      td.day { width: 56px; color: var(--kf-text-2); }
      .ranges { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
      .range { display: inline-flex; align-items: center; gap: 4px; }
      .range input[type='text'] { width: 64px; text-align: center; }
      tr { height: 40px; }
      button.link { padding: 0 4px; }
    `,
  ];

  @state() private hours: ServiceHours | null = null;
  @state() private busy = false;
  @state() private message: { error: boolean; text: string } | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    api.get<{ value: ServiceHours }>('/api/settings/serviceHours').then(
      (answer) => (this.hours = answer.value),
      (error: unknown) => (this.message = { error: true, text: errorText(error) }),
    );
  }

  #update(change: Partial<ServiceHours>): void {
    this.hours = { ...this.hours!, ...change };
    this.message = null;
  }

  #setDay(day: Weekday, ranges: TimeRange[]): void {
    this.#update({ weekly: { ...this.hours!.weekly, [day]: ranges } });
  }

  #setOverride(index: number, override: ServiceHoursOverride | null): void {
    const overrides = [...this.hours!.overrides];
    if (override) overrides[index] = override;
    else overrides.splice(index, 1);
    this.#update({ overrides });
  }

  async #save(event: Event): Promise<void> {
    event.preventDefault();
    this.busy = true;
    try {
      this.hours = (await api.put<{ value: ServiceHours }>('/api/settings/serviceHours', this.hours)).value;
      this.message = { error: false, text: st('saved') };
    } catch (error) {
      this.message = { error: true, text: errorText(error) };
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const hours = this.hours;
    return html`
      <form data-key="serviceHours" @submit=${this.#save} novalidate>
        <h3>${st('hours.title')}</h3>
        ${hours ? this.#renderHours(hours) : html`<p class="hint">${st('loading')}</p>`}
        <div class="actions">
          <button class="primary" type="submit" ?disabled=${this.busy || !hours}>${st('save')}</button>
          ${this.message ? html`<span role="status" class=${this.message.error ? 'error' : 'ok'}>${this.message.text}</span>` : nothing}
        </div>
      </form>
    `;
  }

  #renderHours(hours: ServiceHours) {
    return html`
      <label class="check"><input type="checkbox" name="enabled" .checked=${hours.enabled}
        @change=${(e: Event) => this.#update({ enabled: (e.target as HTMLInputElement).checked })} />${st('hours.enabled')}</label>
      <label class="field"><span>${st('hours.timezone')}</span>
        <input type="text" name="timezone" list="kf-timezones" .value=${hours.timezone}
          @input=${(e: Event) => this.#update({ timezone: (e.target as HTMLInputElement).value.trim() })} />
        <datalist id="kf-timezones">${timezones.map((tz) => html`<option value=${tz}></option>`)}</datalist>
      </label>
      <div class="field"><span>${st('hours.weekly')}</span></div>
      <table>
        ${weekOrder.map(
          (day) => html`<tr data-day=${day}>
            <td class="day">${st(`weekday.${day}` as SettingsStringKey)}</td>
            <td>${this.#renderRanges(hours.weekly[day], (ranges) => this.#setDay(day, ranges), true)}</td>
          </tr>`,
        )}
      </table>
      <p class="hint">${st('hours.crossMidnight')}</p>
      <div class="field"><span>${st('hours.overrides')}</span><span class="hint">${st('hours.overrideHint')}</span></div>
      <table>
        ${hours.overrides.map(
          (o, i) => html`<tr data-override=${i}>
            <td><input type="date" .value=${o.date} aria-label=${st('hours.date')}
              @change=${(e: Event) => this.#setOverride(i, { ...o, date: (e.target as HTMLInputElement).value })} /></td>
            <td><label class="range"><input type="checkbox" .checked=${o.closed === true}
              @change=${(e: Event) => this.#setOverride(i, (e.target as HTMLInputElement).checked ? { date: o.date, closed: true } : { date: o.date, ranges: [{ start: '09:00', end: '18:00' }] })} />${st('hours.closed')}</label></td>
            <td>${o.closed ? nothing : this.#renderRanges(o.ranges ?? [], (ranges) => this.#setOverride(i, { date: o.date, ranges }), false)}</td>
            <td><button type="button" class="link" @click=${() => this.#setOverride(i, null)}>${st('remove')}</button></td>
          </tr>`,
        )}
      </table>
      <p><button type="button" @click=${() => this.#update({ overrides: [...hours.overrides, { date: today(), closed: true }] })}>${st('hours.addOverride')}</button></p>
    `;
  }

  #renderRanges(ranges: TimeRange[], onChange: (ranges: TimeRange[]) => void, showClosed: boolean) {
    const edit = (index: number, change: Partial<TimeRange>) => onChange(ranges.map((r, i) => (i === index ? { ...r, ...change } : r)));
    const value = (e: Event) => (e.target as HTMLInputElement).value.trim();
    return html`<div class="ranges">
      ${ranges.length === 0 && showClosed ? html`<span class="hint">${st('hours.closedDay')}</span>` : nothing}
      ${ranges.map(
        (r, i) => html`<span class="range">
          <input type="text" placeholder="09:00" maxlength="5" .value=${r.start} @change=${(e: Event) => edit(i, { start: value(e) })} />–<input
            type="text" placeholder="18:00" maxlength="5" .value=${r.end} @change=${(e: Event) => edit(i, { end: value(e) })} />
          <button type="button" class="link" aria-label=${st('remove')} title=${st('remove')} @click=${() => onChange(ranges.filter((_, j) => j !== i))}>×</button>
        </span>`,
      )}
      <button type="button" class="link" @click=${() => onChange([...ranges, { start: '09:00', end: '18:00' }])}>+ ${st('hours.addRange')}</button>
    </div>`;
  }
}

function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-service-hours-form': KfServiceHoursForm;
  }
}
