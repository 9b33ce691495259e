import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { listMigrations } from '../../infra/migrate.ts';

describe('migrations', () => {
  it('are applied in name order and each has SQL', () => {
    const migrations = listMigrations();
    expect(migrations.map((m) => m.name)).toEqual([...migrations.map((m) => m.name)].sort());
    for (const m of migrations) expect(m.sql.trim().length).toBeGreaterThan(0);
  });

  it('match prisma/schema.prisma: the first migration is exactly what Prisma generates from the schema', () => {
    const generated = execFileSync('npx', ['prisma', 'migrate', 'diff', '--from-empty', '--to-schema-datamodel', 'prisma/schema.prisma', '--script'], {
      env: { ...process.env, PRISMA_QUERY_ENGINE_LIBRARY: 'package.json', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const committed = listMigrations()
      .filter((m) => /^\d{4}_/.test(m.name))
      .map((m) => m.sql)
      .join('\n');
    // Every statement Prisma generates must be in the committed migrations (later ones add what Prisma cannot express).
    const statements = generated.split(/;\s*\n/).map((s) => s.replace(/--.*$/gm, '').trim()).filter(Boolean);
    const missing = statements.filter((s) => !committed.includes(s));
    expect(missing).toEqual([]);
  }, 60_000);
});
