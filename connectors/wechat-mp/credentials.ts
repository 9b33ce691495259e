import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import type { ChannelConfig } from '../connector.ts';

/** 消息加解密方式 chosen in the OA admin: 明文 (plain), 兼容 (compatible) or 安全 (safe). */
export const mpModes = ['plain', 'compatible', 'safe'] as const;
export type MpMode = (typeof mpModes)[number];

/** What an Official Account channel needs, as stored (decrypted) in `ChannelConfig.credentials`. */
export const mpCredentialsSchema = z
  .object({
    appId: z.string().min(1),
    appSecret: z.string().min(1),
    /** Server-configuration Token from the OA admin. */
    token: z.string().min(1),
    encodingAesKey: z
      .string()
      .regex(/^[a-zA-Z0-9]{43}$/, 'EncodingAESKey is 43 letters and digits')
      .optional()
      .or(z.literal('').transform(() => undefined)),
    mode: z.enum(mpModes).default('safe'),
  })
  .refine((value) => value.mode === 'plain' || value.encodingAesKey !== undefined, {
    message: 'EncodingAESKey is required in compatible and safe mode',
    path: ['encodingAesKey'],
  });
export type MpCredentials = z.infer<typeof mpCredentialsSchema>;

/** Throws `AppError('validation_failed')` naming the invalid fields (never their values). */
export function readMpCredentials(channel: Pick<ChannelConfig, 'credentials'>): MpCredentials {
  const parsed = mpCredentialsSchema.safeParse(channel.credentials);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))].join(', ');
    throw new AppError('validation_failed', {
      message: `Official Account channel credentials invalid: ${fields}`,
      userMessage: `公众号渠道配置不完整：${fields}`,
      details: { fields },
    });
  }
  return parsed.data;
}
