import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { ConnectorRegistry } from '../app/connectors.ts';
import { DeliveryFailure, HeldElsewhere, SendRateExceeded, type OutboundMessage } from '../connectors/connector.ts';
import type { ConversationService } from '../core/conversation/conversation-service.ts';
import type { MessageRecord } from '../core/conversation/records.ts';
import type { ConversationStore } from '../core/conversation/store.ts';
import { loadChannelConfig } from '../infra/channel-credentials.ts';
import type { PrismaClient } from '../prisma/generated/client.ts';
import { channelJobs } from './channel-jobs.ts';

/** Consumes one send of a channel; throws `SendRateExceeded` when the channel is over its rate (the job waits its turn). */
export interface ChannelRateLimiter {
  consume(channelId: string): Promise<void>;
}

export interface DeliverDeps {
  prisma: PrismaClient;
  secret: string;
  store: ConversationStore;
  conversations: ConversationService;
  connectors: ConnectorRegistry;
  limiter?: ChannelRateLimiter;
  /**
   * How long a message whose conversation has an earlier one still pending is put back for that one
   * to go first, without spending attempts; after that it retries like any transient failure. Default
   * 30 min, as long as the earlier one may wait for its channel's send rate.
   */
  orderWaitMs?: number;
  /**
   * Delay before a message put back for an earlier one is offered again: this at first, then a tenth
   * of how long it has waited, up to 2 s. Default 100 ms.
   */
  orderRetryMs?: number;
  /**
   * How long a job whose channel is held by another process (a Wechaty bot) is put back for the holder
   * to take, without spending attempts; after that it retries like any transient failure. Default 5 min.
   */
  handOverMs?: number;
  /** Delay before a handed-over job is offered again. Default 1 s. */
  handOverDelayMs?: number;
  /**
   * How long a message over its channel's send rate is put back for its turn, without spending attempts
   * (a backlog after an outage goes out at the channel's rate, however long); after that it retries like
   * any transient failure. Default 30 min.
   */
  rateWaitMs?: number;
  /** How long recording a message as sent is retried after the channel took it. Default 1 min. */
  recordWaitMs?: number;
  /**
   * Hands a message whose channel is held by another process straight to that process's own queue;
   * false when no holder is known (the job is then put back for a while, as above).
   */
  handOver?: (channelId: string, messageId: string) => Promise<boolean>;
}

/** Reason shown to the agent when a channel's per-visitor message budget is spent (WeCom kf: 5). */
export function quotaReason(quota: number): string {
  return `超出${quota}条回复限制，需等待访客再次发消息`;
}

/**
 * The `deliver-${type}` handler: reloads the message, sends it once through the channel's connector and
 * records the outcome. Idempotent by message id (a message that is no longer pending is skipped);
 * keeps order within a conversation (while an earlier message is pending, this one goes back to the
 * delayed set with its attempts untouched, for up to `orderWaitMs`, and leaves its worker slot to others);
 * a message over its channel's send rate goes back the same way until its turn (`rateWaitMs`);
 * permanent failures become `failed` with the reason and end the retries; transient ones are
 * retried with backoff and become `failed` on the last attempt, so nothing stays pending silently.
 * A channel held by another process (`HeldElsewhere`) is handed to the holder's own queue (`handOver`);
 * with no holder known the job goes back, delayed and with its attempts untouched, for a while (`handOverMs`).
 */
export function createDeliverHandler(deps: DeliverDeps) {
  return async (payload: Record<string, unknown>, job: Job): Promise<string> => {
    const { messageId } = channelJobs['deliver-wecom'].parse(payload);
    const message = await deps.store.getMessage(messageId);
    if (!message || message.deliveryStatus !== 'pending') return 'skipped';
    try {
      await deliver(deps, message);
      return 'sent';
    } catch (error) {
      const age = Date.now() - job.timestamp;
      // Not waiting in a worker slot: the earlier message may need that slot.
      if (error instanceof EarlierPending && age < (deps.orderWaitMs ?? 1_800_000)) await putBack(job, Math.min(2_000, Math.max(deps.orderRetryMs ?? 100, Math.round(age / 10))));
      if (error instanceof HeldElsewhere && deps.handOver && (await deps.handOver(message.channelId, messageId))) return 'handed-over';
      // So the process holding the bot picks it up.
      if (error instanceof HeldElsewhere && age < (deps.handOverMs ?? 300_000)) await putBack(job, deps.handOverDelayMs ?? 1_000);
      // Spread over the next second, so a backlog does not come back all at once.
      if (error instanceof SendRateExceeded && age < (deps.rateWaitMs ?? 1_800_000)) await putBack(job, error.retryAfterMs + Math.floor(Math.random() * 1_000));
      const failure = error instanceof DeliveryFailure ? error : new DeliveryFailure(error instanceof Error ? error.message : String(error), false);
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (failure.permanent || lastAttempt) {
        await deps.conversations.markDelivery(messageId, 'failed', failure.reason);
        throw new UnrecoverableError(failure.reason);
      }
      throw failure;
    }
  };
}

