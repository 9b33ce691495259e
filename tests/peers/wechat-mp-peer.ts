import { randomBytes } from 'node:crypto';
import { MsgCrypt, computeSignature } from '../../connectors/wechat-common/msg-crypt.ts';
import { buildFlatXml } from '../../connectors/wechat-common/safe-xml.ts';
import {
  errcode,
  parseJsonBody,
  parseMediaPart,
  randomDigits,
  startPeerServer,
  type PeerReply,
  type PeerRequest,
  type RunningServer,
} from './http-peer.ts';

/**
 * A local stand-in for api.weixin.qq.com's Official Account customer-service API: stable_token (and
 * /token), message/custom/send with the 48-hour window (45015) and an optional per-message quota
 * (45047), message/custom/typing (45072 / 45080 / 45081), media upload/get. It also builds the
 * callbacks WeChat POSTs to Kefu in plain, compatible and safe mode.
 */
export type MpPeerMode = 'plain' | 'compatible' | 'safe';

export interface MpPeerOptions {
  appId?: string;
  appSecret?: string;
  token?: string;
  encodingAesKey?: string;
  originalId?: string;
  tokenTtlSeconds?: number;
  /** Messages allowed per visitor message; unlimited when omitted. */
  quotaPerMessage?: number;
  startTime?: number;
}

export interface SentMpMessage {
  touser: string;
  msgtype: string;
  body: Record<string, unknown>;
}

interface Follower {
  lastInteractionAt: number;
  sentSinceInteraction: number;
  typingUntil: number;
}

const windowMs = 48 * 3600 * 1000;

export class WechatMpPeer {
  readonly appId: string;
  readonly appSecret: string;
  readonly token: string;
  readonly encodingAesKey: string;
  readonly originalId: string;
  readonly sent: SentMpMessage[] = [];
  readonly typing: { touser: string; command: string }[] = [];
  readonly calls: string[] = [];
  readonly media = new Map<string, { data: Uint8Array; filename: string; mimeType: string }>();

  #server: RunningServer | undefined;
  #now: number;
  #seq = 0;
  #stableToken: string | undefined;
  readonly #tokenTtlSeconds: number;
  readonly #quota: number | undefined;
  readonly #tokens = new Map<string, { expiresAt: number }>();
  readonly #followers = new Map<string, Follower>();
  readonly #failures: { path: string; code: number }[] = [];

  private constructor(options: MpPeerOptions) {
    this.appId = options.appId ?? 'wxpeerapp00000001';
    this.appSecret = options.appSecret ?? 'peer-app-secret';
    this.token = options.token ?? 'PeerMpToken';
    this.encodingAesKey = options.encodingAesKey ?? 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    this.originalId = options.originalId ?? 'gh_peer0000001';
    this.#tokenTtlSeconds = options.tokenTtlSeconds ?? 7200;
    this.#quota = options.quotaPerMessage;
    this.#now = options.startTime ?? Date.now();
  }

  static async start(options: MpPeerOptions = {}): Promise<WechatMpPeer> {
    const peer = new WechatMpPeer(options);
    peer.#server = await startPeerServer((request) => peer.#handle(request));
    return peer;
  }

