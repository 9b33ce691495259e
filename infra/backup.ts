import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { once } from 'node:events';
import zlib from 'node:zlib';
import type { Database, SqlExecutor } from './database.ts';
import { listMigrations } from './migrate.ts';

/**
 * Backup format (gzip, one JSON value per line):
 *   {"kefuBackup":1,"createdAt","migrations":[…],"tables":[…]}
 *   {"$table":"users","columns":[…]}    followed by one row per line (PostgreSQL's row_to_json)
 *   {"$file":"2026-01/x.png","data":"<base64>"}   uploaded images
 * Tables come in foreign-key order, so restoring them in file order never breaks a reference.
 */
export interface BackupHeader {
  kefuBackup: 1;
  createdAt: string;
  migrations: string[];
  tables: string[];
}

export interface BackupSummary {
  tables: Record<string, number>;
  files: number;
  migrations: string[];
}

const BATCH = 500;

/** App tables of the current schema in dependency order (referenced tables first). */
export async function listAppTables(sql: SqlExecutor): Promise<string[]> {
  const tables = (
    await sql.query<{ name: string }>(
      "SELECT c.relname AS name FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace AND c.relname <> 'kefu_migrations' ORDER BY 1",
    )
  ).map((r) => r.name);
  const edges = await sql.query<{ child: string; parent: string }>(
    `SELECT cl.relname AS child, pl.relname AS parent FROM pg_constraint k
       JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class pl ON pl.oid = k.confrelid
      WHERE k.contype = 'f' AND cl.relnamespace = current_schema()::regnamespace`,
  );
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (table: string) => {
    if (ordered.includes(table) || visiting.has(table)) return;
    visiting.add(table);
    for (const e of edges) if (e.child === table && e.parent !== table) visit(e.parent);
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered;
}

async function tableColumns(sql: SqlExecutor, table: string): Promise<string[]> {
  const rows = await sql.query<{ name: string }>(
    'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position',
    [table],
  );
  return rows.map((r) => r.name);
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function listFiles(dir: string, base = dir): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(full, base);
    return entry.isFile() ? [path.relative(base, full).split(path.sep).join('/')] : [];
  });
}

/**
 * Writes a consistent dump: every row is read inside one REPEATABLE READ transaction, so the file is
 * one snapshot even while Kefu keeps serving (PostgreSQL). The embedded database is single-process:
 * stop Kefu before backing it up from the CLI.
 */
