import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import busboy from 'busboy';
import type { Context } from 'koa';
import { AppError } from '../../core/errors.ts';
import { MAX_UPLOAD_BYTES } from '../shared/protocol.ts';

const signatures: { mime: string; ext: string; test: (b: Buffer) => boolean }[] = [
  { mime: 'image/png', ext: 'png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { mime: 'image/jpeg', ext: 'jpg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: 'image/gif', ext: 'gif', test: (b) => b.subarray(0, 4).toString('latin1') === 'GIF8' },
  { mime: 'image/webp', ext: 'webp', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
];

/** Detects the image type from its first bytes; the declared content type is not trusted. */
export function sniffImage(head: Buffer): { mime: string; ext: string } | null {
  const found = signatures.find((s) => s.test(head));
  return found ? { mime: found.mime, ext: found.ext } : null;
}

export interface StoredUpload {
  url: string;
  mimeType: string;
  size: number;
}

/** Receives one multipart image (field `file`), checks type and size while streaming, stores it under uploadDir. */
export async function receiveImage(ctx: Context, uploadDir: string): Promise<StoredUpload> {
  const type = ctx.get('content-type');
  if (!type.startsWith('multipart/form-data')) {
    throw new AppError('unsupported_media_type', { userMessage: 'Upload an image as multipart/form-data in the field "file".' });
  }
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > MAX_UPLOAD_BYTES + 64 * 1024) {
    throw new AppError('payload_too_large', { userMessage: 'An image can be at most 10 MB.' });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let found = false;
  await new Promise<void>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: ctx.req.headers, limits: { files: 1, fileSize: MAX_UPLOAD_BYTES, fields: 5 } });
    } catch (error) {
      reject(new AppError('bad_request', { userMessage: 'Malformed multipart body.', cause: error }));
      return;
    }
    parser.on('file', (field, stream) => {
      if (field !== 'file') {
        stream.resume();
        return;
      }
      found = true;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        chunks.push(chunk);
      });
      stream.on('limit', () => reject(new AppError('payload_too_large', { userMessage: 'An image can be at most 10 MB.' })));
    });
    parser.on('error', (error) => reject(new AppError('bad_request', { userMessage: 'Malformed multipart body.', cause: error })));
    parser.on('close', () => resolve());
    ctx.req.pipe(parser);
  });
  if (!found || size === 0) throw new AppError('validation_failed', { userMessage: 'No file was uploaded in the field "file".' });
  const body = Buffer.concat(chunks);
  const image = sniffImage(body.subarray(0, 16));
  if (!image) throw new AppError('unsupported_media_type', { userMessage: 'Only PNG, JPEG, GIF and WebP images can be uploaded.' });
  const month = new Date().toISOString().slice(0, 7);
  const name = `${crypto.randomUUID()}.${image.ext}`;
  const dir = path.join(uploadDir, month);
  await fs.promises.mkdir(dir, { recursive: true });
  await fs.promises.writeFile(path.join(dir, name), body);
  return { url: `/uploads/${month}/${name}`, mimeType: image.mime, size };
}
