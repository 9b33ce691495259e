import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { isUuid } from '../core/ids.ts';
import type { ChannelConfig, ChannelType } from '../connectors/connector.ts';
import type { PrismaClient } from '../prisma/generated/client.ts';

/**
 * Channel secrets at rest: AES-256-GCM with a key derived by HKDF-SHA256 from the instance secret.
 * The stored text is `v1.<iv>.<tag>.<ciphertext>` (base64url), so a tampered or foreign value fails
 * to decrypt instead of yielding garbage. Nothing here logs or returns plaintext beyond the caller.
 */
const version = 'v1';
const info = Buffer.from('kefu channel credentials v1');
const salt = Buffer.from('kefu-channel-credentials');

export function deriveCredentialsKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), salt, info, 32));
}

export function encryptCredentials(secret: string, credentials: Record<string, string>): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveCredentialsKey(secret), iv);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
  return [version, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

/** Throws when the value was encrypted with another secret or altered. */
export function decryptCredentials(secret: string, stored: string | null | undefined): Record<string, string> {
  if (!stored) return {};
  const [tag, iv, authTag, ciphertext] = stored.split('.');
  if (tag !== version || !iv || !authTag || ciphertext === undefined) throw new Error('channel credentials: unknown format');
  const decipher = createDecipheriv('aes-256-gcm', deriveCredentialsKey(secret), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(authTag, 'base64url'));
  const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  const parsed: unknown = JSON.parse(plain);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('channel credentials: not an object');
  return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** Which credential fields are set, for the API: names and booleans, never values. */
export function describeCredentials(credentials: Record<string, string>): Record<string, boolean> {
  return Object.fromEntries(Object.entries(credentials).map(([key, value]) => [key, value !== '']));
}

export interface ChannelRow {
  id: string;
  type: ChannelType;
  name: string;
  enabled: boolean;
  credentials: string | null;
  settings: unknown;
  state: unknown;
}

export function toChannelConfig(secret: string, row: ChannelRow): ChannelConfig {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    enabled: row.enabled,
    credentials: decryptCredentials(secret, row.credentials),
    settings: (row.settings ?? {}) as Record<string, unknown>,
  };
}

/** A channel with decrypted credentials, or null when the id names no channel. */
export async function loadChannelConfig(prisma: PrismaClient, secret: string, id: string): Promise<(ChannelConfig & { state: Record<string, unknown> }) | null> {
  if (!isUuid(id)) return null;
  const row = await prisma.channel.findUnique({ where: { id } });
  if (!row) return null;
  return { ...toChannelConfig(secret, row), state: (row.state ?? {}) as Record<string, unknown> };
}
