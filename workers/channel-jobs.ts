import { z } from 'zod';

/**
 * The channel jobs: outbound delivery per channel type (`deliver-${type}`, enqueued by the composition
 * root for every message of a channel that does not deliver over the realtime bus), the WeCom kf pull
 * and the WeCom session close. Payloads carry ids; handlers reload and re-check.
 */
export const channelJobs = {
  'deliver-wecom': z.object({ messageId: z.string().uuid() }),
  'deliver-wechat_mp': z.object({ messageId: z.string().uuid() }),
  'deliver-wechaty': z.object({ messageId: z.string().uuid() }),
  /** Pull kf/sync_msg for one kf account; one job id per (channel, open_kfid). */
  'wecom-sync': z.object({ channelId: z.string().uuid(), openKfId: z.string().min(1), syncToken: z.string().optional() }),
  /** End the WeCom session (service_state → 4) after Kefu closed the conversation and send the end message. */
  'wecom-close': z.object({ conversationId: z.string().uuid() }),
} as const;

export type ChannelJobName = keyof typeof channelJobs;

export function deliverJobName(type: string): string {
  return `deliver-${type}`;
}

/** BullMQ refuses ':' in job ids; kf ids are letters, digits, '_' and '-', anything else is replaced. */
export function safeJobIdPart(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100);
}

export function wecomSyncJobId(channelId: string, openKfId: string): string {
  return `wecom-sync-${channelId}-${safeJobIdPart(openKfId)}`;
}
