import { z } from 'zod';
import { AccessTokenProvider } from '../wechat-common/access-token.ts';
import {
  buildMediaForm,
  callApi,
  okSchema,
  readMediaResponse,
  sendRequest,
  type ApiTransport,
  type DownloadedMedia,
  type MediaUpload,
} from '../wechat-common/api-request.ts';
import type { TokenCache } from '../wechat-common/token-cache.ts';

/**
 * HTTP client for the Official Account customer-service API: stable_token, message/custom/send,
 * message/custom/typing, media/upload|get. The token comes from `stable_token` (not invalidated by
 * other callers), is shared through the `TokenCache`, and is refreshed and retried once on
 * 40014 / 42001 / 40001. Failures throw `WechatApiError`.
 */
export const defaultMpApiBase = 'https://api.weixin.qq.com';

export interface MpApiClientOptions {
  appId: string;
  appSecret: string;
  tokenCache: TokenCache;
  /** WECHAT_MP_API_BASE; defaults to https://api.weixin.qq.com. */
  apiBase?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export type MpCustomMessageBody =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'image'; image: { media_id: string } };

export type MpMediaType = 'image' | 'voice' | 'video' | 'thumb';

const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.number().int().positive() });
const uploadSchema = z.object({ media_id: z.string().min(1) });

export class MpApiClient {
  readonly #transport: ApiTransport;
  readonly #tokens: AccessTokenProvider;

  constructor(private readonly options: MpApiClientOptions) {
    this.#transport = { baseUrl: options.apiBase ?? defaultMpApiBase, fetch: options.fetch, timeoutMs: options.timeoutMs };
    this.#tokens = new AccessTokenProvider(options.tokenCache, `wechat_mp:access_token:${options.appId}`, ({ force }) =>
      this.#fetchToken(force),
    );
  }

  getAccessToken(): Promise<string> {
    return this.#tokens.get();
  }

  /** message/custom/send; allowed within 48 h of the visitor's last interaction. */
  async sendCustomMessage(toUser: string, body: MpCustomMessageBody): Promise<void> {
    await this.#post('/cgi-bin/message/custom/send', { touser: toUser, ...body });
  }

  /** message/custom/typing: shows (15 s) or cancels "对方正在输入"; needs an interaction in the last 30 s. */
  async setTyping(toUser: string, typing: boolean): Promise<void> {
    await this.#post('/cgi-bin/message/custom/typing', { touser: toUser, command: typing ? 'Typing' : 'CancelTyping' });
  }

  /** Temporary media (3 days), multipart field `media`. */
  async uploadMedia(type: MpMediaType, media: MediaUpload): Promise<{ mediaId: string }> {
    const path = '/cgi-bin/media/upload';
    const result = await this.#tokens.withToken((accessToken) =>
      callApi(this.#transport, path, { method: 'POST', query: { access_token: accessToken, type }, form: buildMediaForm(media) }, uploadSchema),
    );
    return { mediaId: result.media_id };
  }

  async getMedia(mediaId: string): Promise<DownloadedMedia> {
    const path = '/cgi-bin/media/get';
    return this.#tokens.withToken(async (accessToken) =>
      readMediaResponse(path, await sendRequest(this.#transport, path, { query: { access_token: accessToken, media_id: mediaId } })),
    );
  }

  #post(path: string, json: unknown): Promise<unknown> {
    return this.#tokens.withToken((accessToken) =>
      callApi(this.#transport, path, { method: 'POST', query: { access_token: accessToken }, json }, okSchema),
    );
  }

  async #fetchToken(force: boolean) {
    const result = await callApi(
      this.#transport,
      '/cgi-bin/stable_token',
      {
        method: 'POST',
        json: { grant_type: 'client_credential', appid: this.options.appId, secret: this.options.appSecret, force_refresh: force },
        stage: 'token',
      },
      tokenSchema,
    );
    return { accessToken: result.access_token, expiresIn: result.expires_in };
  }
}
