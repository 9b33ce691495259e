import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AccessTokenProvider } from '../wechat-common/access-token.ts';
import {
  buildMediaForm,
  callApi,
  readMediaResponse,
  sendRequest,
  type ApiTransport,
  type DownloadedMedia,
  type MediaUpload,
} from '../wechat-common/api-request.ts';
import type { TokenCache } from '../wechat-common/token-cache.ts';

/**
 * HTTP client for the WeCom 微信客服 API: token, kf/sync_msg, kf/send_msg, kf/send_msg_on_event,
 * kf/service_state/get|trans, media/upload|get. Every call goes through a shared, cached access token
 * that is refreshed and retried once on 40014 / 42001 / 40001. Refusals and transport failures throw
 * `WechatApiError` (see wechat-common/errcodes.ts); callers map them with `toDeliveryFailure`.
 */
export const defaultWecomApiBase = 'https://qyapi.weixin.qq.com';

export interface WecomApiClientOptions {
  corpId: string;
  /** The 微信客服 secret (or the secret of an app allowed to call the kf API). */
  secret: string;
  tokenCache: TokenCache;
  /** WECOM_API_BASE; defaults to https://qyapi.weixin.qq.com. */
  apiBase?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface KfSyncRequest {
  cursor?: string;
  /** The `Token` of the kf_msg_or_event callback; without it WeCom rate-limits sync_msg hard. */
  token?: string;
  /** 1–1000. */
  limit?: number;
  openKfId?: string;
  /** 0 AMR (default), 1 SILK. */
  voiceFormat?: 0 | 1;
}

export interface KfSyncPage {
  nextCursor: string | undefined;
  /** Keep pulling while true, even if `msgList` is empty. */
  hasMore: boolean;
  /** Raw items, to be passed through `normalizeKfMessage`. */
  msgList: unknown[];
}

export type KfMenuItem =
  | { type: 'click'; click: { id: string; content: string } }
  | { type: 'view'; view: { url: string; content: string } }
  | { type: 'miniprogram'; miniprogram: { appid: string; pagepath: string; content: string } };

export interface KfMenu {
  head_content?: string;
  list: KfMenuItem[];
  tail_content?: string;
}

/** The message bodies Kefu sends, in the API's own shape. */
export type KfMessageBody =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'image'; image: { media_id: string } }
  | { msgtype: 'msgmenu'; msgmenu: KfMenu };

export type KfEventMessageBody = Extract<KfMessageBody, { msgtype: 'text' | 'msgmenu' }>;

export interface KfSendRequest {
  /** external_userid of the visitor. */
  toUser: string;
  openKfId: string;
  /** ≤32 bytes of [0-9a-zA-Z_-], unique per kf account; WeCom refuses a reused one. */
  msgid?: string;
  body: KfMessageBody;
}

/** kf service_state: 0 new, 1 API/bot, 2 waiting pool, 3 human servicer, 4 ended. */
export type KfServiceState = 0 | 1 | 2 | 3 | 4;

export type WecomMediaType = 'image' | 'voice' | 'video' | 'file';

const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.number().int().positive() });
const syncSchema = z.object({
  next_cursor: z.string().optional(),
  has_more: z.union([z.number(), z.boolean()]).optional(),
  msg_list: z.array(z.unknown()).optional(),
});
const sendSchema = z.object({ msgid: z.string().optional() });
const stateSchema = z.object({ service_state: z.number().int().min(0).max(4), servicer_userid: z.string().optional() });
const transSchema = z.object({ msg_code: z.string().optional() });
const uploadSchema = z.object({ media_id: z.string().min(1) });

export class WecomApiClient {
  readonly #transport: ApiTransport;
  readonly #tokens: AccessTokenProvider;

