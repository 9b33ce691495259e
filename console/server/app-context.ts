import type { Logger } from 'pino';
import type { Config } from '../../app/config.ts';
import type { ConversationService } from '../../core/conversation/conversation-service.ts';
import type { EventBus, JobScheduler } from '../../core/ports.ts';
import type { ConsoleQueries } from '../../infra/console-queries.ts';
import type { Database } from '../../infra/database.ts';
import type { RateLimits } from '../../infra/rate-limits.ts';
import type { PrismaClient } from '../../prisma/generated/client.ts';
import type { ApiRouter } from './api-router.ts';
import type { SessionManager } from './sessions.ts';

/** Everything the HTTP and socket layers need, wired once by the composition root. */
export interface AppContext {
  config: Config;
  db: Database;
  prisma: PrismaClient;
  conversations: ConversationService;
  queries: ConsoleQueries;
  sessions: SessionManager;
  bus: EventBus;
  jobs: JobScheduler;
  logger: Logger;
  limits: RateLimits;
  /** Secret for visitor tokens and other HMACs. */
  secret: string;
  version: string;
  /** Extra route modules registered by later features (routing, admin, channels…). */
  extraRoutes: ((router: ApiRouter, app: AppContext) => void)[];
}
