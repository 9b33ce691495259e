import { css, html } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { baseStyles } from '../ui/theme.ts';
import { KfElement } from '../ui/kf-element.ts';
import { at } from './admin-strings.ts';
import { pageStyles } from './admin-styles.ts';
import { api, errorText, qs } from './data/admin-api.ts';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

interface Stats { p50: number | null; p90: number | null; avg: number | null; count: number }
interface Dashboard {
  perDay: { day: string; channelName: string; count: number }[];
  outcome: { total: number; botResolved: number; handedOff: number };
  queueWaitSeconds: Stats;
  firstResponseSeconds: Stats;
  satisfaction: { score: number; count: number }[];
  agents: { id: string; name: string; status: string; activeCount: number; conversations: number; ratings: number; avgRating: number | null }[];
  live: { agentsOnline: number; queued: number; active: number };
}

/** A local calendar date (YYYY-MM-DD): the server reads date bounds and buckets days in the viewer's zone. */
const day = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Dashboard: live counters, per-day volume by channel, outcomes, waits, satisfaction and per-agent figures. */
@customElement('kf-dashboard-page')
export class KfDashboardPage extends KfElement {
  static override styles = [
    baseStyles,
    pageStyles,
    css`
      .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
      .chart { height: 260px; }
      .counter { font-size: 28px; font-weight: 600; }
    `,
  ];

  @state() private from = day(new Date(Date.now() - 6 * 86400_000));
  @state() private to = day(new Date(Date.now() + 86400_000));
  @state() private data: Dashboard | null = null;
  @state() private error = '';
  @query('#perDay') private perDayEl!: HTMLElement;
  @query('#outcome') private outcomeEl!: HTMLElement;
  @query('#satisfaction') private satisfactionEl!: HTMLElement;
  #charts: echarts.ECharts[] = [];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const chart of this.#charts) chart.dispose();
    this.#charts = [];
  }

  async #load(): Promise<void> {
    try {
      this.data = await api.get<Dashboard>(`/api/dashboard${qs({ from: this.from, to: this.to, tz: viewerZone })}`);
      this.error = '';
    } catch (error) {
      this.error = errorText(error);
    }
  }

  override updated(): void {
    const d = this.data;
    if (!d || !this.perDayEl) return;
    for (const chart of this.#charts) chart.dispose();
    const days = [...new Set(d.perDay.map((r) => r.day))];
    const channels = [...new Set(d.perDay.map((r) => r.channelName))];
    const perDay = echarts.init(this.perDayEl);
    perDay.setOption({
      tooltip: { trigger: 'axis' },
      legend: {},
      xAxis: { type: 'category', data: days },
      yAxis: { type: 'value' },
      series: channels.map((name) => ({ name, type: 'bar', stack: 'day', data: days.map((x) => d.perDay.find((r) => r.day === x && r.channelName === name)?.count ?? 0) })),
    });
    const outcome = echarts.init(this.outcomeEl);
    outcome.setOption({
      tooltip: {},
      series: [{ type: 'pie', radius: ['40%', '70%'], data: [{ name: at('dash.botResolved'), value: d.outcome.botResolved }, { name: at('dash.handedOff'), value: d.outcome.handedOff }] }],
    });
    const satisfaction = echarts.init(this.satisfactionEl);
    satisfaction.setOption({
      tooltip: {},
      xAxis: { type: 'category', data: d.satisfaction.map((s) => String(s.score)) },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', data: d.satisfaction.map((s) => s.count) }],
    });
    this.#charts = [perDay, outcome, satisfaction];
  }

  override render() {
    const d = this.data;
    const pair = (s: Stats | undefined) => (s ? `${s.p50 ?? '–'} / ${s.p90 ?? '–'}` : '–');
    return html`
      <h2>${at('nav.dashboard')}</h2>
      <div class="bar">
        <label>${at('common.from')} <input type="date" .value=${this.from} @change=${(e: Event) => ((this.from = (e.target as HTMLInputElement).value), void this.#load())} /></label>
        <label>${at('common.to')} <input type="date" .value=${this.to} @change=${(e: Event) => ((this.to = (e.target as HTMLInputElement).value), void this.#load())} /></label>
      </div>
      ${this.error ? html`<p class="error">${this.error}</p>` : null}
      <div class="grid">
        <section><div class="muted">${at('dash.online')}</div><div class="counter">${d?.live.agentsOnline ?? '–'}</div></section>
        <section><div class="muted">${at('dash.queued')}</div><div class="counter">${d?.live.queued ?? '–'}</div></section>
        <section><div class="muted">${at('dash.active')}</div><div class="counter">${d?.live.active ?? '–'}</div></section>
        <section><div class="muted">${at('dash.wait')}</div><div class="counter">${pair(d?.queueWaitSeconds)}</div></section>
        <section><div class="muted">${at('dash.firstResponse')}</div><div class="counter">${pair(d?.firstResponseSeconds)}</div></section>
      </div>
      <div class="grid">
        <section><h3>${at('dash.perDay')}</h3><div id="perDay" class="chart"></div></section>
        <section><h3>${at('dash.outcome')}</h3><div id="outcome" class="chart"></div></section>
        <section><h3>${at('dash.satisfaction')}</h3><div id="satisfaction" class="chart"></div></section>
      </div>
      <section>
        <h3>${at('dash.agents')}</h3>
        <table>
          <thead><tr><th>${at('records.agent')}</th><th>${at('dash.conversations')}</th><th>${at('dash.avgRating')}</th></tr></thead>
          <tbody>${(d?.agents ?? []).map((a) => html`<tr><td>${a.name} (${a.status}, ${a.activeCount})</td><td>${a.conversations}</td><td>${a.avgRating ?? '–'} (${a.ratings})</td></tr>`)}</tbody>
        </table>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-dashboard-page': KfDashboardPage;
  }
}
