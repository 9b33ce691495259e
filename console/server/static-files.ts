import fs from 'node:fs';
import path from 'node:path';
import type { Context, Next } from 'koa';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.woff2': 'font/woff2',
};

async function sendFile(ctx: Context, file: string, cache: string): Promise<boolean> {
  const stat = await fs.promises.stat(file).catch(() => null);
  if (!stat?.isFile()) return false;
  ctx.type = types[path.extname(file)] ?? 'application/octet-stream';
  ctx.length = stat.size;
  ctx.set('Cache-Control', cache);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.body = fs.createReadStream(file);
  return true;
}

function inside(root: string, rel: string): string | null {
  const file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  return file.startsWith(path.resolve(root) + path.sep) ? file : null;
}

/** Serves the built console (SPA), the widget script, the H5 page and uploaded images. */
export function staticFiles(options: { distDir: string; uploadDir: string }) {
  const consoleDir = path.join(options.distDir, 'console');
  const widgetDir = path.join(options.distDir, 'widget');
  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    const p = ctx.path;
    if (p.startsWith('/api/') || p.startsWith('/ws/') || p.startsWith('/connectors/') || p === '/healthz' || p === '/metrics') return next();
    if (p.startsWith('/uploads/')) {
      const file = inside(options.uploadDir, p.slice('/uploads/'.length));
      if (file && (await sendFile(ctx, file, 'public, max-age=31536000, immutable'))) return;
      return next();
    }
    if (p === '/widget.js') {
      if (await sendFile(ctx, path.join(widgetDir, 'widget.js'), 'public, max-age=300')) {
        ctx.set('Access-Control-Allow-Origin', '*');
        return;
      }
      return next();
    }
    if (p === '/h5' || p === '/h5/') {
      if (await sendFile(ctx, path.join(widgetDir, 'h5.html'), 'no-cache')) return;
      return next();
    }
    if (p.startsWith('/assets/') || p.startsWith('/widget-assets/')) {
      const root = p.startsWith('/assets/') ? consoleDir : widgetDir;
      const file = inside(root, p);
      if (file && (await sendFile(ctx, file, 'public, max-age=31536000, immutable'))) return;
      return next();
    }
    const direct = inside(consoleDir, p);
    if (direct && p !== '/' && (await sendFile(ctx, direct, 'no-cache'))) return;
    if (p === '/' || p.startsWith('/console')) {
      if (await sendFile(ctx, path.join(consoleDir, 'index.html'), 'no-cache')) return;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'The console is not built yet: run `npm run build`.';
      return;
    }
    return next();
  };
}
