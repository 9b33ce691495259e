import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlExecutor } from './database.ts';

const migrationsDir = fileURLToPath(new URL('../prisma/migrations/', import.meta.url));
const LOCK_KEY = 727_001;

export interface MigrationResult {
  applied: string[];
  latest: string | null;
}

export function listMigrations(dir = migrationsDir): { name: string; sql: string }[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, sql: fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8') }));
}

/**
 * Applies the committed migration SQL in order, each in its own transaction, recorded in
 * `kefu_migrations`. A PostgreSQL advisory lock keeps two processes starting at once from racing.
 * Refuses a database that already has a migration this code does not know (a newer schema).
 */
export async function migrate(sql: SqlExecutor, dir = migrationsDir): Promise<MigrationResult> {
  const migrations = listMigrations(dir);
  await sql.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
  try {
    await sql.exec(
      'CREATE TABLE IF NOT EXISTS kefu_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await sql.query<{ name: string }>('SELECT name FROM kefu_migrations')).map((r) => r.name));
    const known = new Set(migrations.map((m) => m.name));
    const unknown = [...done].filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new Error(`The database has migrations this version of Kefu does not know (${unknown.join(', ')}); upgrade Kefu first.`);
    }
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      const body = migration.sql.replace(/^CREATE SCHEMA IF NOT EXISTS "public";$/m, '');
      await sql.exec(`BEGIN;\n${body}\nINSERT INTO kefu_migrations (name) VALUES ('${migration.name}');\nCOMMIT;`).catch(async (error) => {
        await sql.exec('ROLLBACK').catch(() => undefined);
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`);
      });
      applied.push(migration.name);
    }
    return { applied, latest: migrations.at(-1)?.name ?? null };
  } finally {
    await sql.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
  }
}
