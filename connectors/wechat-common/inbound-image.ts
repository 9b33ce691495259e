import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sniffImage, type StoredUpload } from '../../console/server/uploads.ts';
import type { InboundMessage } from '../connector.ts';
import type { DownloadedMedia } from './api-request.ts';

/**
 * Stores image bytes fetched from a channel under `uploadDir` in the layout of console uploads
 * (`/uploads/<yyyy-mm>/<uuid>.<ext>`), with the type read from the bytes. Null when the bytes are
 * not a PNG, JPEG, GIF or WebP image.
 */
export async function storeInboundImage(uploadDir: string, data: Uint8Array, now = new Date()): Promise<StoredUpload | null> {
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const image = sniffImage(body.subarray(0, 16));
  if (!image) return null;
  const month = now.toISOString().slice(0, 7);
  const name = `${crypto.randomUUID()}.${image.ext}`;
  const dir = path.join(uploadDir, month);
  await fs.promises.mkdir(dir, { recursive: true });
  await fs.promises.writeFile(path.join(dir, name), body);
  return { url: `/uploads/${month}/${name}`, mimeType: image.mime, size: body.byteLength };
}

/** How a channel's image reaches Kefu: media/get by media id, or a plain URL (Official Account PicUrl). */
export interface InboundImageSource {
  byMediaId?: (mediaId: string) => Promise<DownloadedMedia>;
  byUrl?: (url: string) => Promise<DownloadedMedia>;
}

/**
 * An inbound image with its bytes in Kefu's upload folder, so agents see it without the channel's
 * token or its hotlink rules. An image that cannot be fetched keeps its channel reference and says
 * so in its text, so the agent knows a picture was sent and why it is missing.
 */
export async function localizeInboundImage(inbound: InboundMessage, uploadDir: string, source: InboundImageSource): Promise<InboundMessage> {
  if (inbound.kind !== 'image' || !inbound.media || inbound.media.url?.startsWith('/uploads/')) return inbound;
  const { mediaId, url } = inbound.media;
  try {
    let downloaded: DownloadedMedia | undefined;
    if (mediaId && source.byMediaId) downloaded = await source.byMediaId(mediaId);
    else if (url && /^https?:\/\//.test(url) && source.byUrl) downloaded = await source.byUrl(url);
    if (!downloaded) return inbound;
    const stored = await storeInboundImage(uploadDir, downloaded.data);
    if (!stored) return { ...inbound, text: inbound.text ?? '[图片格式不支持]' };
    return { ...inbound, media: { ...inbound.media, url: stored.url, mimeType: stored.mimeType, size: stored.size } };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ...inbound, text: inbound.text ?? `[图片下载失败：${reason}]` };
  }
}

/** Fetches an http(s) URL as media, within `timeoutMs`. */
export function fetchMediaUrl(fetchImpl: typeof fetch = fetch, timeoutMs = 3_000) {
  return async (url: string): Promise<DownloadedMedia> => {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return { data: new Uint8Array(await response.arrayBuffer()), mimeType: (response.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim() };
  };
}
