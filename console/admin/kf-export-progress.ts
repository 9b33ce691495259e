import { html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { baseStyles } from '../ui/theme.ts';
import { KfElement } from '../ui/kf-element.ts';
import { at } from './admin-strings.ts';
import { api, errorText } from './data/admin-api.ts';

interface ExportState { status: 'pending' | 'running' | 'done' | 'failed'; percent: number; error: string | null; downloadUrl: string | null }

/** Progress bar of one export, polled until it is done, then a download link. */
@customElement('kf-export-progress')
export class KfExportProgress extends KfElement {
  static override styles = [baseStyles];

  @property() exportId = '';
  @state() private state: ExportState | null = null;
  @state() private error = '';
  #timer: ReturnType<typeof setTimeout> | undefined;

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('exportId') && this.exportId) void this.#poll();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#timer);
  }

  async #poll(): Promise<void> {
    clearTimeout(this.#timer);
    try {
      this.state = (await api.get<{ export: ExportState }>(`/api/exports/${this.exportId}`)).export;
    } catch (error) {
      this.error = errorText(error);
    }
    if (this.state?.status !== 'done' && this.state?.status !== 'failed' && this.isConnected) this.#timer = setTimeout(() => void this.#poll(), 1000);
  }

  override render() {
    const s = this.state;
    if (this.error) return html`<p class="error">${this.error}</p>`;
    if (!s) return null;
    if (s.status === 'failed') return html`<p class="error">${at('records.exportFailed', { error: s.error ?? '' })}</p>`;
    if (s.status === 'done' && s.downloadUrl) return html`<p><a href=${s.downloadUrl} download>${at('records.download')}</a></p>`;
    return html`<p><progress max="100" .value=${s.percent}></progress> ${at('records.exporting', { percent: s.percent })}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-export-progress': KfExportProgress;
  }
}