  /** Use as WECHAT_MP_API_BASE. */
  get baseUrl(): string {
    if (!this.#server) throw new Error('peer not started');
    return this.#server.baseUrl;
  }

  credentials(mode: MpPeerMode = 'safe'): Record<string, string> {
    return { appId: this.appId, appSecret: this.appSecret, token: this.token, encodingAesKey: this.encodingAesKey, mode };
  }

  async close(): Promise<void> {
    await this.#server?.close();
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    this.#now += ms;
  }

  get tokensIssued(): number {
    return this.#tokens.size;
  }

  /** Every issued token answers 42001 from now on. */
  expireTokens(): void {
    for (const token of this.#tokens.values()) token.expiresAt = 0;
  }

  failNext(path: string, code: number): void {
    this.#failures.push({ path, code });
  }

  /** Records a visitor interaction (opens the 48-hour window) without building a callback. */
  recordInteraction(openId: string): void {
    this.#followers.set(openId, { lastInteractionAt: this.#now, sentSinceInteraction: 0, typingUntil: 0 });
  }

  /** A visitor's text as WeChat would POST it in `mode`; opens the window. */
  userSendsText(openId: string, content: string, mode: MpPeerMode = 'safe') {
    this.recordInteraction(openId);
    const msgId = `${Math.floor(this.#now / 1000)}${randomDigits(9)}`;
    return { msgId, ...this.buildCallback(mode, { FromUserName: openId, MsgType: 'text', Content: content, MsgId: BigInt(msgId) }) };
  }

  /** A follow event (no window for free-form messages beyond what WeChat grants; the peer opens it). */
  userSubscribes(openId: string, mode: MpPeerMode = 'safe', eventKey?: string) {
    this.recordInteraction(openId);
    return this.buildCallback(mode, { FromUserName: openId, MsgType: 'event', Event: 'subscribe', ...(eventKey ? { EventKey: eventKey } : {}) });
  }

  /**
   * Any message or event as a signed callback. ToUserName and CreateTime are filled in. Plain mode:
   * plaintext body + `signature`; compatible: plaintext fields plus `Encrypt`, encrypt_type=aes;
   * safe: `<ToUserName/><Encrypt/>` only.
   */
  buildCallback(
    mode: MpPeerMode,
    fields: Record<string, string | number | bigint>,
  ): { query: Record<string, string>; body: string; plaintext: string } {
    const timestamp = String(Math.floor(this.#now / 1000));
    const nonce = randomDigits(9);
    const message = { ToUserName: this.originalId, CreateTime: Number(timestamp), ...fields };
    const plaintext = buildFlatXml(message);
    const query: Record<string, string> = { signature: computeSignature(this.token, timestamp, nonce), timestamp, nonce };
    if (typeof fields.FromUserName === 'string') query.openid = fields.FromUserName;
    if (mode === 'plain') return { query, body: plaintext, plaintext };
    const crypt = new MsgCrypt({ token: this.token, encodingAesKey: this.encodingAesKey, receiveId: this.appId });
    const encrypt = crypt.encrypt(plaintext);
    query.encrypt_type = 'aes';
    query.msg_signature = crypt.sign(timestamp, nonce, encrypt);
    const body = mode === 'safe' ? buildFlatXml({ ToUserName: this.originalId, Encrypt: encrypt }) : buildFlatXml({ ...message, Encrypt: encrypt });
    return { query, body, plaintext };
  }

  /** The GET of the OA server-configuration check; Kefu must answer with `echostr` unchanged. */
  buildUrlVerification(): { query: Record<string, string>; echostr: string } {
    const timestamp = String(Math.floor(this.#now / 1000));
    const nonce = randomDigits(9);
    const echostr = randomDigits(19);
    return { query: { signature: computeSignature(this.token, timestamp, nonce), timestamp, nonce, echostr }, echostr };
  }

  async #handle(request: PeerRequest): Promise<PeerReply> {
    this.calls.push(request.path);
    const failureIndex = this.#failures.findIndex((failure) => failure.path === request.path);
    if (failureIndex >= 0) {
      const [failure] = this.#failures.splice(failureIndex, 1);
      return errcode(failure!.code, 'injected failure');
    }
    if (request.path === '/cgi-bin/stable_token') return this.#stableTokenReply(parseJsonBody(request.body));
    if (request.path === '/cgi-bin/token') {
      if (request.query.get('appid') !== this.appId) return errcode(40013, 'invalid appid');
      if (request.query.get('secret') !== this.appSecret) return errcode(40125, 'invalid appsecret');
      return this.#issueToken();
    }
    const accessToken = request.query.get('access_token');
    if (!accessToken) return errcode(41001, 'access_token missing');
    const token = this.#tokens.get(accessToken);
    if (!token) return errcode(40001, 'invalid credential, access_token is invalid or not latest');
    if (token.expiresAt <= this.#now) return errcode(42001, 'access_token expired');

    if (request.path === '/cgi-bin/media/upload') return this.#upload(request);
    if (request.path === '/cgi-bin/media/get') {
      const stored = this.media.get(request.query.get('media_id') ?? '');
      if (!stored) return errcode(40007, 'invalid media_id');
      return { binary: stored.data, contentType: stored.mimeType, filename: stored.filename };
    }
    const body = parseJsonBody(request.body);
    if (!body) return errcode(47001, 'data format error');
    if (request.path === '/cgi-bin/message/custom/send') return this.#send(body);
    if (request.path === '/cgi-bin/message/custom/typing') return this.#typing(body);
    return { json: { errcode: 404, errmsg: 'unknown path' }, status: 404 };
  }

  #stableTokenReply(body: Record<string, unknown> | undefined): PeerReply {
    if (!body || body.grant_type !== 'client_credential') return errcode(40002, 'invalid grant_type');
    if (body.appid !== this.appId) return errcode(40013, 'invalid appid');
    if (body.secret !== this.appSecret) return errcode(40125, 'invalid appsecret');
    const current = this.#stableToken ? this.#tokens.get(this.#stableToken) : undefined;
    // Normal mode hands out the still-valid stable token; only force_refresh replaces it early.
    if (this.#stableToken && current && current.expiresAt > this.#now && body.force_refresh !== true) {
      return { json: { access_token: this.#stableToken, expires_in: Math.floor((current.expiresAt - this.#now) / 1000) } };
    }
    const reply = this.#issueToken();
    this.#stableToken = (reply as { json: { access_token: string } }).json.access_token;
    return reply;
  }

  #issueToken(): PeerReply {
    const accessToken = `peer_mp_at_${randomBytes(16).toString('hex')}`;
    this.#tokens.set(accessToken, { expiresAt: this.#now + this.#tokenTtlSeconds * 1000 });
    return { json: { access_token: accessToken, expires_in: this.#tokenTtlSeconds } };
  }

  #send(body: Record<string, unknown>): PeerReply {
    const touser = typeof body.touser === 'string' ? body.touser : '';
    const follower = this.#followers.get(touser);
    if (!follower) return errcode(40003, 'invalid openid');
    if (this.#now - follower.lastInteractionAt > windowMs) return errcode(45015, 'response out of time limit or subscription is canceled');
    if (this.#quota !== undefined && follower.sentSinceInteraction >= this.#quota) return errcode(45047, 'out of response count limit');
    const msgtype = body.msgtype;
    if (msgtype === 'text') {
      const text = body.text as Record<string, unknown> | undefined;
      if (typeof text?.content !== 'string' || text.content === '') return errcode(44003, 'empty content');
    } else if (msgtype === 'image') {
      if (!this.media.has(String((body.image as Record<string, unknown> | undefined)?.media_id))) return errcode(40007, 'invalid media_id');
    } else {
      return errcode(40008, 'invalid message type');
    }
    follower.sentSinceInteraction += 1;
    follower.typingUntil = 0;
    this.sent.push({ touser, msgtype, body });
    return { json: { errcode: 0, errmsg: 'ok' } };
  }

  #typing(body: Record<string, unknown>): PeerReply {
    const touser = typeof body.touser === 'string' ? body.touser : '';
    const command = body.command;
    if (command !== 'Typing' && command !== 'CancelTyping') return errcode(45072, 'command invalid');
    const follower = this.#followers.get(touser);
    if (!follower || this.#now - follower.lastInteractionAt > 30_000) return errcode(45080, 'has not sent message to user in 30 seconds');
    if (command === 'Typing' && follower.typingUntil > this.#now) return errcode(45081, 'already typing');
    follower.typingUntil = command === 'Typing' ? this.#now + 15_000 : 0;
    this.typing.push({ touser, command });
    return { json: { errcode: 0, errmsg: 'ok' } };
  }

  async #upload(request: PeerRequest): Promise<PeerReply> {
    const type = request.query.get('type');
    if (!type || !['image', 'voice', 'video', 'thumb'].includes(type)) return errcode(40004, 'invalid media type');
    const part = await parseMediaPart(request);
    if (!part || part.data.byteLength === 0) return errcode(41005, 'media data missing');
    const mediaId = `peer_mp_media_${++this.#seq}`;
    this.media.set(mediaId, part);
    return { json: { type, media_id: mediaId, created_at: Math.floor(this.#now / 1000) } };
  }
}
