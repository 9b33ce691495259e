import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { receiveImage } from '../uploads.ts';
import { requireUser } from '../sessions.ts';

export interface HealthCheck {
  name: string;
  check: () => Promise<void>;
}

export function systemRoutes(api: ApiRouter, app: AppContext, checks: HealthCheck[]): void {
  api.get('/healthz', { summary: 'Health: 200 when the database (and Redis, where configured) answer; 503 naming what failed', access: 'public', tag: 'system' }, async (ctx) => {
    const failed: { name: string; error: string }[] = [];
    await Promise.all(
      checks.map(async (c) => {
        try {
          await withTimeout(c.check(), 2_000);
        } catch (error) {
          failed.push({ name: c.name, error: (error as Error).message });
        }
      }),
    );
    if (failed.length > 0) {
      ctx.status = 503;
      return { status: 'unavailable', failed: failed.map((f) => f.name), details: failed };
    }
    return { status: 'ok' };
  });

  api.get('/api/openapi.json', { summary: 'This OpenAPI document', access: 'public', tag: 'system' }, () =>
    api.openApi({ title: 'Kefu API', version: app.version, serverUrl: app.config.publicUrl }),
  );

  api.post('/api/uploads', { summary: 'Upload an image (PNG, JPEG, GIF, WebP; ≤ 10 MB)', access: 'user', scope: 'send:messages', tag: 'conversations' }, async (ctx) => {
    requireUser(ctx);
    ctx.status = 201;
    return receiveImage(ctx, app.config.uploadDir);
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
