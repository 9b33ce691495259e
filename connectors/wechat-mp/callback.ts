import { AppError } from '../../core/errors.ts';
import { MsgCrypt, verifyPlainSignature } from '../wechat-common/msg-crypt.ts';
import { checkTimestamp } from '../wechat-common/replay-window.ts';
import { parseCallbackXml, readXmlString, type XmlObject } from '../wechat-common/safe-xml.ts';
import type { MpCredentials } from './credentials.ts';

/**
 * The pure half of the Official Account callback route, for plain, compatible and safe mode.
 * Signatures are compared in constant time, the timestamp checked against a replay window, XML parsed
 * without entities. Refusals are `AppError('invalid_signature' | 'bad_request')`. The route should
 * answer `success` at once (the 5-second rule) and reply through the customer-service API.
 */
export interface MpCallbackQuery {
  signature?: unknown;
  timestamp?: unknown;
  nonce?: unknown;
  echostr?: unknown;
  encrypt_type?: unknown;
  msg_signature?: unknown;
  openid?: unknown;
}

export interface MpCallbackOptions {
  now: Date;
  maxSkewSeconds?: number;
}

export interface MpCallback {
  /** The plaintext message fields, ready for `normalizeMpMessage`. */
  fields: XmlObject;
  /** True when the message came encrypted (a passive reply would have to be encrypted too). */
  encrypted: boolean;
}

/** GET verification in every mode: `signature` over (Token, timestamp, nonce); returns echostr as-is. */
export function verifyMpUrl(credentials: Pick<MpCredentials, 'token'>, query: MpCallbackQuery, options: MpCallbackOptions): string {
  if (typeof query.echostr !== 'string' || query.echostr === '') throw new AppError('bad_request', { message: 'echostr missing' });
  checkTimestamp(query.timestamp, options.now, options.maxSkewSeconds);
  verifyPlainSignature(credentials.token, query);
  return query.echostr;
}

/**
 * POST callback. Encrypted bodies (`encrypt_type=aes`, required in safe mode) are checked with
 * `msg_signature` and decrypted with the AppID as receiveid; plaintext bodies (plain mode, or
 * compatible mode without encryption) are checked with `signature`.
 */
export function readMpCallback(
  credentials: MpCredentials,
  query: MpCallbackQuery,
  body: string | Uint8Array,
  options: MpCallbackOptions,
): MpCallback {
  checkTimestamp(query.timestamp, options.now, options.maxSkewSeconds);
  const outer = parseCallbackXml(body);
  const encryptedBody = readXmlString(outer, 'Encrypt');
  const wantsDecryption = credentials.mode !== 'plain' && (query.encrypt_type === 'aes' || credentials.mode === 'safe');

  if (wantsDecryption) {
    if (!encryptedBody || !credentials.encodingAesKey) {
      throw new AppError('bad_request', { message: 'encrypted callback expected but no Encrypt element' });
    }
    const crypt = new MsgCrypt({ token: credentials.token, encodingAesKey: credentials.encodingAesKey, receiveId: credentials.appId });
    return { fields: parseCallbackXml(crypt.verifyAndDecrypt(query, encryptedBody)), encrypted: true };
  }
  verifyPlainSignature(credentials.token, query);
  return { fields: outer, encrypted: false };
}
