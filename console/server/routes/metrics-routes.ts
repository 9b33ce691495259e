import crypto from 'node:crypto';
import { AppError } from '../../../core/errors.ts';
import type { KefuMetrics } from '../../../infra/metrics.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import type { SessionUser } from '../sessions.ts';

function sameToken(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/** Prometheus scrape endpoint: `Authorization: Bearer $METRICS_TOKEN`, or an admin's session. */
export function metricsRoutes(api: ApiRouter, app: AppContext, metrics: KefuMetrics): void {
  api.get('/metrics', { summary: 'Prometheus metrics (bearer METRICS_TOKEN or an admin session)', access: 'admin', tag: 'operations' }, async (ctx) => {
    const header = ctx.get('authorization');
    const bearer = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const byToken = Boolean(app.config.metricsToken && bearer && sameToken(bearer, app.config.metricsToken));
    if (!byToken) {
      const user = ctx.state.user as SessionUser | undefined;
      if (!user) throw new AppError('unauthenticated', { userMessage: 'Metrics need the metrics token or an admin login.' });
      if (user.role !== 'admin' || ctx.state.apiKey) throw new AppError('forbidden', { userMessage: 'Only admins can read metrics.' });
    }
    const { contentType, body } = await metrics.render();
    ctx.type = contentType;
    ctx.body = body;
  });
}
