import { AppError } from '../../core/errors.ts';
import { MsgCrypt, type SignedQuery } from '../wechat-common/msg-crypt.ts';
import { checkTimestamp } from '../wechat-common/replay-window.ts';
import { parseCallbackXml, readXmlString } from '../wechat-common/safe-xml.ts';
import type { WecomCredentials } from './credentials.ts';

/**
 * The pure half of the WeCom callback route: URL verification and the encrypted kf_msg_or_event
 * notice. Signatures are checked in constant time, the timestamp against a replay window, the XML
 * without entities. Refusals are `AppError('invalid_signature' | 'bad_request')`.
 */
export interface CallbackCheckOptions {
  now: Date;
  maxSkewSeconds?: number;
}

/** A kf_msg_or_event notice: pull with kf/sync_msg using `syncToken` (valid 10 minutes). */
export interface KfNotice {
  syncToken: string;
  openKfId: string;
  createTime?: number;
}

function cryptFor(credentials: Pick<WecomCredentials, 'token' | 'encodingAesKey' | 'corpId'>): MsgCrypt {
  return new MsgCrypt({ token: credentials.token, encodingAesKey: credentials.encodingAesKey, receiveId: credentials.corpId });
}

/** GET verification: returns the plaintext to answer with (no quotes, no newline). */
export function verifyWecomUrl(
  credentials: Pick<WecomCredentials, 'token' | 'encodingAesKey' | 'corpId'>,
  query: SignedQuery & { echostr?: unknown },
  options: CallbackCheckOptions,
): string {
  if (typeof query.echostr !== 'string' || query.echostr === '') throw new AppError('bad_request', { message: 'echostr missing' });
  checkTimestamp(query.timestamp, options.now, options.maxSkewSeconds);
  return cryptFor(credentials).verifyAndDecrypt(query, query.echostr);
}

/**
 * POST callback: returns the kf notice, or null for other events on the same URL (nothing to pull).
 */
export function readWecomCallback(
  credentials: Pick<WecomCredentials, 'token' | 'encodingAesKey' | 'corpId'>,
  query: SignedQuery,
  body: string | Uint8Array,
  options: CallbackCheckOptions,
): KfNotice | null {
  checkTimestamp(query.timestamp, options.now, options.maxSkewSeconds);
  const envelope = parseCallbackXml(body);
  const encrypted = readXmlString(envelope, 'Encrypt');
  if (!encrypted) throw new AppError('bad_request', { message: 'callback without Encrypt' });
  const fields = parseCallbackXml(cryptFor(credentials).verifyAndDecrypt(query, encrypted));
  if (readXmlString(fields, 'MsgType') !== 'event' || readXmlString(fields, 'Event') !== 'kf_msg_or_event') return null;
  const syncToken = readXmlString(fields, 'Token');
  const openKfId = readXmlString(fields, 'OpenKfId');
  if (!syncToken || !openKfId) throw new AppError('bad_request', { message: 'kf_msg_or_event without Token or OpenKfId' });
  const createTime = Number(readXmlString(fields, 'CreateTime'));
  return { syncToken, openKfId, ...(Number.isSafeInteger(createTime) ? { createTime } : {}) };
}
