import type { Context } from 'koa';
import { AppError } from '../../core/errors.ts';
import { maxXmlBytes } from './safe-xml.ts';

/**
 * The request body as bytes, for XML callbacks the JSON body parser leaves alone. Refuses more than
 * `limit` bytes (413) without reading the rest.
 */
export async function readRawBody(ctx: Context, limit = maxXmlBytes): Promise<Buffer> {
  const declared = Number(ctx.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw new AppError('payload_too_large', { userMessage: 'Callback body too large.' });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new AppError('payload_too_large', { userMessage: 'Callback body too large.' });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
