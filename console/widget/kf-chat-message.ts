import { html, nothing } from 'lit';
import { t } from '../i18n/i18n.ts';
import { formatClock } from '../ui/format.ts';
import type { ChatMessage } from '../ui/message-merge.ts';

/**
 * Renders one message from the visitor's side: theirs on the right, bot and agent on the left,
 * system events centred. A template function rather than an element, to keep the widget small.
 */
export function renderChatMessage(
  m: ChatMessage,
  resolve: (url: string) => string,
  onViewImage: (url: string) => void,
  onDiscard: (clientMessageId: string) => void,
) {
  if (m.sender === 'system' || m.kind === 'event') {
    return html`<div class="row center"><span class="system">${m.text ?? String(m.data?.['name'] ?? '')}</span></div>`;
  }
  const mine = m.sender === 'visitor';
  const body =
    m.kind === 'image' && m.mediaUrl
      ? html`<img src=${resolve(m.mediaUrl)} alt=${t('msg.image')} @click=${() => onViewImage(resolve(m.mediaUrl!))} />`
      : m.kind === 'menu'
        ? html`${m.text ?? ''}${((m.data?.['items'] as { text: string }[] | undefined) ?? []).map((item, i) => html`\n${i + 1}. ${item.text}`)}`
        : m.kind === 'unsupported'
          ? t('msg.unsupported')
          : (m.text ?? '');
  return html`
    <div class="row ${mine ? 'mine' : ''}">
      ${mine ? nothing : html`<span class="who">${m.senderName ?? t(`sender.${m.sender}`)} &middot; ${formatClock(m.createdAt)}</span>`}
      <div class="bubble ${m.kind === 'image' ? 'image' : ''}">${body}</div>
      ${m.localState === 'queued' ? html`<span class="state">${t('widget.queued')}</span>` : nothing}
      ${m.localState === 'failed'
        ? html`<span class="state failed">${t('msg.failed')}${m.localError ? `: ${m.localError}` : ''}
            <button class="link" @click=${() => onDiscard(m.clientMessageId!)}>&#10005;</button></span>`
        : nothing}
    </div>
  `;
}