  constructor(private readonly options: WecomApiClientOptions) {
    this.#transport = { baseUrl: options.apiBase ?? defaultWecomApiBase, fetch: options.fetch, timeoutMs: options.timeoutMs };
    // Tokens belong to a secret, not only to a corp; the secret itself stays out of the key.
    const secretTag = createHash('sha256').update(options.secret).digest('hex').slice(0, 12);
    this.#tokens = new AccessTokenProvider(options.tokenCache, `wecom:access_token:${options.corpId}:${secretTag}`, () =>
      this.#fetchToken(),
    );
  }

  /** The cached access token, fetched through gettoken when missing. */
  getAccessToken(): Promise<string> {
    return this.#tokens.get();
  }

  /** One page of kf/sync_msg. Persist `nextCursor` after every page. */
  async syncMessages(request: KfSyncRequest = {}): Promise<KfSyncPage> {
    const body = {
      ...(request.cursor ? { cursor: request.cursor } : {}),
      ...(request.token ? { token: request.token } : {}),
      ...(request.limit ? { limit: Math.min(1000, Math.max(1, Math.trunc(request.limit))) } : {}),
      ...(request.openKfId ? { open_kfid: request.openKfId } : {}),
      ...(request.voiceFormat !== undefined ? { voice_format: request.voiceFormat } : {}),
    };
    const page = await this.#post('/cgi-bin/kf/sync_msg', body, syncSchema);
    return {
      nextCursor: page.next_cursor || undefined,
      hasMore: page.has_more === 1 || page.has_more === true,
      msgList: page.msg_list ?? [],
    };
  }

  /** kf/send_msg; allowed in service_state 0/1 within 48 h and 5 messages of the visitor's last message. */
  async sendMessage(request: KfSendRequest): Promise<{ msgid: string | undefined }> {
    const body = {
      touser: request.toUser,
      open_kfid: request.openKfId,
      ...(request.msgid ? { msgid: request.msgid } : {}),
      ...request.body,
    };
    const result = await this.#post('/cgi-bin/kf/send_msg', body, sendSchema);
    return { msgid: result.msgid };
  }

  /** kf/send_msg_on_event with a welcome_code or msg_code (single use; 20 s for welcome and end codes). */
  async sendMessageOnEvent(request: { code: string; msgid?: string; body: KfEventMessageBody }): Promise<{ msgid: string | undefined }> {
    const body = { code: request.code, ...(request.msgid ? { msgid: request.msgid } : {}), ...request.body };
    const result = await this.#post('/cgi-bin/kf/send_msg_on_event', body, sendSchema);
    return { msgid: result.msgid };
  }

  async getServiceState(request: { openKfId: string; externalUserId: string }): Promise<{
    serviceState: KfServiceState;
    servicerUserId: string | undefined;
  }> {
    const result = await this.#post(
      '/cgi-bin/kf/service_state/get',
      { open_kfid: request.openKfId, external_userid: request.externalUserId },
      stateSchema,
    );
    return { serviceState: result.service_state as KfServiceState, servicerUserId: result.servicer_userid || undefined };
  }

  /** Moves the session; returns the msg_code WeCom issues for states 2, 3 (first time) and 4. */
  async transServiceState(request: {
    openKfId: string;
    externalUserId: string;
    serviceState: KfServiceState;
    servicerUserId?: string;
  }): Promise<{ msgCode: string | undefined }> {
    const result = await this.#post(
      '/cgi-bin/kf/service_state/trans',
      {
        open_kfid: request.openKfId,
        external_userid: request.externalUserId,
        service_state: request.serviceState,
        ...(request.servicerUserId ? { servicer_userid: request.servicerUserId } : {}),
      },
      transSchema,
    );
    return { msgCode: result.msg_code || undefined };
  }

  /** media/upload (multipart field `media`); the media_id is valid for 3 days. */
  async uploadMedia(type: WecomMediaType, media: MediaUpload): Promise<{ mediaId: string }> {
    const path = '/cgi-bin/media/upload';
    const result = await this.#tokens.withToken((accessToken) =>
      callApi(this.#transport, path, { method: 'POST', query: { access_token: accessToken, type }, form: buildMediaForm(media) }, uploadSchema),
    );
    return { mediaId: result.media_id };
  }

  /** media/get: the file, or a `WechatApiError` when WeCom answers with an errcode. */
  async getMedia(mediaId: string): Promise<DownloadedMedia> {
    const path = '/cgi-bin/media/get';
    return this.#tokens.withToken(async (accessToken) =>
      readMediaResponse(path, await sendRequest(this.#transport, path, { query: { access_token: accessToken, media_id: mediaId } })),
    );
  }

  #post<T>(path: string, json: unknown, schema: z.ZodType<T>): Promise<T> {
    return this.#tokens.withToken((accessToken) =>
      callApi(this.#transport, path, { method: 'POST', query: { access_token: accessToken }, json }, schema),
    );
  }

  async #fetchToken() {
    const result = await callApi(
      this.#transport,
      '/cgi-bin/gettoken',
      { query: { corpid: this.options.corpId, corpsecret: this.options.secret }, stage: 'token' },
      tokenSchema,
    );
    return { accessToken: result.access_token, expiresIn: result.expires_in };
  }
}
