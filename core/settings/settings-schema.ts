import { z } from 'zod';
import { defaultServiceHours, serviceHoursSchema } from '../routing/service-hours.ts';

/**
 * Every admin setting of Kefu, by key, with its validation and its default. Stored as JSON in the
 * `settings` table; read through SettingsService, which applies the defaults, so a fresh install
 * works out of the box and every process sees an update without a restart.
 */
export const settingsSchemas = {
  /** 启用人工客服 */
  humanService: z.object({
    enabled: z.boolean().default(true),
    /** Sent instead of a hand-off while human service is off. */
    disabledReply: z.string().max(500).default('人工客服暂未开放，请留下您的问题，我们会尽快处理。'),
  }),
  /** 人工客服服务时间段 */
  serviceHours: serviceHoursSchema,
  /** Sent when a hand-off happens outside service hours or with nobody online and 留言 is off. */
  offHours: z.object({
    reply: z.string().max(500).default('当前不在人工服务时间或暂无客服在线，请稍后再来。'),
  }),
  /** 排队设置 */
  queue: z.object({
    prompt: z.string().max(500).default('您前面还有{position}位，预计等待{eta}分钟'),
    exitKeywords: z.array(z.string().min(1).max(20)).max(20).default(['退出排队', '取消排队']),
    exitReply: z.string().max(500).default('您已退出排队，如需人工服务请再次发送“人工”。'),
    /** WeChat-family visitors get a position update at most this often. */
    updateIntervalMinutes: z.number().int().min(1).max(60).default(2),
    /** 0 = no maximum wait. */
    maxWaitMinutes: z.number().int().min(0).max(1440).default(0),
    maxWaitReply: z.string().max(500).default('当前排队人数较多，请稍后再试或留言。'),
  }),
  /** Assignment policy. */
  assignment: z.object({
    /** Prefer the visitor's previous agent within this many hours when eligible; 0 = off. */
    preferPreviousAgentHours: z.number().int().min(0).max(720).default(24),
  }),
  /** 会话设置: 自动结单 and no-reply re-route. */
  session: z.object({
    autoCloseMinutes: z.number().int().min(1).max(1440).default(10),
    closePrompt: z.string().max(500).default('由于您长时间未回复，本次会话已结束，感谢您的咨询。'),
    noReplyEnabled: z.boolean().default(false),
    noReplyMinutes: z.number().int().min(1).max(120).default(3),
    noReplyAction: z.enum(['requeue', 'alert']).default('requeue'),
    noReplyHoldingMessage: z.string().max(500).default('客服正在处理中，请稍候。'),
    transferNotice: z.string().max(500).default('您的会话已转接给其他客服，请稍候。'),
  }),
  /** 满意度评价 */
  satisfaction: z.object({
    enabled: z.boolean().default(false),
    prompt: z.string().max(500).default('请对本次服务进行评价：'),
    labels: z.array(z.string().min(1).max(20)).length(5).default(['非常不满意', '不满意', '一般', '满意', '非常满意']),
    tags: z.array(z.string().min(1).max(20)).max(20).default([]),
    allowComment: z.boolean().default(true),
    thanks: z.string().max(500).default('感谢您的评价！'),
    /** A rating reply is accepted this long after the invitation. */
    windowMinutes: z.number().int().min(1).max(2880).default(60),
  }),
  /** 留言 */
  offlineMessages: z.object({
    enabled: z.boolean().default(false),
    prompt: z.string().max(500).default('当前无客服在线，请留下您的联系方式和问题，我们会尽快联系您。'),
    requiredFields: z.array(z.enum(['phone', 'email', 'name'])).default(['phone']),
    /** Channel ids where the form is offered; empty = every channel that can show it. */
    channels: z.array(z.string()).default([]),
    thanks: z.string().max(500).default('留言成功，我们会尽快与您联系。'),
  }),
  /** 敏感词 */
  sensitiveWords: z.object({
    words: z.array(z.string().min(1).max(50)).max(100_000).default([]),
    maskChar: z.string().length(1).default('*'),
    /** Keep the unmasked original for audit (admins only). */
    keepOriginal: z.boolean().default(false),
  }),
  /** Bot thresholds and behaviour shared by channels (per-channel settings override greeting etc.). */
  bot: z.object({
    highThreshold: z.number().min(0).max(1).default(0.75),
    lowThreshold: z.number().min(0).max(1).default(0.45),
    fallbackReply: z.string().max(500).default('抱歉，我没有理解您的问题，您可以换个说法，或回复“人工”转人工客服。'),
    suggestPrefix: z.string().max(100).default('您是不是想问：'),
    /** Learned phrasings: added at once or held for an admin's review. */
    learning: z.enum(['auto', 'review', 'off']).default('review'),
  }),
} as const;

export type SettingsKey = keyof typeof settingsSchemas;
export type Settings = { [K in SettingsKey]: z.infer<(typeof settingsSchemas)[K]> };

export function defaultSettings<K extends SettingsKey>(key: K): Settings[K] {
  if (key === 'serviceHours') return structuredClone(defaultServiceHours) as Settings[K];
  return settingsSchemas[key].parse({}) as Settings[K];
}

/**
 * Per-channel settings (stored on the channel row): bot on/off, 转人工 conditions and greeting.
 */
export const channelSettingsSchema = z.object({
  title: z.string().max(60).optional(),
  botEnabled: z.boolean().default(false),
  greeting: z.string().max(500).default(''),
  transferKeywords: z.array(z.string().min(1).max(20)).max(30).default(['人工', '转人工', '人工客服']),
  /** Hand off after this many bot misses in a row. */
  transferAfterMisses: z.number().int().min(1).max(20).default(2),
  handoffButton: z.boolean().default(true),
});
export type ChannelSettings = z.infer<typeof channelSettingsSchema>;
