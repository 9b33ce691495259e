import crypto from 'node:crypto';
import { AppError } from '../../core/errors.ts';

/**
 * The web visitor's identity: `<channelId>.<visitorKey>.<signature>`, an HMAC over the first two parts.
 * Kept in the browser's localStorage; whoever holds it is that visitor, so it is never shown to others.
 */
export interface VisitorIdentity {
  channelId: string;
  visitorKey: string;
}

export function signVisitorToken(secret: string, identity: VisitorIdentity): string {
  const body = `${identity.channelId}.${identity.visitorKey}`;
  return `${body}.${mac(secret, body)}`;
}

export function newVisitorKey(): string {
  return crypto.randomBytes(16).toString('base64url');
}

export function verifyVisitorToken(secret: string, token: string | undefined | null): VisitorIdentity {
  const parts = (token ?? '').split('.');
  if (parts.length !== 3 || !parts[0] || !parts[1]) {
    throw new AppError('unauthenticated', { userMessage: 'A valid visitor token is required.' });
  }
  const [channelId, visitorKey, signature] = parts;
  const expected = mac(secret, `${channelId}.${visitorKey}`);
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) {
    throw new AppError('unauthenticated', { userMessage: 'The visitor token is invalid.' });
  }
  return { channelId, visitorKey };
}

function mac(secret: string, body: string): string {
  return crypto.createHmac('sha256', secret).update(`visitor:${body}`).digest('base64url');
}
