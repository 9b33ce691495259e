import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Plumbing shared by the local WeChat-family test peers: a node:http server on 127.0.0.1, port 0. */
export interface PeerRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export type PeerReply =
  | { json: unknown; status?: number }
  | { binary: Uint8Array; contentType: string; filename?: string };

export interface RunningServer {
  baseUrl: string;
  close(): Promise<void>;
}

const maxBodyBytes = 30 * 1024 * 1024;

export async function startPeerServer(handle: (request: PeerRequest) => Promise<PeerReply> | PeerReply): Promise<RunningServer> {
  const server: Server = createServer((req, res) => {
    void serve(req, res, handle);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  handle: (request: PeerRequest) => Promise<PeerReply> | PeerReply,
): Promise<void> {
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBodyBytes) throw new Error('body too large');
      chunks.push(chunk as Buffer);
    }
    const url = new URL(req.url ?? '/', 'http://peer');
    const reply = await handle({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks),
    });
    if ('json' in reply) {
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(reply.json));
    } else {
      res.writeHead(200, {
        'content-type': reply.contentType,
        'content-length': reply.binary.byteLength,
        ...(reply.filename ? { 'content-disposition': `attachment; filename="${encodeURIComponent(reply.filename)}"` } : {}),
      });
      res.end(reply.binary);
    }
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(error instanceof Error ? error.message : String(error));
  }
}

export function parseJsonBody(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the multipart `media` part the way WeChat's media/upload does. */
export async function parseMediaPart(request: PeerRequest): Promise<{ data: Uint8Array; filename: string; mimeType: string } | undefined> {
  const contentType = request.headers['content-type'];
  if (!contentType?.startsWith('multipart/form-data')) return undefined;
  try {
    const form = await new Response(new Uint8Array(request.body), { headers: { 'content-type': contentType } }).formData();
    const media = form.get('media');
    if (!media || typeof media === 'string') return undefined;
    return { data: new Uint8Array(await media.arrayBuffer()), filename: media.name, mimeType: media.type || 'application/octet-stream' };
  } catch {
    return undefined;
  }
}

export function randomDigits(length: number): string {
  let digits = '';
  while (digits.length < length) digits += Math.floor(Math.random() * 10).toString();
  return digits;
}

export function errcode(code: number, errmsg: string): PeerReply {
  return { json: { errcode: code, errmsg } };
}
