import { toWebhookEvent } from '../core/webhooks/webhook-events.ts';
import { apiKeyRoutes } from '../console/server/routes/api-key-routes.ts';
import { metricsRoutes } from '../console/server/routes/metrics-routes.ts';
import { privacyRoutes } from '../console/server/routes/privacy-routes.ts';
import { queueDashboardRoutes } from '../console/server/routes/queue-dashboard-routes.ts';
import { webhookRoutes } from '../console/server/routes/webhook-routes.ts';
import { attachMetrics, KefuMetrics } from '../infra/metrics.ts';
import { RETENTION_SWEEP_JOB, runRetentionSweep, scheduleRetentionSweep } from '../workers/retention-sweep.ts';
import { deliverWebhook, fanOutWebhookEvent, WEBHOOK_DELIVER_JOB, type WebhookDeps } from '../workers/webhook-delivery.ts';
import { WEBHOOKS_CHANGED, WebhookDirectory } from '../workers/webhook-directory.ts';
import type { Feature } from './features.ts';

/**
 * What operators and integrators need: Prometheus metrics, the queue dashboard, API keys, signed
 * outbound webhooks, data retention and personal-data requests.
 */
export const operationsFeature: Feature = {
  name: 'operations',
  async install({ app, jobs, onEvent, role }) {
    const metrics = new KefuMetrics({ sql: app.db.sql, jobs });
    attachMetrics(app, metrics);

    const webhooks: WebhookDeps = {
      prisma: app.prisma,
      directory: new WebhookDirectory(app.db.sql),
      jobs,
      logger: app.logger,
      // 30 s doubling in production; KEFU_TIMER_SCALE shrinks it for tests like every other timer.
      backoffMs: Math.max(100, Math.round(30_000 * app.config.timerScale)),
    };
    const fanOut = (event: Parameters<typeof toWebhookEvent>[0]) => {
      // Most servers have no webhook: then no event is turned into a webhook payload.
      if (webhooks.directory.cachedEnabled()?.length === 0) return;
      const hook = toWebhookEvent(event);
      if (!hook) return;
      // Never in the way of the conversation operation that emitted the event.
      fanOutWebhookEvent(webhooks, hook).catch((error) => app.logger.error({ err: error, event: hook.event }, 'webhook event was not recorded'));
    };
    onEvent((event) => {
      metrics.observeEvent(event);
      fanOut(event);
    });
    // 留言 arrive as bus notices, seen by every process; the delivery id makes the fan-out happen once.
    const unsubscribe = app.bus.subscribe((event) => {
      if (event.name === 'notice' && event.kind === WEBHOOKS_CHANGED) webhooks.directory.invalidate();
      if (event.name === 'notice' && event.kind === 'offline_message.created') fanOut(event);
    });

    jobs.register(WEBHOOK_DELIVER_JOB, (payload, job) => deliverWebhook(webhooks, payload, job), 5);
    jobs.register(RETENTION_SWEEP_JOB, () => runRetentionSweep({ prisma: app.prisma, uploadDir: app.config.uploadDir, logger: app.logger }), 1);
    if (role !== 'api') await scheduleRetentionSweep(jobs);

    app.extraRoutes.push(
      (api, ctx) => metricsRoutes(api, ctx, metrics),
      apiKeyRoutes,
      (api, ctx) => webhookRoutes(api, ctx, webhooks),
      (api, ctx) => queueDashboardRoutes(api, ctx, jobs),
      privacyRoutes,
    );
    return { close: async () => unsubscribe() };
  },
};
