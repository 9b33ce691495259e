import fs from 'node:fs';
import { audit } from '../console/server/audit.ts';
import { backupDatabase, restoreDatabase } from '../infra/backup.ts';
import type { Database } from '../infra/database.ts';
import { eraseVisitor, exportVisitor } from '../infra/retention.ts';
import type { Config } from './config.ts';

/** A refusal the CLI prints as `kefu: <message>` with exit code 2. */
export class OperationsCliError extends Error {}

/** `kefu backup|restore|visitor …`: the operator's side of backups and personal-data requests. */
export async function runOperationsCommand(
  db: Database,
  config: Config,
  positionals: string[],
  options: { wipe: boolean; out?: string },
  out: (human: string, data: unknown) => void,
): Promise<number> {
  const [group, action, arg] = positionals;
  if (group === 'backup') {
    if (!action) throw new OperationsCliError('backup needs a file, e.g. kefu backup /var/backups/kefu-$(date +%F).jsonl.gz');
    const summary = await backupDatabase(db, action, config.uploadDir);
    const rows = Object.values(summary.tables).reduce((a, b) => a + b, 0);
    out(`Backed up ${rows} rows from ${Object.keys(summary.tables).length} tables and ${summary.files} files to ${action}`, summary);
    return 0;
  }
  if (group === 'restore') {
    if (!action) throw new OperationsCliError('restore needs a file, e.g. kefu restore kefu-2026-01-01.jsonl.gz');
    const summary = await restoreDatabase(db, action, { wipe: options.wipe, uploadDir: config.uploadDir });
    const rows = Object.values(summary.tables).reduce((a, b) => a + b, 0);
    await audit(db, null, 'backup.restore', 'database', null, { file: action, rows, files: summary.files, via: 'cli' });
    out(`Restored ${rows} rows and ${summary.files} files from ${action}`, summary);
    return 0;
  }
  if (group === 'visitor' && (action === 'export' || action === 'erase')) {
    if (!arg || !/^[0-9a-f-]{36}$/i.test(arg)) throw new OperationsCliError(`visitor ${action} needs a visitor id (a UUID)`);
    if (action === 'export') {
      const data = await exportVisitor(db.prisma, arg);
      if (!data) throw new OperationsCliError(`no visitor ${arg}`);
      await audit(db, null, 'visitor.export', 'visitor', arg, { via: 'cli' });
      const json = JSON.stringify(data, null, 2);
      if (options.out) {
        fs.writeFileSync(options.out, json);
        out(`Wrote ${options.out}`, { file: options.out });
      } else {
        process.stdout.write(`${json}\n`);
      }
      return 0;
    }
    const result = await eraseVisitor(db.prisma, config.uploadDir, arg);
    if (!result.found) throw new OperationsCliError(`no visitor ${arg}`);
    await audit(db, null, 'visitor.erase', 'visitor', arg, { conversations: result.conversations, files: result.files, via: 'cli' });
    out(`Erased visitor ${arg}: ${result.conversations} conversations, ${result.files} files`, result);
    return 0;
  }
  throw new OperationsCliError(`unknown command: ${positionals.join(' ')}`);
}
