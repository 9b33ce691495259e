import type { MediaUpload } from './api-request.ts';
import { maxMediaBytes } from './api-request.ts';

/**
 * Fetches the bytes behind an outbound message's media URL so they can be uploaded to WeChat.
 * Injectable on the connectors because Kefu may serve its files from storage rather than over HTTP.
 */
export type MediaLoader = (url: string, mimeType?: string) => Promise<MediaUpload>;

/** Loads absolute http(s) URLs with fetch; anything else, a non-2xx answer or >25 MB is an Error. */
export function createFetchMediaLoader(fetchImpl: typeof fetch = fetch, timeoutMs = 15_000): MediaLoader {
  return async (url, mimeType) => {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`media URL must be http(s): ${url}`);
    const response = await fetchImpl(parsed, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`media URL answered HTTP ${response.status}`);
    }
    const data = new Uint8Array(await response.arrayBuffer());
    if (data.byteLength > maxMediaBytes) throw new Error('media file too large');
    const type = mimeType ?? response.headers.get('content-type')?.split(';')[0]?.trim() ?? 'application/octet-stream';
    const filename = decodeURIComponent(parsed.pathname.split('/').pop() || '') || `file.${extensionOf(type)}`;
    return { data, mimeType: type, filename };
  };
}

function extensionOf(mimeType: string): string {
  return { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif' }[mimeType] ?? 'bin';
}
