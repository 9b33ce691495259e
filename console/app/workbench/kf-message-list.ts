import { css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { t } from '../../i18n/i18n.ts';
import type { ChatMessage } from '../../ui/message-merge.ts';
import { KfElement } from '../../ui/kf-element.ts';
import { baseStyles } from '../../ui/theme.ts';
import { layoutRows, rowAt, windowRows, type RowWindow } from '../../ui/windowing.ts';
import './kf-message-bubble.ts';

/** Rows rendered beyond each edge of the viewport, in pixels, so a quick scroll does not show blanks. */
const OVERSCAN_PX = 600;
/** Height assumed for a row never shown, until some rows have been measured. */
const DEFAULT_ROW_PX = 64;

const keyOf = (message: ChatMessage) => message.clientMessageId ?? message.id;

/**
 * The scrolling timeline, windowed: only the messages near the viewport are in the DOM, the others
 * are kept as space from their measured (or estimated) heights. Sticks to the bottom while the agent
 * is there, keeps the message under the reader's eyes when older pages are prepended or rows above
 * change height, and asks for older messages (`kf-load-older`) near the top.
 */
@customElement('kf-message-list')
export class KfMessageList extends KfElement {
  static override styles = [
    baseStyles,
    css`
      :host { display: block; position: relative; }
      .scroller { position: absolute; inset: 0; overflow-y: auto; overflow-anchor: none; padding: 16px 20px 4px; }
      .older { display: block; margin: 0 auto 12px; font-size: 12px; color: var(--kf-text-3); text-align: center; }
      .rows kf-message-bubble { padding-bottom: 12px; }
    `,
  ];

  @property({ attribute: false }) messages: ChatMessage[] = [];
  @property({ attribute: false }) conversationId = '';
  @property({ type: Boolean }) hasOlder = false;
  @property({ type: Boolean }) loadingOlder = false;
  @query('.scroller') private scroller!: HTMLElement;
  @query('.rows') private rowsEl!: HTMLElement;

  #stickToBottom = true;
  #heights = new Map<string, number>();
  #measuredSum = 0;
  #estimate = DEFAULT_ROW_PX;
  /** Keys and offsets of the last layout, matching the DOM once `updated` has measured it. */
  #keys: string[] = [];
  #offsets: number[] = [0];
  #window: RowWindow = { start: 0, end: 0, before: 0, after: 0 };
  #anchor: { key: string; offset: number } | null = null;
  /** The scroll position this element last set, to tell the reader's own scrolling from it. */
  #scrolledTo = 0;
  #resizes = new ResizeObserver((entries) => {
    // A resized viewport (the input appearing, the window) or a row (an image loading) moves the layout.
    const moved = entries.map((entry) => entry.target === this || this.#measure(entry.target as HTMLElement));
    if (moved.includes(true)) this.requestUpdate();
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resizes.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resizes.disconnect();
  }

  /** Records a rendered row's height; true when it differs from what the layout assumed. */
  #measure(row: HTMLElement): boolean {
    const key = row.dataset['key'];
    if (!key || !row.isConnected) return false;
    const height = row.getBoundingClientRect().height;
    const known = this.#heights.get(key);
    if (known !== undefined && Math.abs(known - height) < 0.5) return false;
    this.#measuredSum += height - (known ?? 0);
    this.#heights.set(key, height);
    return true;
  }

  /**
   * Lays the rows out. The estimate for unmeasured rows only moves when rendering, so that within one
   * update the offsets match the spacers in the DOM.
   */
  #layout(refreshEstimate: boolean): void {
    if (refreshEstimate && this.#heights.size) this.#estimate = this.#measuredSum / this.#heights.size;
    const estimate = this.#estimate;
    this.#keys = this.messages.map(keyOf);
    this.#offsets = layoutRows(this.#keys.map((key) => this.#heights.get(key) ?? estimate));
  }

  /** The viewport's top in the coordinates of the rows. */
  #viewTop(): number {
    return this.scroller.scrollTop - this.rowsEl.offsetTop;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const el = this.scroller;
    // Where the reader is now decides, not the last scroll event: one may still be on its way.
    if (changed.has('conversationId')) this.#stickToBottom = true;
    else if (el && Math.abs(el.scrollTop - this.#scrolledTo) >= 1) this.#stickToBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    this.#anchor = null;
    if (this.#stickToBottom || !this.scroller || !this.#keys.length) return;
    // Remember which row is at the top of the viewport and where, before anything above it moves.
    const viewTop = this.#viewTop();
    const index = Math.max(this.#window.start, Math.min(rowAt(this.#offsets, viewTop), this.#window.end - 1));
    const key = this.#keys[index];
    if (key !== undefined) this.#anchor = { key, offset: this.#offsets[index]! - viewTop };
  }

  protected override updated(): void {
    const el = this.scroller;
    if (!el) return;
    let moved = false;
    for (const row of this.rowsEl.children) {
      moved = this.#measure(row as HTMLElement) || moved;
      this.#resizes.observe(row);
    }
    this.#layout(false);
    if (this.#stickToBottom) {
      el.scrollTop = el.scrollHeight;
    } else if (this.#anchor) {
      const index = this.#keys.indexOf(this.#anchor.key);
      const target = index < 0 ? el.scrollTop : this.rowsEl.offsetTop + this.#offsets[index]! - this.#anchor.offset;
      if (Math.abs(el.scrollTop - target) >= 1) el.scrollTop = target;
    }
    this.#scrolledTo = el.scrollTop;
    // Rows measured for the first time change the layout: render again with the true heights.
    if (moved) this.requestUpdate();
  }

  #onScroll(): void {
    const el = this.scroller;
    this.#stickToBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 60 && this.hasOlder && !this.loadingOlder) {
      this.dispatchEvent(new Event('kf-load-older'));
    }
    const viewTop = this.#viewTop();
    const { start, end } = windowRows(this.#offsets, viewTop, el.clientHeight, OVERSCAN_PX / 2);
    if (start < this.#window.start || end > this.#window.end) this.requestUpdate();
  }

  override render() {
    this.#layout(true);
    const el = this.scroller;
    const viewHeight = el?.clientHeight || 800;
    const total = this.#offsets[this.#offsets.length - 1]!;
    // Rows may have gone in above: render around the remembered row, where the viewport is about to be.
    const anchor = this.#anchor;
    const anchorIndex = anchor ? this.#keys.indexOf(anchor.key) : -1;
    const viewTop =
      this.#stickToBottom || !el ? total - viewHeight : anchorIndex >= 0 ? this.#offsets[anchorIndex]! - anchor!.offset : this.#viewTop();
    const w = (this.#window = windowRows(this.#offsets, viewTop, viewHeight, OVERSCAN_PX));
    return html`
      <div class="scroller" @scroll=${this.#onScroll}>
        ${this.hasOlder
          ? html`<button class="link older" ?disabled=${this.loadingOlder} @click=${() => this.dispatchEvent(new Event('kf-load-older'))}>
              ${this.loadingOlder ? t('list.loading') : t('conv.loadOlder')}
            </button>`
          : this.messages.length > 0
            ? html`<span class="older">${t('conv.noOlder')}</span>`
            : nothing}
        <div class="rows" style="padding-top: ${w.before}px; padding-bottom: ${w.after}px">
          ${repeat(
            this.messages.slice(w.start, w.end),
            keyOf,
            (message) => html`<kf-message-bubble data-key=${keyOf(message)} .message=${message}></kf-message-bubble>`,
          )}
        </div>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kf-message-list': KfMessageList;
  }
}
