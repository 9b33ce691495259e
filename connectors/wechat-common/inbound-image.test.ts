import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../connector.ts';
import { localizeInboundImage, storeInboundImage } from './inbound-image.ts';

const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-inbound-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const image = (media: InboundMessage['media']): InboundMessage => ({
  channelId: 'c1',
  channelType: 'wecom',
  channelMessageId: 'm1',
  visitor: { externalId: 'v1' },
  kind: 'image',
  media,
  origin: 'visitor',
  sentAt: new Date(),
});

describe('inbound images', () => {
  it('stores image bytes under the month folder with the sniffed type', async () => {
    const stored = await storeInboundImage(dir, png, new Date('2026-03-04T00:00:00Z'));
    expect(stored?.url).toMatch(/^\/uploads\/2026-03\/[0-9a-f-]{36}\.png$/);
    expect(stored?.mimeType).toBe('image/png');
    expect(fs.readFileSync(path.join(dir, stored!.url.slice('/uploads/'.length)))).toEqual(Buffer.from(png));
  });

  it('refuses bytes that are not an image', async () => {
    expect(await storeInboundImage(dir, Buffer.from('<html>not an image</html>'))).toBeNull();
  });

  it('downloads a media id and points the message at the stored file', async () => {
    const localized = await localizeInboundImage(image({ mediaId: 'MID' }), dir, {
      byMediaId: async (id) => (id === 'MID' ? { data: png, mimeType: 'image/png' } : Promise.reject(new Error('unknown'))),
    });
    expect(localized.media?.url).toMatch(/^\/uploads\/\d{4}-\d{2}\/.+\.png$/);
    expect(localized.media?.mediaId).toBe('MID');
  });

  it('keeps the reference and names the reason when the download fails', async () => {
    const localized = await localizeInboundImage(image({ mediaId: 'MID' }), dir, { byMediaId: async () => Promise.reject(new Error('40007 invalid media_id')) });
    expect(localized.media).toEqual({ mediaId: 'MID' });
    expect(localized.text).toBe('[图片下载失败：40007 invalid media_id]');
  });

  it('leaves other kinds alone', async () => {
    const text: InboundMessage = { ...image(undefined), kind: 'text', text: '你好' };
    expect(await localizeInboundImage(text, dir, { byMediaId: async () => Promise.reject(new Error('called')) })).toBe(text);
  });
});
