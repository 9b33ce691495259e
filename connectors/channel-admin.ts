import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { decryptCredentials, describeCredentials, encryptCredentials } from '../infra/channel-credentials.ts';
import type { PrismaClient } from '../prisma/generated/client.ts';
import type { ChannelType } from './connector.ts';
import { mpCredentialsSchema } from './wechat-mp/credentials.ts';
import { wecomCredentialsSchema } from './wecom/credentials.ts';

/** Channel types an admin can add (the web channel exists from the first run). */
export const configurableChannelTypes = ['wecom', 'wechat_mp', 'wechaty'] as const;
export type ConfigurableChannelType = (typeof configurableChannelTypes)[number];

/** Puppet options of a personal-WeChat channel; the process-wide WECHATY_PUPPET is the default. */
export const wechatyCredentialsSchema = z.object({
  puppet: z.string().min(1).max(200).optional(),
  puppetToken: z.string().min(1).max(500).optional(),
});

const credentialSchemas: Record<ConfigurableChannelType, z.ZodType> = {
  wecom: wecomCredentialsSchema,
  wechat_mp: mpCredentialsSchema,
  wechaty: wechatyCredentialsSchema,
};

export interface NewChannelInput {
  /** wecom, wechat_mp or wechaty; anything else is refused. */
  type: string;
  name: string;
  /** Field values; undefined and empty ones are treated as not given. */
  credentials: Record<string, unknown>;
  settings?: Record<string, unknown>;
  enabled?: boolean;
  /** Base of the callback URL (Config.publicUrl). */
  publicUrl?: string;
}

export interface AddedChannel {
  channel: { id: string; type: ChannelType; name: string; enabled: boolean };
  /** Where WeCom / the Official Account must POST; undefined for channels without callbacks (wechaty). */
  callbackUrl?: string;
  /** The callback Token to paste into the WeCom / OA admin. */
  token?: string;
  /** Set only when Kefu generated the EncodingAESKey (WeCom): shown once, to paste into the admin. */
  encodingAesKey?: string;
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomToken(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** The path WeChat calls for this channel, or undefined when it has none. */
export function callbackPath(type: ChannelType, id: string): string | undefined {
  if (type === 'wecom') return `/connectors/wecom/${id}/callback`;
  if (type === 'wechat_mp') return `/connectors/wechat-mp/${id}/callback`;
  return undefined;
}

/** Validates credentials for `type`; a refusal names the bad fields, never their values. */
export function validateCredentials(type: ConfigurableChannelType, credentials: Record<string, string>): Record<string, string> {
  const parsed = credentialSchemas[type].safeParse(credentials);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || 'credentials'))].join(', ');
    throw new AppError('validation_failed', { userMessage: `credentials: ${fields} missing or invalid`, details: { field: `credentials.${fields.split(', ')[0]}` } });
  }
  return Object.fromEntries(Object.entries(parsed.data as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * Creates a channel with its credentials encrypted at rest. For WeCom a missing callback Token or
 * EncodingAESKey is generated (the admin pastes them into the WeCom admin). Used by the admin API and the CLI.
 */
export async function addChannel(
  prisma: PrismaClient,
  secret: string,
  input: NewChannelInput,
): Promise<AddedChannel> {
  const type = input.type as ConfigurableChannelType;
  if (!configurableChannelTypes.includes(type)) {
    throw new AppError('validation_failed', { userMessage: `type: one of ${configurableChannelTypes.join(', ')}`, details: { field: 'type' } });
  }
  const given = Object.fromEntries(
    Object.entries(input.credentials ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''),
  );
  let generatedKey: string | undefined;
  if (type === 'wecom') {
    given.token ||= randomToken(32);
    if (!given.encodingAesKey) given.encodingAesKey = generatedKey = randomToken(43);
  }
  const credentials = validateCredentials(type, given);
  const name = input.name?.trim();
  if (!name || name.length > 60) throw new AppError('validation_failed', { userMessage: 'name: 1 to 60 characters', details: { field: 'name' } });
  const row = await prisma.channel.create({
    data: {
      type,
      name,
      enabled: input.enabled ?? true,
      credentials: encryptCredentials(secret, credentials),
      settings: (input.settings ?? {}) as never,
    },
  });
  const path = callbackPath(row.type, row.id);
  return {
    channel: { id: row.id, type: row.type, name: row.name, enabled: row.enabled },
    ...(path ? { callbackUrl: `${(input.publicUrl ?? '').replace(/\/$/, '')}${path}` } : {}),
    ...(credentials.token ? { token: credentials.token } : {}),
    ...(generatedKey ? { encodingAesKey: generatedKey } : {}),
  };
}

export interface ChannelPatch {
  name?: string;
  enabled?: boolean;
  /** Merged over the stored credentials; an empty string clears a field. */
  credentials?: Record<string, string>;
}

/** Renames, enables/disables or re-keys a channel; the merged credentials are validated before saving. */
export async function updateChannel(prisma: PrismaClient, secret: string, id: string, patch: ChannelPatch) {
  const row = await prisma.channel.findUnique({ where: { id } });
  if (!row) throw new AppError('channel_not_found', { userMessage: 'This channel does not exist.' });
  let credentials: string | undefined;
  if (patch.credentials) {
    if (row.type === 'web') throw new AppError('validation_failed', { userMessage: 'The web channel has no credentials.' });
    const merged = { ...decryptCredentials(secret, row.credentials), ...patch.credentials };
    for (const [key, value] of Object.entries(merged)) if (value === '') delete merged[key];
    credentials = encryptCredentials(secret, validateCredentials(row.type, merged));
  }
  return prisma.channel.update({
    where: { id },
    data: {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      ...(credentials ? { credentials } : {}),
    },
  });
}

/** Which credential fields a channel has set (values never leave the server). */
export function credentialFields(secret: string, stored: string | null): Record<string, boolean> {
  return describeCredentials(decryptCredentials(secret, stored));
}
