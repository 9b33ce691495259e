import { randomBytes } from 'node:crypto';
import { MsgCrypt } from '../../connectors/wechat-common/msg-crypt.ts';
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
import { KfSessions, type KfSession } from './wecom-sessions.ts';

export type { KfSession } from './wecom-sessions.ts';

/**
 * A local stand-in for qyapi.weixin.qq.com's 微信客服 API, following the documented behaviour closely
 * enough for tests: gettoken (tokens can be expired to force 42001), kf/sync_msg over a message queue
 * with cursors and has_more, kf/send_msg with the service-state, 48-hour and 5-message rules, single-use
 * event codes for send_msg_on_event, service_state get/trans issuing msg_code, media upload/get.
 * It also builds the encrypted kf_msg_or_event callback WeCom would POST to Kefu.
 *
 * Where the documentation names no errcode the peer uses 40058 (invalid parameter: used or expired
 * event code, bad cursor); 95018 stands for "session state or 48 h window does not allow sending",
 * 95001 for the 5-message limit; sessions and their states live in wecom-sessions.ts.
 *
 * A repeated send msgid: the documentation only says msgid must be unique within the kf account and is
 * echoed back, not what WeCom answers to a repeat (INFERENCE: it does not deliver the message again).
 * The peer answers ok with the same msgid and delivers nothing, so a send repeated after a crash
 * reaches the visitor once.
 */
export interface WecomPeerOptions {
  corpId?: string;
  secret?: string;
  /** Callback Token and EncodingAESKey configured in the WeCom admin. */
  callbackToken?: string;
  encodingAesKey?: string;
  openKfId?: string;
  tokenTtlSeconds?: number;
  /** Milliseconds; defaults to a clock that `advance()` moves. */
  startTime?: number;
}

export interface SentKfMessage {
  endpoint: 'send_msg' | 'send_msg_on_event';
  body: Record<string, unknown>;
  msgid: string;
}

export class WecomPeer {
  readonly corpId: string;
  readonly secret: string;
  readonly callbackToken: string;
  readonly encodingAesKey: string;
  readonly openKfId: string;
  readonly sent: SentKfMessage[] = [];
  /** Every API call received, in order (path only), to assert e.g. how often gettoken ran. */
  readonly calls: string[] = [];
  readonly sessions: KfSessions;
  readonly media = new Map<string, { data: Uint8Array; filename: string; mimeType: string }>();

  #server: RunningServer | undefined;
  #now: number;
  readonly #tokenTtlSeconds: number;
  readonly #tokens = new Map<string, { expiresAt: number; revoked: boolean }>();
  readonly #queue: Record<string, unknown>[] = [];
  readonly #syncTokens = new Set<string>();
  readonly #eventCodes = new Map<string, { key: string; expiresAt: number; used: boolean }>();
  readonly #msgids = new Set<string>();
  readonly #failures: { path: string; code: number }[] = [];
  #seq = 0;