/** Back to the delayed set without spending an attempt, offered again after `delayMs`; a job run without a lock token goes on to fail as usual. */
async function putBack(job: Job, delayMs: number): Promise<void> {
  if (!job.token) return;
  await job.moveToDelayed(Date.now() + delayMs, job.token);
  throw new DelayedError();
}

async function deliver(deps: DeliverDeps, message: MessageRecord): Promise<void> {
  const conversation = await deps.store.getConversation(message.conversationId);
  if (!conversation) throw new DeliveryFailure('会话不存在', true);
  const channel = await loadChannelConfig(deps.prisma, deps.secret, message.channelId);
  if (!channel) throw new DeliveryFailure('渠道不存在', true);
  if (!channel.enabled) throw new DeliveryFailure('渠道已停用', true);
  const connector = deps.connectors.get(channel.type);
  if (!connector) throw new DeliveryFailure(`没有 ${channel.type} 渠道的连接器`, true);

  if (await earlierPending(deps.prisma, message)) throw new EarlierPending();

  const quota = connector.capabilities.messageQuota;
  if (quota !== null) {
    const counted = await countSentSinceVisitor(deps.prisma, message.conversationId, message.seq);
    if (counted > quota) throw new DeliveryFailure(quotaReason(quota), true);
  }

  await deps.limiter?.consume(channel.id);
  const outbound = toOutbound(message, conversation.visitor.externalId);
  const result = await connector.send(channel, outbound);
  if (result.channelMessageId) {
    // Lets a later msg_send_fail notice find this message by the channel's id.
    await deps.prisma.message
      .update({ where: { id: message.id }, data: { channelMessageId: result.channelMessageId } })
      .catch(() => undefined);
  }
  // The channel has it now: a retry of the job would send it again (the Official Account API has no
  // idempotency key), so a database that is restarting is waited for here instead.
  await keepTrying(() => deps.conversations.markDelivery(message.id, 'sent'), deps.recordWaitMs ?? 60_000);
}

/** Runs `work` until it succeeds, waiting longer each time (up to 5 s), for at most `waitMs`; then its error is thrown. */
async function keepTrying<T>(work: () => Promise<T>, waitMs: number): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let delayMs = 200; ; delayMs = Math.min(delayMs * 2, 5_000)) {
    try {
      return await work();
    } catch (error) {
      if (Date.now() + delayMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/**
 * Messages sent towards the visitor since its last message (up to `uptoSeq`), as the channel counts
 * them for its budget: every outbound text, image or menu that was not refused, whoever sent it.
 */
export async function countSentSinceVisitor(prisma: PrismaClient, conversationId: string, uptoSeq?: number): Promise<number> {
  const upto = uptoSeq === undefined ? {} : { lte: BigInt(uptoSeq) };
  const lastVisitor = await prisma.message.findFirst({
    where: { conversationId, sender: 'visitor', kind: { not: 'event' }, ...(uptoSeq === undefined ? {} : { seq: { lt: BigInt(uptoSeq) } }) },
    orderBy: { seq: 'desc' },
    select: { seq: true },
  });
  return prisma.message.count({
    where: {
      conversationId,
      sender: { in: ['agent', 'bot', 'system'] },
      kind: { not: 'event' },
      deliveryStatus: { in: ['pending', 'sent'] },
      seq: { gt: lastVisitor?.seq ?? BigInt(0), ...upto },
    },
  });
}

/** Order within a conversation: an earlier outbound message still pending goes first. */
class EarlierPending extends DeliveryFailure {
  constructor() {
    super('等待同一会话中较早的消息发送完成', false);
  }
}

async function earlierPending(prisma: PrismaClient, message: MessageRecord): Promise<boolean> {
  const earlier = await prisma.message.findFirst({
    where: {
      conversationId: message.conversationId,
      seq: { lt: BigInt(message.seq) },
      deliveryStatus: 'pending',
      sender: { in: ['agent', 'bot', 'system'] },
      kind: { not: 'event' },
    },
    select: { id: true },
  });
  return earlier !== null;
}

function toOutbound(message: MessageRecord, visitorExternalId: string): OutboundMessage {
  const base = { messageId: message.id, conversationId: message.conversationId, channelId: message.channelId, visitorExternalId };
  switch (message.kind) {
    case 'text':
      return { ...base, kind: 'text', text: message.content ?? '' };
    case 'image':
      if (!message.mediaUrl) throw new DeliveryFailure('图片消息缺少文件', true);
      return { ...base, kind: 'image', media: { url: message.mediaUrl } };
    case 'menu': {
      const data = (message.data ?? {}) as { menu?: OutboundMessage['menu']; items?: { id: string; text: string }[]; head?: string; tail?: string };
      const menu = data.menu ?? { head: data.head ?? message.content ?? undefined, items: data.items ?? [], tail: data.tail };
      return { ...base, kind: 'menu', menu, text: message.content ?? undefined };
    }
    default:
      throw new DeliveryFailure(`不支持发送的消息类型：${message.kind}`, true);
  }
}
