import type { Feature, FeatureContext } from '../app/features.ts';
import { silentBot, type Bot } from '../core/routing/bot-port.ts';
import { QueueDrainer } from '../core/routing/queue-drainer.ts';
import type { RoutingDeps } from '../core/routing/routing-deps.ts';
import { RoutingEngine } from '../core/routing/routing-engine.ts';
import { RoutingTimers } from '../core/routing/routing-timers.ts';
import { SatisfactionService } from '../core/routing/satisfaction-service.ts';
import { isSettingsKey, SettingsService } from '../core/settings/settings-service.ts';
import { systemClock } from '../core/ports.ts';
import { routingRoutes } from '../console/server/routes/routing-routes.ts';
import { settingsRoutes } from '../console/server/routes/settings-routes.ts';
import { RedisDataMarker } from '../infra/recovery-marker.ts';
import { PrismaRoutingStore } from '../infra/routing-store.ts';
import { PrismaSettingsStore } from '../infra/settings-store.ts';
import { registerAssignmentDrain } from './assignment-drain.ts';
import { registerAutoClose } from './auto-close.ts';
import { registerNoReply } from './no-reply.ts';
import { registerQueueTimeout } from './queue-timeout.ts';
import { registerRatingExpire } from './rating-expire.ts';
import { RecoverySweeper } from './recovery-sweep.ts';

export interface RoutingFeatureOptions {
  /** The bot that answers first (the knowledge base); the default answers nothing. */
  bot?: (ctx: FeatureContext) => Bot | Promise<Bot>;
  /** How often worker processes re-drain the queue as a safety net for lost wake-ups. */
  sweepMs?: number;
}

/** The routing engine as a Feature: settings, bot-first hand-off, queue, assignment, timers, satisfaction. */
export function routingFeature(options: RoutingFeatureOptions = {}): Feature {
  return {
    name: 'routing',
    async install(ctx) {
      const { app, jobs, store, connectors, onEvent, role } = ctx;
      const settings = new SettingsService(new PrismaSettingsStore(app.prisma), {
        onUpdated: (key) => app.bus.publish({ name: 'notice', audience: 'admins', kind: 'settings.updated', payload: { key } }),
      });
      const routing = new PrismaRoutingStore(app.prisma, app.db.sql);
      const deps: RoutingDeps = {
        conversations: app.conversations,
        store,
        routing,
        settings,
        scheduler: jobs,
        publish: (event) => app.bus.publish(event),
        capabilitiesOf: (type) => connectors.get(type)?.capabilities,
        bot: options.bot ? await options.bot(ctx) : silentBot,
        clock: systemClock,
        timerScale: app.config.timerScale,
      };
      const satisfaction = new SatisfactionService(deps);
      const engine = new RoutingEngine(deps, satisfaction);
      const timers = new RoutingTimers(deps, engine);
      const drainer = new QueueDrainer(deps);

      app.conversations.setInitialStatus((channel) => engine.initialStatus(channel));
      app.conversations.setClosedReplyTarget((channelId, inbound) => satisfaction.conversationForReply(channelId, inbound));
      onEvent((event) => engine.onEvent(event));

      const drains = role !== 'api';
      const unsubscribe = app.bus.subscribe((event) => {
        if (event.name === 'notice' && event.kind === 'settings.updated') {
          const key = String(event.payload.key);
          if (isSettingsKey(key)) settings.invalidate(key);
          if (drains && (key === 'humanService' || key === 'assignment')) void engine.requestDrain().catch((error) => app.logger.error({ error }, 'drain request failed'));
        }
        // An agent going online, or a raised limit, may free capacity for the queue.
        if (drains && event.name === 'agent.updated' && event.status === 'online') {
          void engine.requestDrain().catch((error) => app.logger.error({ error }, 'drain request failed'));
        }
      });

      registerAssignmentDrain(jobs, drainer);
      registerAutoClose(jobs, timers);
      registerNoReply(jobs, timers);
      registerQueueTimeout(jobs, timers);
      registerRatingExpire(jobs, satisfaction);

      // Bus delivery is at-most-once and a drain that is finishing ignores a new request with its id:
      // a periodic drain bounds how long a queued visitor can wait for free capacity.
      const sweep = drains
        ? setInterval(() => void engine.requestDrain().catch((error) => app.logger.warn({ error }, 'drain sweep failed')), options.sweepMs ?? 2_000)
        : undefined;
      sweep?.unref();
      // Deliveries left pending by a crash and timers lost with Redis's data come back from the database.
      const marker = drains && app.config.redisUrl ? new RedisDataMarker(app.config.redisUrl, app.config.redisPrefix) : undefined;
      const recovery = drains
        ? new RecoverySweeper({ sql: app.db.sql, prisma: app.prisma, secret: app.secret, jobs, timers, engine, marker, logger: app.logger, intervalMs: app.config.recoverySweepMs })
        : undefined;
      recovery?.start();

      app.extraRoutes.push(settingsRoutes(settings), routingRoutes({ settings, routing, satisfaction }));
      return {
        async close() {
          if (sweep) clearInterval(sweep);
          await recovery?.stop();
          await marker?.close();
          unsubscribe();
        },
      };
    },
  };
}