export async function backupDatabase(db: Database, file: string, uploadDir: string | null): Promise<BackupSummary> {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.partial`;
  const gzip = zlib.createGzip();
  const out = fs.createWriteStream(tmp);
  gzip.pipe(out);
  const write = async (line: string) => {
    if (!gzip.write(`${line}\n`)) await once(gzip, 'drain');
  };
  const summary: BackupSummary = { tables: {}, files: 0, migrations: [] };
  await db.withSession(async (sql) => {
    await sql.exec('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const migrations = (await sql.query<{ name: string }>('SELECT name FROM kefu_migrations ORDER BY name')).map((r) => r.name);
      const tables = await listAppTables(sql);
      summary.migrations = migrations;
      await write(JSON.stringify({ kefuBackup: 1, createdAt: new Date().toISOString(), migrations, tables } satisfies BackupHeader));
      for (const table of tables) {
        await write(JSON.stringify({ $table: table, columns: await tableColumns(sql, table) }));
        await sql.exec(`DECLARE kefu_backup NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS j FROM ${quote(table)} t`);
        let count = 0;
        for (;;) {
          const rows = await sql.query<{ j: string }>(`FETCH ${BATCH} FROM kefu_backup`);
          for (const row of rows) await write(row.j);
          count += rows.length;
          if (rows.length < BATCH) break;
        }
        await sql.exec('CLOSE kefu_backup');
        summary.tables[table] = count;
      }
      await sql.exec('COMMIT');
    } catch (error) {
      await sql.exec('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
  if (uploadDir) {
    for (const name of listFiles(uploadDir)) {
      await write(JSON.stringify({ $file: name, data: fs.readFileSync(path.join(uploadDir, name)).toString('base64') }));
      summary.files += 1;
    }
  }
  gzip.end();
  await once(out, 'close');
  fs.renameSync(tmp, file);
  return summary;
}

export class RestoreError extends Error {}

export interface RestoreOptions {
  /** Empty every app table first; without it a non-empty database is refused. */
  wipe?: boolean;
  uploadDir?: string | null;
  /** Migrations this code knows (defaults to the committed ones). */
  knownMigrations?: string[];
}

async function readHeader(file: string): Promise<{ header: BackupHeader; lines: AsyncIterator<string>; close(): void }> {
  if (!fs.existsSync(file)) throw new RestoreError(`no such backup file: ${file}`);
  const input = fs.createReadStream(file).pipe(zlib.createGunzip());
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  const lines = rl[Symbol.asyncIterator]();
  const first = await lines.next().catch((error: Error) => {
    throw new RestoreError(`not a Kefu backup (${error.message})`);
  });
  const header = first.done ? null : (JSON.parse(first.value) as BackupHeader);
  if (header?.kefuBackup !== 1) throw new RestoreError('not a Kefu backup: the first line is not a Kefu backup header');
  return { header, lines, close: () => rl.close() };
}

/**
 * Restores a dump into this database in one transaction: refuses a dump made by a newer Kefu (a
 * migration this code does not know) and a database that already holds data unless `wipe` is set.
 * Columns the dump lacks (an older dump) take their defaults; sequences continue after the restored ids.
 */
export async function restoreDatabase(db: Database, file: string, options: RestoreOptions = {}): Promise<BackupSummary> {
  const known = new Set(options.knownMigrations ?? listMigrations().map((m) => m.name));
  const { header, lines, close } = await readHeader(file);
  try {
    const unknown = header.migrations.filter((m) => !known.has(m));
    if (unknown.length > 0) {
      throw new RestoreError(`this backup comes from a newer Kefu (migrations ${unknown.join(', ')}); upgrade Kefu before restoring it`);
    }
    const summary: BackupSummary = { tables: {}, files: 0, migrations: header.migrations };
    const files: { name: string; data: string }[] = [];
    await db.transaction(async (sql) => {
      const tables = await listAppTables(sql);
      if (options.wipe) {
        await sql.exec(`TRUNCATE ${tables.map(quote).join(', ')} CASCADE`);
      } else {
        for (const table of tables) {
          const [row] = await sql.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${quote(table)}) AS any`);
          if (row?.any) throw new RestoreError(`the database is not empty (table ${table} has rows); restore into an empty database or pass --wipe`);
        }
      }
      let table: string | null = null;
      let columns: string[] = [];
      let batch: string[] = [];
      const flush = async () => {
        if (!table || batch.length === 0) return;
        const list = columns.map(quote).join(', ');
        await sql.query(`INSERT INTO ${quote(table)} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${quote(table)}, $1::json)`, [`[${batch.join(',')}]`]);
        summary.tables[table] = (summary.tables[table] ?? 0) + batch.length;
        batch = [];
      };
      for (;;) {
        const next = await lines.next();
        if (next.done) break;
        const line = next.value;
        if (!line) continue;
        if (line.startsWith('{"$table":')) {
          await flush();
          const marker = JSON.parse(line) as { $table: string; columns: string[] };
          if (!tables.includes(marker.$table)) throw new RestoreError(`the backup has a table this Kefu does not know: ${marker.$table}`);
          const current = new Set(await tableColumns(sql, marker.$table));
          table = marker.$table;
          columns = marker.columns.filter((c) => current.has(c));
          summary.tables[table] = 0;
        } else if (line.startsWith('{"$file":')) {
          await flush();
          table = null;
          const entry = JSON.parse(line) as { $file: string; data: string };
          files.push({ name: entry.$file, data: entry.data });
        } else {
          batch.push(line);
          if (batch.length >= BATCH) await flush();
        }
      }
      await flush();
      for (const t of tables) {
        const serials = await sql.query<{ col: string; seq: string }>(
          `SELECT column_name AS col, pg_get_serial_sequence($1, column_name) AS seq FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = $2 AND column_default LIKE 'nextval(%'`,
          [quote(t), t],
        );
        for (const { col, seq } of serials) {
          if (seq) await sql.query(`SELECT setval($1, COALESCE((SELECT max(${quote(col)}) FROM ${quote(t)}), 0) + 1, false)`, [seq]);
        }
      }
    });
    if (options.uploadDir) {
      const root = path.resolve(options.uploadDir);
      for (const { name, data } of files) {
        const target = path.resolve(root, name);
        if (!target.startsWith(root + path.sep)) throw new RestoreError(`refusing a file outside the upload folder: ${name}`);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, Buffer.from(data, 'base64'));
        summary.files += 1;
      }
    }
    return summary;
  } finally {
    close();
  }
}
