import path from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { auditRoutes } from '../console/server/routes/audit-routes.ts';
import { dashboardRoutes } from '../console/server/routes/dashboard-routes.ts';
import { exportRoutes } from '../console/server/routes/export-routes.ts';
import { moderationRoutes, SETTINGS_UPDATED_NOTICE } from '../console/server/routes/moderation-routes.ts';
import { offlineMessageRoutes } from '../console/server/routes/offline-message-routes.ts';
import { quickReplyRoutes } from '../console/server/routes/quick-reply-routes.ts';
import { recordRoutes } from '../console/server/routes/record-routes.ts';
import { loadSensitiveWords, SensitiveWordModerator } from '../infra/moderation.ts';
import { EXPORT_RECORDS_JOB, exportRecordsPayload, failRecordExport, runRecordExport, type ExportDeps } from '../workers/export-records.ts';
import type { Feature } from './features.ts';

/**
 * The admin side: sensitive-word masking of every visitor and agent message, 快捷回复语料, 留言回复,
 * 会话记录 with batch export, the dashboard and the audit log.
 */
export const adminFeature: Feature = {
  name: 'admin',
  async install({ app, jobs }) {
    const moderator = new SensitiveWordModerator({
      load: () => loadSensitiveWords(app.prisma),
      ttlMs: 5_000,
      onError: (error) => app.logger.warn({ err: error }, 'sensitive-word list reload failed; the previous list stays in use'),
    });
    await moderator.refresh();
    app.conversations.setModerator(moderator);
    const unsubscribe = app.bus.subscribe((event) => {
      if (event.name === 'notice' && event.kind === SETTINGS_UPDATED_NOTICE && event.payload.key === 'sensitiveWords') {
        moderator.refresh().catch((error) => app.logger.warn({ err: error }, 'sensitive-word list reload failed'));
      }
    });

    const exportDeps: ExportDeps = { prisma: app.prisma, sql: app.db.sql, bus: app.bus, exportDir: path.join(app.config.dataDir, 'exports') };
    jobs.register(
      EXPORT_RECORDS_JOB,
      async (payload, job) => {
        const { exportId } = exportRecordsPayload.parse(payload);
        try {
          await runRecordExport(exportDeps, exportId);
        } catch (error) {
          const lastAttempt = error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
          if (lastAttempt) await failRecordExport(exportDeps, exportId, error);
          throw error;
        }
      },
      2,
    );

    app.extraRoutes.push(
      (api, ctx) => moderationRoutes(api, ctx, moderator),
      quickReplyRoutes,
      offlineMessageRoutes,
      recordRoutes,
      exportRoutes,
      dashboardRoutes,
      auditRoutes,
    );
    return { close: async () => unsubscribe() };
  },
};
