/**
 * `npm run chaos`: the crash test. Starts its own PostgreSQL and Redis (never the shared ones), two
 * `api` and two `worker` Kefu processes and the local WeCom and Official Account peers; visitors send
 * CHAOS_MESSAGES messages while processes are killed and the services restarted; then checks that every
 * accepted message was stored once and delivered once, in order. Prints the counts as one JSON line
 * and exits 1 on any loss, duplicate, reordering or crash.
 */
import { optionsFromEnv, passed, runChaos } from './run-chaos.ts';
import { servicesAvailable } from './services.ts';

if (!servicesAvailable()) {
  process.stderr.write('chaos: needs root, runuser, redis-server and PostgreSQL 15 binaries (CHAOS_PG_BIN)\n');
  process.exit(2);
}
const report = await runChaos({ ...optionsFromEnv(), log: (line) => process.stderr.write(`${line}\n`) });
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(passed(report) ? 0 : 1);
