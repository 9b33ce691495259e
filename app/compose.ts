import http from 'node:http';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { ensureFirstRun, loadInstanceSecret } from './bootstrap.ts';
import { connectorRegistry } from './connectors.ts';
import { ConversationService } from '../core/conversation/conversation-service.ts';
import type { DomainEvent } from '../core/conversation/events.ts';
import type { EventBus } from '../core/ports.ts';
import { ConsoleQueries } from '../infra/console-queries.ts';
import { PrismaConversationStore } from '../infra/conversation-store.ts';
import { openDatabase, type Database } from '../infra/database.ts';
import { InProcessEventBus, RedisEventBus } from '../infra/event-bus.ts';
import { JobQueues } from '../infra/job-queue.ts';
import { createLogger } from '../infra/logger.ts';
import { migrate } from '../infra/migrate.ts';
import { RateLimits } from '../infra/rate-limits.ts';
import type { AppContext } from '../console/server/app-context.ts';
import { createHttpApp } from '../console/server/http-app.ts';
import { RealtimeGateway } from '../console/server/realtime-gateway.ts';
import type { HealthCheck } from '../console/server/routes/system-routes.ts';
import { SessionManager } from '../console/server/sessions.ts';
import { features } from './features.ts';

export interface Kefu {
  config: Config;
  app: AppContext;
  jobs: JobQueues;
  gateway?: RealtimeGateway;
  server?: http.Server;
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Print first-run credentials (the CLI and tests turn this off). */
  print?: (line: string) => void;
}

/** How long an idle HTTP connection is kept open. */
const KEEP_ALIVE_MS = 65_000;

/** The composition root: config → adapters → core → HTTP, sockets and workers, by process role. */
export async function startKefu(config: Config, options: StartOptions = {}): Promise<Kefu> {
  const logger = options.logger ?? createLogger(config.logLevel);
  fs.mkdirSync(config.uploadDir, { recursive: true });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, schema: config.databaseSchema, dataDir: config.dataDir });
  await db.withSession((sql) => migrate(sql));
  const prisma = db.prisma;
  const secret = await loadInstanceSecret(prisma, config.sessionSecret);

  // A worker holds no sockets: it listens to control events only.
  const bus: EventBus = config.redisUrl
    ? new RedisEventBus(config.redisUrl, config.redisPrefix, { conversationEvents: config.role !== 'worker' })
    : new InProcessEventBus();
  const jobs = config.redisUrl
    ? JobQueues.onRedis(config.redisUrl, config.redisPrefix)
    : await JobQueues.onEmbedded(config.dataDir);

  const localListeners: ((event: DomainEvent) => void | Promise<void>)[] = [];
  const emit = async (events: DomainEvent[]) => {
    for (const event of events) {
      await bus.publish(event);
      for (const listener of localListeners) {
        // Most listeners finish at once: only a pending reaction is waited for.
        const reaction = listener(event);
        if (reaction) await reaction;
      }
    }
  };
  const connectors = connectorRegistry();
  const store = new PrismaConversationStore(prisma, db.sql, (fn) => db.transaction(fn));
  const conversations = new ConversationService({
    store,
    emit,
    announce: async (events) => {
      for (const event of events) await bus.publish(event);
    },
    outbound: {
      initialStatus: (type) => (connectors.get(type)?.capabilities.deliversOverRealtime ? 'sent' : 'pending'),
      async dispatch(conversation, message) {
        if (connectors.get(conversation.channelType)?.capabilities.deliversOverRealtime) return;
        await jobs.enqueue(`deliver-${conversation.channelType}`, { messageId: message.id }, { jobId: `deliver-${message.id}` });
      },
    },
  });

  const app: AppContext = {
    config,
    db,
    prisma,
    conversations,
    queries: new ConsoleQueries(prisma),
    sessions: new SessionManager(prisma),
    bus,
    jobs,
    logger,
    limits: new RateLimits({ redisUrl: config.redisUrl, prefix: config.redisPrefix, multiplier: config.rateLimitMultiplier }),
    secret,
    version: '0.1.0',
    extraRoutes: [],
  };

  const closers: (() => Promise<void>)[] = [];
  for (const feature of features) {
    const installed = await feature.install({ app, jobs, store, connectors, onEvent: (l) => localListeners.push(l), role: config.role });
    if (installed?.close) closers.push(installed.close);
  }

  await ensureFirstRun(prisma, logger, {
    adminEmail: config.adminEmail,
    adminPassword: config.adminPassword,
    publicUrl: config.publicUrl,
    print: options.print,
  });

  let server: http.Server | undefined;
  let gateway: RealtimeGateway | undefined;
  let url = config.publicUrl;
  let redisCheck: Redis | undefined;
  if (config.role !== 'worker') {
    const checks: HealthCheck[] = [{ name: 'database', check: () => db.ping() }];
    if (config.redisUrl) {
      redisCheck = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
      redisCheck.on('error', () => undefined);
      checks.push({ name: 'redis', check: async () => void (await redisCheck!.connect().catch(() => undefined), await redisCheck!.ping()) });
    }
    const { koa } = createHttpApp(app, checks);
    server = http.createServer(koa.callback());
    // Idle connections stay open longer than a client or a proxy (commonly 60 s) keeps them, so neither
    // sends a request on a connection the server is just closing (which it would see as a reset).
    server.keepAliveTimeout = KEEP_ALIVE_MS;
    server.headersTimeout = KEEP_ALIVE_MS + 1_000;
    gateway = new RealtimeGateway(app);
    gateway.attach(server);
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(config.port, config.host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    url = config.port === 0 ? `http://127.0.0.1:${port}` : config.publicUrl;
    logger.info({ port, role: config.role, database: db.kind, queue: jobs.backend }, 'Kefu is listening');
  }
  if (config.role !== 'api') jobs.start();

  return {
    config,
    app,
    jobs,
    gateway,
    server,
    url,
    async close() {
      await gateway?.close();
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
      }
      for (const close of closers) await close().catch(() => undefined);
      await jobs.close();
      await bus.close();
      await app.limits.close();
      redisCheck?.disconnect();
      await closeDb(db);
    },
  };
}

async function closeDb(db: Database): Promise<void> {
  await db.close().catch(() => undefined);
}
