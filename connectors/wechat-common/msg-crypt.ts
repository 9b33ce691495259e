import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../core/errors.ts';

/**
 * WXBizMsgCrypt, the callback crypto shared by WeCom (微信客服) and the Official Account in
 * compatible / safe mode: SHA1 signatures over the sorted strings, AES-256-CBC with PKCS#7 padding
 * to 32-byte blocks, and a receiveid (CorpID or AppID) appended to every plaintext.
 *
 * Every refusal is an `AppError`: `invalid_signature` for a signature that does not match,
 * `bad_request` for anything that cannot be decrypted or names another receiver. Nothing a remote
 * peer sends makes it throw anything else.
 */

const blockSize = 32;
const encodingAesKeyPattern = /^[a-zA-Z0-9]{43}$/;

/** Lowercase hex SHA1 over the lexicographically sorted strings, concatenated without separator. */
export function computeSignature(...parts: string[]): string {
  const sorted = [...parts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha1').update(sorted.join(''), 'utf8').digest('hex');
}

/** Constant-time comparison of two hex signatures; false for any length or type mismatch. */
export function signaturesEqual(expected: string, received: unknown): boolean {
  if (typeof received !== 'string') return false;
  const a = Buffer.from(expected.toLowerCase(), 'utf8');
  const b = Buffer.from(received.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** OA plain-mode check of the URL `signature`: SHA1 over sort(Token, timestamp, nonce). */
export function verifyPlainSignature(
  token: string,
  query: { signature?: unknown; timestamp?: unknown; nonce?: unknown },
): void {
  const { timestamp, nonce, signature } = query;
  if (typeof timestamp !== 'string' || typeof nonce !== 'string' || typeof signature !== 'string') {
    throw new AppError('invalid_signature', { message: 'signature, timestamp or nonce missing' });
  }
  if (!signaturesEqual(computeSignature(token, timestamp, nonce), signature)) {
    throw new AppError('invalid_signature', { message: 'plain signature mismatch' });
  }
}

/** Decodes a 43-character EncodingAESKey into the 32-byte AES key; `bad_request` if malformed. */
export function decodeAesKey(encodingAesKey: string): Buffer {
  if (!encodingAesKeyPattern.test(encodingAesKey)) {
    throw new AppError('bad_request', { message: 'EncodingAESKey must be 43 characters [a-zA-Z0-9]' });
  }
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new AppError('bad_request', { message: 'EncodingAESKey does not decode to 32 bytes' });
  return key;
}

export interface MsgCryptOptions {
  token: string;
  encodingAesKey: string;
  /** CorpID for WeCom, AppID for the Official Account. */
  receiveId: string;
  /** Source of the 16 random prefix bytes; injectable so the official vectors can be reproduced. */
  random?: (size: number) => Buffer;
}

export interface SignedQuery {
  msg_signature?: unknown;
  timestamp?: unknown;
  nonce?: unknown;
}

export interface EncryptedReply {
  encrypt: string;
  signature: string;
  timestamp: string;
  nonce: string;
  /** The official reply envelope `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`. */
  xml: string;
}

export class MsgCrypt {
  readonly #token: string;
  readonly #key: Buffer;
  readonly #receiveId: string;
  readonly #random: (size: number) => Buffer;

  constructor(options: MsgCryptOptions) {
    this.#token = options.token;
    this.#key = decodeAesKey(options.encodingAesKey);
    this.#receiveId = options.receiveId;
    this.#random = options.random ?? randomBytes;
  }

  /** msg_signature over sort(Token, timestamp, nonce, encrypted). */
  sign(timestamp: string, nonce: string, encrypted: string): string {
    return computeSignature(this.#token, timestamp, nonce, encrypted);
  }

  /** Throws `invalid_signature` unless `query.msg_signature` signs `encrypted`. */
  verify(query: SignedQuery, encrypted: string): void {
    const { msg_signature: signature, timestamp, nonce } = query;
    if (typeof timestamp !== 'string' || typeof nonce !== 'string' || typeof signature !== 'string') {
      throw new AppError('invalid_signature', { message: 'msg_signature, timestamp or nonce missing' });
    }
    if (!signaturesEqual(this.sign(timestamp, nonce, encrypted), signature)) {
      throw new AppError('invalid_signature', { message: 'msg_signature mismatch' });
    }
  }

  /** Verifies the signature, then decrypts; the usual entry point for a callback. */
  verifyAndDecrypt(query: SignedQuery, encrypted: string): string {
    this.verify(query, encrypted);
    return this.decrypt(encrypted);
  }

  /** Decrypts a Base64 ciphertext and checks the receiveid; returns the UTF-8 message. */
  decrypt(encrypted: string): string {
    const cipherText = Buffer.from(encrypted, 'base64');
    if (cipherText.length === 0 || cipherText.length % blockSize !== 0) {
      throw new AppError('bad_request', { message: 'ciphertext length is not a multiple of 32 bytes' });
    }
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.#key, this.#key.subarray(0, 16));
      decipher.setAutoPadding(false);
      plain = Buffer.concat([decipher.update(cipherText), decipher.final()]);
    } catch (cause) {
      throw new AppError('bad_request', { message: 'AES decryption failed', cause });
    }
    const pad = plain[plain.length - 1] ?? 0;
    // The official SDKs treat an out-of-range pad byte as no padding rather than failing.
    const unpadded = pad >= 1 && pad <= blockSize ? plain.subarray(0, plain.length - pad) : plain;
    if (unpadded.length < 20) throw new AppError('bad_request', { message: 'decrypted buffer too short' });
    const length = unpadded.readUInt32BE(16);
    if (20 + length > unpadded.length) throw new AppError('bad_request', { message: 'message length out of range' });
    const message = unpadded.subarray(20, 20 + length).toString('utf8');
    const receiveId = unpadded.subarray(20 + length).toString('utf8');
    if (receiveId !== this.#receiveId) {
      throw new AppError('bad_request', { message: 'receiveid does not match this channel' });
    }
    return message;
  }

  /** Encrypts `message` as random(16) ‖ len(4, BE) ‖ message ‖ receiveid, PKCS#7-padded to 32 bytes. */
  encrypt(message: string): string {
    const random = this.#random(16);
    if (random.length !== 16) throw new AppError('internal', { message: 'random source must return 16 bytes' });
    const body = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length, 0);
    const unpadded = Buffer.concat([random, length, body, Buffer.from(this.#receiveId, 'utf8')]);
    const pad = blockSize - (unpadded.length % blockSize);
    const plain = Buffer.concat([unpadded, Buffer.alloc(pad, pad)]);
    const cipher = createCipheriv('aes-256-cbc', this.#key, this.#key.subarray(0, 16));
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
  }

  /** Encrypts a passive reply and wraps it in the signed envelope WeChat expects back. */
  encryptReply(message: string, timestamp: string, nonce: string): EncryptedReply {
    if (!/^\d{1,20}$/.test(timestamp) || !/^[A-Za-z0-9]{1,64}$/.test(nonce)) {
      throw new AppError('bad_request', { message: 'reply timestamp or nonce malformed' });
    }
    const encrypt = this.encrypt(message);
    const signature = this.sign(timestamp, nonce, encrypt);
    const xml =
      `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt><MsgSignature><![CDATA[${signature}]]></MsgSignature>` +
      `<TimeStamp>${timestamp}</TimeStamp><Nonce><![CDATA[${nonce}]]></Nonce></xml>`;
    return { encrypt, signature, timestamp, nonce, xml };
  }
}
