import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { ApiRouter } from './api-router.ts';
import { apiKeyMiddleware } from './api-keys.ts';
import { observeRequest } from '../../infra/metrics.ts';
import type { AppContext } from './app-context.ts';
import { errorMiddleware } from './error-middleware.ts';
import { agentRoutes } from './routes/agent-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { conversationRoutes } from './routes/conversation-routes.ts';
import { systemRoutes, type HealthCheck } from './routes/system-routes.ts';
import { widgetRoutes } from './routes/widget-routes.ts';
import { staticFiles } from './static-files.ts';

const distDir = fileURLToPath(new URL('../../dist/', import.meta.url));

/** Builds the Koa application: errors → request id → security headers → session → body → routes → static. */
export function createHttpApp(app: AppContext, checks: HealthCheck[]): { koa: Koa; api: ApiRouter } {
  const koa = new Koa({ proxy: app.config.trustProxy });
  const api = new ApiRouter();
  authRoutes(api, app);
  conversationRoutes(api, app);
  agentRoutes(api, app);
  widgetRoutes(api, app);
  systemRoutes(api, app, checks);
  for (const register of app.extraRoutes) register(api, app);

  koa.use(async (ctx, next) => {
    const requestId = ctx.get('x-request-id').slice(0, 64) || crypto.randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    const conversationId = /^\/api\/conversations\/([0-9a-f-]{36})(\/|$)/.exec(ctx.path)?.[1];
    ctx.state.logger = app.logger.child(conversationId ? { requestId, conversationId } : { requestId });
    const started = performance.now();
    try {
      await next();
    } finally {
      // Only the matched route pattern is logged: paths and query strings may carry tokens.
      const ms = Math.round((performance.now() - started) * 10) / 10;
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? (ctx.path.startsWith('/api/') ? 'unmatched' : 'static');
      const line = { method: ctx.method, route, status: ctx.status, ms };
      observeRequest(app, line);
      if (ctx.status >= 500 || ms > 1000) ctx.state.logger.warn(line, 'slow or failed request');
      else ctx.state.logger.info(line, 'request');
    }
  });
  koa.use(errorMiddleware(app.logger));
  koa.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'strict-origin-when-cross-origin');
    if (!ctx.path.startsWith('/h5') && ctx.path !== '/widget.js') ctx.set('X-Frame-Options', 'SAMEORIGIN');
    if (ctx.path.startsWith('/api/widget/')) {
      // The widget runs on customers' sites and authenticates with a bearer visitor token, never cookies.
      ctx.set('Access-Control-Allow-Origin', '*');
      ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      ctx.set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      if (ctx.method === 'OPTIONS') {
        ctx.status = 204;
        return;
      }
    }
    await next();
  });
  koa.use(async (ctx, next) => {
    const token = app.sessions.tokenFrom(ctx);
    if (token) {
      ctx.state.user = await app.sessions.resolve(token);
      // Cookie sessions: state-changing requests must come from our own pages (CSRF).
      if (ctx.state.user && !ctx.get('authorization') && !['GET', 'HEAD', 'OPTIONS'].includes(ctx.method)) {
        const origin = ctx.get('origin');
        const own = `${ctx.protocol}://${ctx.host}`;
        if (origin && origin !== own && origin !== app.config.publicUrl) {
          ctx.status = 403;
          ctx.body = { error: { code: 'csrf_failed', message: 'Cross-site request refused.' } };
          return;
        }
      }
    }
    await next();
  });
  koa.use(apiKeyMiddleware(app.prisma, api));
  koa.use(bodyParser({ enableTypes: ['json'], jsonLimit: '256kb', encoding: 'utf-8' }));
  koa.use(api.router.routes());
  koa.use(api.router.allowedMethods());
  koa.use(staticFiles({ distDir: path.resolve(distDir), uploadDir: app.config.uploadDir }));
  return { koa, api };
}
