import type { ConversationRecord } from '../core/conversation/records.ts';
import { AppError } from '../core/errors.ts';
import type { ChannelCapabilities } from './connector.ts';

/**
 * Refuses an agent's reply the channel would refuse anyway, before it is stored: beyond the
 * per-visitor message budget (WeCom kf: 5 until the visitor writes again) → 422
 * `message_quota_exceeded`; after the reply window closed → 422 `reply_window_closed`.
 * Returns null when the send may go ahead.
 */
export function checkSendAllowed(
  conversation: Pick<ConversationRecord, 'sentSinceVisitor' | 'lastVisitorMessageAt'>,
  capabilities: ChannelCapabilities,
  now: Date,
): AppError | null {
  const quota = capabilities.messageQuota;
  if (quota !== null && conversation.sentSinceVisitor >= quota) {
    return new AppError('message_quota_exceeded', {
      userMessage: `已连续发送${quota}条消息，需等待访客回复后才能继续发送`,
      details: { quota, sent: conversation.sentSinceVisitor },
    });
  }
  const hours = capabilities.replyWindowHours;
  if (hours !== null && conversation.lastVisitorMessageAt && now.getTime() - conversation.lastVisitorMessageAt.getTime() > hours * 3600_000) {
    return new AppError('reply_window_closed', { userMessage: `超出${hours}小时回复窗口，需等待访客再次发消息`, details: { hours } });
  }
  return null;
}
