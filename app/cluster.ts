/**
 * `npm run cluster`: two `api` and two `worker` processes on one PostgreSQL and Redis, as a
 * production deployment would run them (behind a load balancer for the API ports). Needs
 * DATABASE_URL and REDIS_URL. API ports: PORT and PORT+1.
 */
import { spawn, type ChildProcess } from 'node:child_process';

if (!process.env.DATABASE_URL || !process.env.REDIS_URL) {
  process.stderr.write('npm run cluster needs DATABASE_URL and REDIS_URL (several processes share them).\n');
  process.exit(2);
}
const basePort = Number(process.env.PORT ?? 3000);
const roles: { name: string; role: string; port?: number }[] = [
  { name: 'api-1', role: 'api', port: basePort },
  { name: 'api-2', role: 'api', port: basePort + 1 },
  { name: 'worker-1', role: 'worker' },
  { name: 'worker-2', role: 'worker' },
];
const children: ChildProcess[] = [];
for (const r of roles) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts'], {
    env: { ...process.env, KEFU_ROLE: r.role, PORT: String(r.port ?? 0) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tag = (line: string) => `[${r.name}] ${line}\n`;
  child.stdout!.on('data', (d: Buffer) => d.toString().split('\n').filter(Boolean).forEach((l) => process.stdout.write(tag(l))));
  child.stderr!.on('data', (d: Buffer) => d.toString().split('\n').filter(Boolean).forEach((l) => process.stderr.write(tag(l))));
  child.on('exit', (code) => process.stderr.write(tag(`exited with ${code}`)));
  children.push(child);
}
const stop = () => {
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(0), 9_000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