  private constructor(options: WecomPeerOptions) {
    this.corpId = options.corpId ?? 'wwpeercorp0000001';
    this.secret = options.secret ?? 'peer-kf-secret';
    this.callbackToken = options.callbackToken ?? 'PeerToken';
    this.encodingAesKey = options.encodingAesKey ?? 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
    this.openKfId = options.openKfId ?? 'wkPEERKF000001';
    this.#tokenTtlSeconds = options.tokenTtlSeconds ?? 7200;
    this.#now = options.startTime ?? Date.now();
    this.sessions = new KfSessions(() => this.#now, (externalUserId, ttlMs) => this.#issueCode(externalUserId, ttlMs));
  }

  static async start(options: WecomPeerOptions = {}): Promise<WecomPeer> {
    const peer = new WecomPeer(options);
    peer.#server = await startPeerServer((request) => peer.#handle(request));
    return peer;
  }

  /** Use as WECOM_API_BASE. */
  get baseUrl(): string {
    if (!this.#server) throw new Error('peer not started');
    return this.#server.baseUrl;
  }

  /** ChannelConfig.credentials matching this peer. */
  get credentials(): Record<string, string> {
    return {
      corpId: this.corpId,
      secret: this.secret,
      token: this.callbackToken,
      encodingAesKey: this.encodingAesKey,
      openKfId: this.openKfId,
    };
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

  /** Every issued token answers 42001 from now on, as when WeCom expires tokens early. */
  expireTokens(): void {
    for (const token of this.#tokens.values()) token.expiresAt = 0;
  }

  /** The next call to `path` (e.g. '/cgi-bin/kf/send_msg') answers `code` once. */
  failNext(path: string, code: number): void {
    this.#failures.push({ path, code });
  }

  session(externalUserId: string, openKfId = this.openKfId): KfSession {
    return this.sessions.get(openKfId, externalUserId);
  }

  /** Puts a visitor's session in a state, as a WeCom servicer or the admin would (3 needs a servicer). */
  setSessionState(externalUserId: string, state: KfSession['state'], servicerUserId?: string): void {
    const session = this.session(externalUserId);
    session.state = state;
    session.servicerUserId = state === 3 ? (servicerUserId ?? 'peer_servicer') : undefined;
  }

  /** Messages delivered to a visitor through send_msg (a repeated msgid is not delivered again). */
  sentTo(externalUserId: string): SentKfMessage[] {
    return this.sent.filter((sent) => sent.body.touser === externalUserId);
  }

  /** Queues a visitor message (origin 3): re-opens the session and the 5-message budget. */
  pushVisitorMessage(
    externalUserId: string,
    body: { msgtype: string; [key: string]: unknown } = { msgtype: 'text', text: { content: '你好' } },
  ): { msgid: string; syncToken: string } {
    this.sessions.visitorWrote(this.session(externalUserId));
    return this.pushItem({ open_kfid: this.openKfId, external_userid: externalUserId, origin: 3, ...body });
  }

  pushVisitorText(externalUserId: string, content: string): { msgid: string; syncToken: string } {
    return this.pushVisitorMessage(externalUserId, { msgtype: 'text', text: { content } });
  }

  /** Queues a message typed by a servicer in the WeCom client (origin 5). */
  pushServicerText(externalUserId: string, servicerUserId: string, content: string): { msgid: string; syncToken: string } {
    return this.pushItem({
      open_kfid: this.openKfId,
      external_userid: externalUserId,
      origin: 5,
      servicer_userid: servicerUserId,
      msgtype: 'text',
      text: { content },
    });
  }

  /** Queues enter_session with a fresh welcome_code valid 20 s; returns the code. */
  enterSession(externalUserId: string, scene = ''): { welcomeCode: string; msgid: string; syncToken: string } {
    const welcomeCode = this.#issueCode(externalUserId, 20_000);
    const pushed = this.pushEvent({ event_type: 'enter_session', external_userid: externalUserId, scene, welcome_code: welcomeCode });
    return { welcomeCode, ...pushed };
  }

  /** Queues an origin-4 event item; `open_kfid` defaults to this peer's account. */
  pushEvent(event: { event_type: string; [key: string]: unknown }): { msgid: string; syncToken: string } {
    return this.pushItem({ origin: 4, msgtype: 'event', event: { open_kfid: this.openKfId, ...event } });
  }

  /** Queues any raw item; msgid and send_time are filled in when absent. */
  pushItem(item: Record<string, unknown>): { msgid: string; syncToken: string } {
    const msgid = typeof item.msgid === 'string' ? item.msgid : `peer_msg_${++this.#seq}`;
    this.#queue.push({ msgid, send_time: Math.floor(this.#now / 1000), ...item });
    const syncToken = `ENC${randomBytes(12).toString('hex')}`;
    this.#syncTokens.add(syncToken);
    return { msgid, syncToken };
  }

  /** The encrypted kf_msg_or_event callback WeCom would POST to Kefu's callback URL. */
  buildCallback(syncToken: string, openKfId = this.openKfId): {
    query: { msg_signature: string; timestamp: string; nonce: string };
    body: string;
    plaintext: string;
  } {
    const timestamp = String(Math.floor(this.#now / 1000));
    const plaintext = buildFlatXml({
      ToUserName: this.corpId,
      CreateTime: Number(timestamp),
      MsgType: 'event',
      Event: 'kf_msg_or_event',
      Token: syncToken,
      OpenKfId: openKfId,
    });
    const crypt = this.#crypt();
    const encrypt = crypt.encrypt(plaintext);
    const nonce = randomDigits(9);
    return {
      query: { msg_signature: crypt.sign(timestamp, nonce, encrypt), timestamp, nonce },
      body: buildFlatXml({ ToUserName: this.corpId, Encrypt: encrypt, AgentID: '' }),
      plaintext,
    };
  }

  /** The GET query of WeCom's URL verification; Kefu must answer with `echo`. */
  buildUrlVerification(echo = randomDigits(19)): { query: Record<string, string>; echo: string } {
    const timestamp = String(Math.floor(this.#now / 1000));
    const nonce = randomDigits(9);
    const crypt = this.#crypt();
    const echostr = crypt.encrypt(echo);
    return { query: { msg_signature: crypt.sign(timestamp, nonce, echostr), timestamp, nonce, echostr }, echo };
  }

  /** POSTs a built callback to Kefu, as WeCom does. */
  async deliverCallback(callbackUrl: string, syncToken: string): Promise<Response> {
    const { query, body } = this.buildCallback(syncToken);
    const url = new URL(callbackUrl);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  }

  #crypt(): MsgCrypt {
    return new MsgCrypt({ token: this.callbackToken, encodingAesKey: this.encodingAesKey, receiveId: this.corpId });
  }

  #issueCode(externalUserId: string, ttlMs: number): string {
    const code = `CODE${randomBytes(8).toString('hex')}`;
    this.#eventCodes.set(code, { key: externalUserId, expiresAt: this.#now + ttlMs, used: false });
    return code;
  }

  async #handle(request: PeerRequest): Promise<PeerReply> {
    this.calls.push(request.path);
    const failureIndex = this.#failures.findIndex((failure) => failure.path === request.path);
    if (failureIndex >= 0) {
      const [failure] = this.#failures.splice(failureIndex, 1);
      return errcode(failure!.code, 'injected failure');
    }
    if (request.path === '/cgi-bin/gettoken') return this.#getToken(request);

    const tokenError = this.#checkToken(request.query.get('access_token'));
    if (tokenError) return tokenError;

    if (request.path === '/cgi-bin/media/upload') return this.#upload(request);
    if (request.path === '/cgi-bin/media/get') {
      const stored = this.media.get(request.query.get('media_id') ?? '');
      if (!stored) return errcode(40007, 'invalid media_id');
      return { binary: stored.data, contentType: stored.mimeType, filename: stored.filename };
    }
    if (request.method !== 'POST') return errcode(43002, 'require POST method');
    const body = parseJsonBody(request.body);
    if (!body) return errcode(47001, 'data format error');
    switch (request.path) {
      case '/cgi-bin/kf/sync_msg':
        return this.#sync(body);
      case '/cgi-bin/kf/send_msg':
        return this.#send(body);
      case '/cgi-bin/kf/send_msg_on_event':
        return this.#sendOnEvent(body);
      case '/cgi-bin/kf/service_state/get':
        return this.#getState(body);
      case '/cgi-bin/kf/service_state/trans':
        return this.#trans(body);
      default:
        return { json: { errcode: 404, errmsg: 'unknown path' }, status: 404 };
    }
  }

  #getToken(request: PeerRequest): PeerReply {
    if (request.query.get('corpid') !== this.corpId) return errcode(40013, 'invalid corpid');
    if (request.query.get('corpsecret') !== this.secret) return errcode(40001, 'invalid credential');
    const accessToken = `peer_at_${randomBytes(16).toString('hex')}`;
    this.#tokens.set(accessToken, { expiresAt: this.#now + this.#tokenTtlSeconds * 1000, revoked: false });
    return { json: { errcode: 0, errmsg: 'ok', access_token: accessToken, expires_in: this.#tokenTtlSeconds } };
  }

  #checkToken(accessToken: string | null): PeerReply | undefined {
    if (!accessToken) return errcode(41001, 'access_token missing');
    const token = this.#tokens.get(accessToken);
    if (!token) return errcode(40014, 'invalid access_token');
    if (token.expiresAt <= this.#now) return errcode(42001, 'access_token expired');
    return undefined;
  }

  #sync(body: Record<string, unknown>): PeerReply {
    if (body.token !== undefined && !this.#syncTokens.has(String(body.token))) return errcode(40058, 'invalid token');
    const cursor = typeof body.cursor === 'string' ? body.cursor : '';
    const start = cursor === '' ? 0 : Number.parseInt(cursor.replace(/^c/, ''), 10);
    if (!Number.isInteger(start) || start < 0 || start > this.#queue.length) return errcode(40058, 'invalid cursor');
    const limit = typeof body.limit === 'number' ? Math.min(1000, Math.max(1, body.limit)) : 1000;
    const end = Math.min(this.#queue.length, start + limit);
    const openKfId = typeof body.open_kfid === 'string' ? body.open_kfid : undefined;
    const page = this.#queue.slice(start, end).filter((item) => {
      const owner = item.msgtype === 'event' ? (item.event as Record<string, unknown>).open_kfid : item.open_kfid;
      return !openKfId || owner === openKfId;
    });
    return {
      json: { errcode: 0, errmsg: 'ok', next_cursor: `c${end}`, has_more: end < this.#queue.length ? 1 : 0, msg_list: page },
    };
  }

  #send(body: Record<string, unknown>): PeerReply {
    if (body.open_kfid !== this.openKfId) return errcode(95000, 'invalid open_kfid');
    if (typeof body.touser !== 'string') return errcode(40058, 'touser missing');
    const invalid = this.#checkBody(body, ['text', 'image', 'msgmenu']);
    if (invalid) return invalid;
    const msgid = this.#claimMsgid(body.msgid);
    if (typeof msgid !== 'string') return msgid;
    if (this.#msgids.has(msgid)) return { json: { errcode: 0, errmsg: 'ok', msgid } };
    const refused = this.sessions.claimSend(this.session(body.touser));
    if (refused) return refused;
    this.#msgids.add(msgid);
    this.sent.push({ endpoint: 'send_msg', body, msgid });
    return { json: { errcode: 0, errmsg: 'ok', msgid } };
  }

  #sendOnEvent(body: Record<string, unknown>): PeerReply {
    const code = this.#eventCodes.get(typeof body.code === 'string' ? body.code : '');
    if (!code || code.used || code.expiresAt < this.#now) return errcode(40058, 'invalid code');
    const invalid = this.#checkBody(body, ['text', 'msgmenu']);
    if (invalid) return invalid;
    const msgid = this.#claimMsgid(body.msgid);
    if (typeof msgid !== 'string') return msgid;
    if (this.#msgids.has(msgid)) return { json: { errcode: 0, errmsg: 'ok', msgid } };
    code.used = true;
    this.#msgids.add(msgid);
    this.sent.push({ endpoint: 'send_msg_on_event', body, msgid });
    return { json: { errcode: 0, errmsg: 'ok', msgid } };
  }

  #checkBody(body: Record<string, unknown>, allowed: string[]): PeerReply | undefined {
    const msgtype = body.msgtype;
    if (typeof msgtype !== 'string' || !allowed.includes(msgtype)) return errcode(40008, 'invalid message type');
    const content = body[msgtype] as Record<string, unknown> | undefined;
    if (msgtype === 'text' && (typeof content?.content !== 'string' || Buffer.byteLength(content.content) > 2048)) {
      return errcode(40058, 'invalid text');
    }
    if (msgtype === 'image' && !this.media.has(String(content?.media_id))) return errcode(40007, 'invalid media_id');
    if (msgtype === 'msgmenu' && (!Array.isArray(content?.list) || content.list.length > 10)) return errcode(40058, 'invalid msgmenu');
    return undefined;
  }

  #claimMsgid(value: unknown): string | PeerReply {
    if (value === undefined) return `peer_out_${++this.#seq}`;
    if (typeof value !== 'string' || !/^[0-9a-zA-Z_-]{1,32}$/.test(value)) return errcode(40058, 'invalid msgid');
    return value;
  }

  #getState(body: Record<string, unknown>): PeerReply {
    if (body.open_kfid !== this.openKfId) return errcode(95000, 'invalid open_kfid');
    return this.sessions.getState(this.session(String(body.external_userid)));
  }

  #trans(body: Record<string, unknown>): PeerReply {
    if (body.open_kfid !== this.openKfId) return errcode(95000, 'invalid open_kfid');
    const externalUserId = String(body.external_userid);
    return this.sessions.trans(this.session(externalUserId), externalUserId, body);
  }

  async #upload(request: PeerRequest): Promise<PeerReply> {
    const type = request.query.get('type');
    if (!type || !['image', 'voice', 'video', 'file'].includes(type)) return errcode(40004, 'invalid media type');
    const part = await parseMediaPart(request);
    if (!part || part.data.byteLength <= 5) return errcode(40005, 'invalid file');
    const mediaId = `peer_media_${++this.#seq}`;
    this.media.set(mediaId, part);
    return { json: { errcode: 0, errmsg: 'ok', type, media_id: mediaId, created_at: String(Math.floor(this.#now / 1000)) } };
  }
}
