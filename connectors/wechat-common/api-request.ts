import { z } from 'zod';
import { WechatApiError } from './errcodes.ts';

/**
 * One HTTP round trip to a WeChat-family API: JSON in and out, a timeout, `errcode` checked, the
 * response validated. Everything that goes wrong surfaces as `WechatApiError` — with the errcode for
 * refusals, without one for transport trouble (network, HTTP status, unparsable body) — so callers
 * have one thing to map.
 */
export interface ApiTransport {
  /** e.g. https://qyapi.weixin.qq.com — no trailing path. */
  baseUrl: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface ApiRequest {
  method?: 'GET' | 'POST';
  query?: Record<string, string | undefined>;
  json?: unknown;
  form?: FormData;
  stage?: 'token' | 'call';
}

const defaultTimeoutMs = 10_000;
const errcodeShape = z.looseObject({ errcode: z.number().optional(), errmsg: z.string().optional() });

export function buildUrl(transport: ApiTransport, path: string, query: Record<string, string | undefined> = {}): URL {
  const url = new URL(path, transport.baseUrl.endsWith('/') ? transport.baseUrl : `${transport.baseUrl}/`);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
  return url;
}

/** Sends the request and returns the raw response, or throws a transport `WechatApiError`. */
export async function sendRequest(transport: ApiTransport, path: string, request: ApiRequest): Promise<Response> {
  const url = buildUrl(transport, path, request.query);
  const init: RequestInit = {
    method: request.method ?? (request.json !== undefined || request.form ? 'POST' : 'GET'),
    signal: AbortSignal.timeout(transport.timeoutMs ?? defaultTimeoutMs),
  };
  if (request.json !== undefined) {
    init.headers = { 'content-type': 'application/json; charset=utf-8' };
    init.body = JSON.stringify(request.json);
  } else if (request.form) {
    init.body = request.form;
  }
  try {
    return await (transport.fetch ?? fetch)(url, init);
  } catch (cause) {
    throw new WechatApiError(path, undefined, cause instanceof Error ? cause.message : String(cause), {
      cause,
      stage: request.stage,
    });
  }
}

/** Reads a JSON API reply: non-zero errcode → refusal; otherwise validated against `schema`. */
export async function readApiJson<T>(
  path: string,
  response: Response,
  schema: z.ZodType<T>,
  stage: 'token' | 'call' = 'call',
): Promise<T> {
  if (!response.ok) {
    await response.body?.cancel();
    throw new WechatApiError(path, undefined, `HTTP ${response.status}`, { stage });
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    throw new WechatApiError(path, undefined, 'response is not JSON', { cause, stage });
  }
  const head = errcodeShape.safeParse(body);
  if (!head.success) throw new WechatApiError(path, undefined, 'response is not a JSON object', { stage });
  if (head.data.errcode !== undefined && head.data.errcode !== 0) {
    throw new WechatApiError(path, head.data.errcode, head.data.errmsg ?? '', { stage });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new WechatApiError(path, undefined, `unexpected response: ${z.prettifyError(parsed.error)}`, { stage });
  }
  return parsed.data;
}

/** `sendRequest` + `readApiJson`. */
export async function callApi<T>(
  transport: ApiTransport,
  path: string,
  request: ApiRequest,
  schema: z.ZodType<T>,
): Promise<T> {
  const response = await sendRequest(transport, path, request);
  return readApiJson(path, response, schema, request.stage);
}

export const okSchema = z.looseObject({ errcode: z.number().optional(), errmsg: z.string().optional() });

export interface DownloadedMedia {
  data: Uint8Array;
  mimeType: string;
  /** From Content-Disposition when the API names the file. */
  filename?: string;
}

/** Upper bound for a downloaded media file; WeChat's own limits stay below 20 MB. */
export const maxMediaBytes = 25 * 1024 * 1024;

/**
 * Reads a media/get reply: binary on success, a JSON errcode body on failure (told apart by
 * Content-Type, as the APIs document).
 */
export async function readMediaResponse(path: string, response: Response): Promise<DownloadedMedia> {
  const mimeType = (response.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim();
  if (!response.ok || mimeType === 'application/json' || mimeType === 'text/plain') {
    await readApiJson(path, response, okSchema);
    throw new WechatApiError(path, undefined, 'media/get returned no file');
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxMediaBytes) {
    await response.body?.cancel();
    throw new WechatApiError(path, undefined, `media of ${declared} bytes exceeds ${maxMediaBytes}`);
  }
  let data: Uint8Array;
  try {
    data = new Uint8Array(await response.arrayBuffer());
  } catch (cause) {
    throw new WechatApiError(path, undefined, 'media download interrupted', { cause });
  }
  if (data.byteLength > maxMediaBytes) throw new WechatApiError(path, undefined, 'media too large');
  return { data, mimeType, filename: filenameOf(response.headers.get('content-disposition')) };
}

function filenameOf(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

/** A file to upload through media/upload. */
export interface MediaUpload {
  data: Uint8Array;
  filename: string;
  mimeType: string;
}

export function buildMediaForm(media: MediaUpload): FormData {
  const form = new FormData();
  form.append('media', new Blob([media.data as Uint8Array<ArrayBuffer>], { type: media.mimeType }), media.filename);
  return form;
}
