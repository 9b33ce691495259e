import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a PostgreSQL URL, e.g. postgresql://kefu:secret@127.0.0.1:5432/kefu')
    .optional(),
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a plain schema name, e.g. public').default('public'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a Redis URL, e.g. redis://127.0.0.1:6379').optional(),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only, e.g. kefu').default('kefu'),
  PORT: z.coerce.number({ error: 'must be a port number, e.g. 3000' }).int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: z.string().url('must be a URL, e.g. https://kefu.example.com').optional(),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters, e.g. the output of `openssl rand -hex 32`').optional(),
  ADMIN_EMAIL: z.string().email('must be an email address, e.g. admin@example.com').optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  DATA_DIR: z.string().default('data'),
  KEFU_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool.default(false),
  WECOM_API_BASE: z.string().url().default('https://qyapi.weixin.qq.com'),
  WECHAT_MP_API_BASE: z.string().url().default('https://api.weixin.qq.com'),
  WECHATY_PUPPET: z.string().optional(),
  WECHATY_PUPPET_TOKEN: z.string().optional(),
  METRICS_TOKEN: z.string().min(16).optional(),
  RATE_LIMIT_MULTIPLIER: z.coerce.number({ error: 'must be a number, e.g. 1' }).positive().default(1),
  KEFU_RECOVERY_SWEEP_MS: z.coerce.number({ error: 'must be milliseconds, e.g. 10000' }).int().min(100).max(3_600_000).default(10_000),
  WS_HEARTBEAT_MS: z.coerce.number({ error: 'must be milliseconds, e.g. 30000' }).int().min(50).max(600_000).default(30_000),
  WS_FRAMES_AT_ONCE: z.coerce.number({ error: 'must be a whole number, e.g. 256' }).int().min(1).max(10_000).default(256),
  KEFU_TIMER_SCALE: z.coerce.number({ error: 'must be a number, e.g. 1' }).positive().max(1, 'must be at most 1, e.g. 1').default(1),
  KEFU_CHANNEL_SENDS_PER_SECOND: z.coerce.number({ error: 'must be a whole number, e.g. 20' }).int().min(1).max(10_000).default(20),
  KEFU_HEAP_GROWTH_PERCENT: z.coerce.number({ error: 'must be a whole number, e.g. 50' }).int().min(0).max(300, 'must be at most 300, e.g. 50').default(50),
});

/** Kefu's configuration, parsed once at start-up from the environment. */
export interface Config {
  databaseUrl?: string;
  databaseSchema: string;
  redisUrl?: string;
  redisPrefix: string;
  port: number;
  host: string;
  publicUrl: string;
  sessionSecret?: string;
  adminEmail?: string;
  adminPassword?: string;
  dataDir: string;
  uploadDir: string;
  role: 'all' | 'api' | 'worker';
  logLevel: string;
  trustProxy: boolean;
  wecomApiBase: string;
  wechatMpApiBase: string;
  wechatyPuppet?: string;
  wechatyPuppetToken?: string;
  metricsToken?: string;
  /** Scales every abuse limit (load tests raise it). */
  rateLimitMultiplier: number;
  /** Multiplies minute-based routing timers (1 in production; tests use e.g. 0.001 to run minutes as milliseconds). */
  timerScale: number;
  /** How often the socket server pings clients; a client that misses a pong is dropped at the next one. */
  wsHeartbeatMs: number;
  /** Socket frames one process handles at once, across all sockets; the rest wait in TCP. */
  wsFramesAtOnce: number;
  /** How often worker processes run the recovery sweep (stale pending deliveries, lost job queue data). */
  recoverySweepMs: number;
  /** How far the V8 heap may grow past what the last full collection kept before the next one (%; 0 leaves it to V8). */
  heapGrowthPercent: number;
  /** Sends per second to one WeChat-family channel, across processes; a reply over it waits its turn. */
  channelSendsPerSecond: number;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError naming each bad variable with an example value. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = result.data;
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    databaseUrl: e.DATABASE_URL,
    databaseSchema: e.DATABASE_SCHEMA,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    sessionSecret: e.SESSION_SECRET,
    adminEmail: e.ADMIN_EMAIL,
    adminPassword: e.ADMIN_PASSWORD,
    dataDir,
    uploadDir: path.join(dataDir, 'uploads'),
    role: e.KEFU_ROLE,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    wecomApiBase: e.WECOM_API_BASE,
    wechatMpApiBase: e.WECHAT_MP_API_BASE,
    wechatyPuppet: e.WECHATY_PUPPET,
    wechatyPuppetToken: e.WECHATY_PUPPET_TOKEN,
    metricsToken: e.METRICS_TOKEN,
    rateLimitMultiplier: e.RATE_LIMIT_MULTIPLIER,
    timerScale: e.KEFU_TIMER_SCALE,
    wsHeartbeatMs: e.WS_HEARTBEAT_MS,
    wsFramesAtOnce: e.WS_FRAMES_AT_ONCE,
    recoverySweepMs: e.KEFU_RECOVERY_SWEEP_MS,
    heapGrowthPercent: e.KEFU_HEAP_GROWTH_PERCENT,
    channelSendsPerSecond: e.KEFU_CHANNEL_SENDS_PER_SECOND,
  };
}
