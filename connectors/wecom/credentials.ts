import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import type { ChannelConfig } from '../connector.ts';

/** What a WeCom 微信客服 channel needs, as stored (decrypted) in `ChannelConfig.credentials`. */
export const wecomCredentialsSchema = z.object({
  corpId: z.string().min(1),
  secret: z.string().min(1),
  /** Callback Token from the WeCom admin. */
  token: z.string().min(1),
  encodingAesKey: z.string().regex(/^[a-zA-Z0-9]{43}$/, 'EncodingAESKey is 43 letters and digits'),
  openKfId: z.string().min(1),
});
export type WecomCredentials = z.infer<typeof wecomCredentialsSchema>;

/** Throws `AppError('validation_failed')` naming the missing fields (never their values). */
export function readWecomCredentials(channel: Pick<ChannelConfig, 'credentials'>): WecomCredentials {
  const parsed = wecomCredentialsSchema.safeParse(channel.credentials);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))].join(', ');
    throw new AppError('validation_failed', {
      message: `WeCom channel credentials invalid: ${fields}`,
      userMessage: `企业微信客服渠道配置不完整：${fields}`,
      details: { fields },
    });
  }
  return parsed.data;
}
