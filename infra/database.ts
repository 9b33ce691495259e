import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../prisma/generated/client.ts';

// Timestamps are TIMESTAMP(3) without time zone holding UTC, as Prisma writes them. Raw queries read
// and write them as UTC too, so a server running with TZ=Asia/Shanghai stores the same instants.
const parseUtcTimestamp = (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
pg.types.setTypeParser(pg.types.builtins.TIMESTAMP, parseUtcTimestamp);
pg.defaults.parseInputDatesAsUTC = true;

/** Minimal raw SQL access used by the migration runner and hot paths that Prisma cannot express. */
export interface SqlExecutor {
  exec(sql: string): Promise<void>;
  /**
   * `name` makes it a prepared statement on PostgreSQL: parsed and planned once per connection
   * instead of on every call. Only for a constant text (one name, one text), on hot paths.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], name?: string): Promise<T[]>;
}

/** A query for node-postgres: named (prepared) when a name is given. */
const pgQuery = (text: string, params: unknown[] | undefined, name: string | undefined): pg.QueryConfig =>
  name ? { name, text, values: params } : { text, values: params };

export interface Database {
  prisma: PrismaClient;
  sql: SqlExecutor;
  kind: 'postgres' | 'embedded';
  /** Runs fn on one dedicated connection (session-level locks and settings hold throughout). */
  withSession<T>(fn: (sql: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs fn in one transaction (one commit for several statements); rolls back if fn throws. */
  transaction<T>(fn: (sql: SqlExecutor) => Promise<T>): Promise<T>;
  schema: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  schema: string;
  dataDir: string;
  poolSize?: number;
}

/** The one place that constructs the Prisma client: PostgreSQL when a URL is given, else embedded PGlite under dataDir. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.schema, options.poolSize ?? 10) : openEmbedded(options.dataDir);
}

/**
 * A client whose server goes away while it is checked out but between two queries (a transaction
 * awaiting something else, a connection being set up) emits 'error'; unheard, that ends the process.
 * Every client listens from birth: its next query fails and the pool discards it on release.
 */
class ListenedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

async function openPostgres(url: string, schema: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // UTC sessions: now() and timestamptz comparisons agree with the UTC wall time the columns hold.
    options: `-c search_path="${schema}" -c TimeZone=UTC`,
    Client: ListenedClient,
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use and queries report their own errors.
  });
  const client = await pool.connect().catch((error: Error) => {
    throw new Error(`Cannot reach PostgreSQL at DATABASE_URL: ${error.message}`);
  });
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } finally {
    client.release();
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { schema }) });
  const sql: SqlExecutor = {
    async exec(text) {
      await pool.query(text);
    },
    async query(text, params, name) {
      const result = await pool.query(pgQuery(text, params, name));
      return result.rows;
    },
  };
  return {
    prisma,
    sql,
    kind: 'postgres',
    async transaction(fn) {
      const session = await pool.connect();
      try {
        await session.query('BEGIN');
        const result = await fn({
          async exec(text) {
            await session.query(text);
          },
          async query(text, params, name) {
            return (await session.query(pgQuery(text, params, name))).rows;
          },
        });
        await session.query('COMMIT');
        return result;
      } catch (error) {
        await session.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        session.release();
      }
    },
    async withSession(fn) {
      const session = await pool.connect();
      try {
        return await fn({
          async exec(text) {
            await session.query(text);
          },
          async query(text, params, name) {
            return (await session.query(pgQuery(text, params, name))).rows;
          },
        });
      } finally {
        session.release();
      }
    },
    schema,
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openEmbedded(dataDir: string): Promise<Database> {
  const { PGlite, types } = await import('@electric-sql/pglite');
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  const dir = path.join(dataDir, 'pg');
  fs.mkdirSync(dir, { recursive: true });
  // TIMESTAMP values are UTC (see the pg parser above); PGlite already writes Dates as UTC.
  const db = new PGlite(dir, { parsers: { [types.TIMESTAMP]: parseUtcTimestamp } });
  await db.waitReady;
  await db.exec(`SET TIME ZONE 'UTC'`);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) as never });
  const sql: SqlExecutor = {
    async exec(text) {
      await db.exec(text);
    },
    async query(text, params) {
      const result = await db.query(text, params as unknown[]);
      return result.rows as never[];
    },
  };
  return {
    prisma,
    sql,
    kind: 'embedded',
    withSession: (fn) => fn(sql),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          async exec(text) {
            await tx.exec(text);
          },
          async query(text, params) {
            return (await tx.query(text, params as unknown[])).rows as never[];
          },
        }),
      ),
    schema: 'public',
    async ping() {
      await db.query('SELECT 1');
    },
    async close() {
      await prisma.$disconnect();
      await db.close();
    },
  };
}
