/**
 * `npm run bench`: every figure the issues name, in one JSON line printed last. Each part runs
 * when its module exists; a part that fails reports `<part>_error` instead of stopping the rest.
 * Needs PostgreSQL and Redis (BENCH_DATABASE_URL / BENCH_REDIS_URL, default the local services).
 */
import fs from 'node:fs';

type Figures = Record<string, number | string>;

const parts: { name: string; module: string; fn: string }[] = [
  { name: 'ingest', module: './ingest-bench.ts', fn: 'benchIngest' },
  { name: 'mask', module: './mask-bench.ts', fn: 'benchMask' },
  { name: 'kb', module: './kb-bench.ts', fn: 'benchKnowledge' },
  { name: 'routing', module: './routing-bench.ts', fn: 'benchRouting' },
  { name: 'export', module: './export-bench.ts', fn: 'benchExport' },
  { name: 'console', module: './console-bench.ts', fn: 'benchConsole' },
  { name: 'scale', module: './scale-bench.ts', fn: 'benchScale' },
];

const only = process.argv.slice(2);
const figures: Figures = {};
for (const part of parts) {
  if (only.length > 0 && !only.includes(part.name)) continue;
  if (!fs.existsSync(new URL(part.module, import.meta.url))) continue;
  const started = performance.now();
  try {
    const mod = (await import(part.module)) as Record<string, () => Promise<Figures> | Figures>;
    Object.assign(figures, await mod[part.fn]());
    process.stderr.write(`bench ${part.name}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    figures[`${part.name}_error`] = (error as Error).message.slice(0, 200);
  }
}
console.log(JSON.stringify(figures));
process.exit(0);
