import type { InboundMessage } from '../connector.ts';

export interface WebSendFrame {
  clientMessageId: string;
  kind: 'text' | 'image';
  text?: string;
  mediaUrl?: string;
}

/**
 * A widget send → InboundMessage. The client message id is the channel message id, so the same
 * message sent over the socket and again over the HTTP fallback is stored once.
 */
export function normalizeWebMessage(
  channelId: string,
  visitorKey: string,
  frame: WebSendFrame,
  profile: Record<string, unknown> = {},
  now = new Date(),
): InboundMessage {
  return {
    channelId,
    channelType: 'web',
    channelMessageId: `web-${frame.clientMessageId}`,
    visitor: { externalId: visitorKey, profile },
    kind: frame.kind === 'image' ? 'image' : 'text',
    text: frame.kind === 'text' ? frame.text : undefined,
    media: frame.kind === 'image' && frame.mediaUrl ? { url: frame.mediaUrl } : undefined,
    origin: 'visitor',
    sentAt: now,
  };
}
