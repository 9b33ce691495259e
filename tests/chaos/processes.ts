import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, sleep } from './services.ts';

export interface KefuProcess {
  name: string;
  role: 'api' | 'worker';
  port: number;
  child?: ChildProcess;
  /** Set while we kill it on purpose, so its exit is not counted as a crash. */
  killing: boolean;
}

/**
 * Kefu processes of the chaos run: `api` and `worker` roles of `app/main.ts` on the throw-away
 * PostgreSQL and Redis, their output appended to one log per process. An exit we did not ask for is a
 * crash: it is counted and the process is started again.
 */
export class KefuCluster {
  readonly processes: KefuProcess[] = [];
  crashes: { name: string; code: number | null; signal: string | null }[] = [];
  /** Start-ups that gave up (e.g. PostgreSQL was down at that moment): exit code 1 before it ever served. */
  startFailures: string[] = [];
  private stopping = false;

  constructor(
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  async add(name: string, role: 'api' | 'worker'): Promise<KefuProcess> {
    const proc: KefuProcess = { name, role, port: role === 'api' ? await freePort() : 0, killing: false };
    this.processes.push(proc);
    this.spawn(proc);
    return proc;
  }

  get apiUrls(): string[] {
    return this.processes.filter((p) => p.role === 'api').map((p) => `http://127.0.0.1:${p.port}`);
  }

  logFile(proc: KefuProcess): string {
    return path.join(this.logDir, `${proc.name}.log`);
  }

  private spawn(proc: KefuProcess): void {
    const log = fs.openSync(this.logFile(proc), 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts'], {
      env: { ...process.env, ...this.env, KEFU_ROLE: proc.role, PORT: String(proc.port), HOST: '127.0.0.1' },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    proc.child = child;
    proc.killing = false;
    const logStart = fs.statSync(this.logFile(proc)).size;
    child.once('exit', (code, signal) => {
      if (this.stopping || proc.killing) return;
      const output = fs.readFileSync(this.logFile(proc)).subarray(logStart).toString('utf8');
      if (code === 1 && output.includes('Kefu failed to start')) this.startFailures.push(proc.name);
      else this.crashes.push({ name: proc.name, code, signal });
      setTimeout(() => !this.stopping && this.spawn(proc), 500);
    });
  }

  /** SIGKILL, then a fresh process in its place (not waited for). */
  async kill(proc: KefuProcess, downMs = 300): Promise<void> {
    const child = proc.child;
    proc.killing = true;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    await sleep(downMs);
    this.spawn(proc);
  }

  /** Until every process printed that it started (the api its console address, a worker its line). */
  async waitStarted(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const proc of this.processes) {
      const started = () => fs.existsSync(this.logFile(proc)) && /Kefu console:|Kefu \w+ started/.test(fs.readFileSync(this.logFile(proc), 'utf8'));
      while (!started()) {
        if (Date.now() > deadline) throw new Error(`${proc.name} did not start`);
        await sleep(250);
      }
    }
  }

  async waitHealthy(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const url of this.apiUrls) {
      while (!(await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false))) {
        if (Date.now() > deadline) throw new Error(`${url} did not become healthy`);
        await sleep(250);
      }
    }
  }

  /** Each unexpected exit with the last lines its process wrote, to read when a run reports a crash. */
  crashReports(lines = 8): string[] {
    return [...this.crashes.map((c) => ({ ...c, reason: `code ${c.code} signal ${c.signal}` })), ...this.startFailures.map((name) => ({ name, reason: 'start-up gave up' }))].map(
      ({ name, reason }) => {
        const proc = this.processes.find((p) => p.name === name);
        const text = proc && fs.existsSync(this.logFile(proc)) ? fs.readFileSync(this.logFile(proc), 'utf8') : '';
        return `${name} (${reason}):\n${text.trimEnd().split('\n').slice(-lines).map((l) => l.slice(0, 300)).join('\n')}`;
      },
    );
  }

  /** The sum of a number field over the JSON log lines, of every process, whose message is `msg`. */
  loggedSum(msg: string, field: string): number {
    let sum = 0;
    for (const proc of this.processes) {
      const text = fs.existsSync(this.logFile(proc)) ? fs.readFileSync(this.logFile(proc), 'utf8') : '';
      for (const line of text.split('\n')) {
        if (!line.includes(msg)) continue;
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          if (entry.msg === msg && typeof entry[field] === 'number') sum += entry[field];
        } catch {
          // Not a JSON line.
        }
      }
    }
    return sum;
  }

  /** Lines of the logs that tell of a crash: unhandled rejections and uncaught exceptions. */
  crashLines(): string[] {
    const lines: string[] = [];
    for (const proc of this.processes) {
      const text = fs.existsSync(this.logFile(proc)) ? fs.readFileSync(this.logFile(proc), 'utf8') : '';
      for (const line of text.split('\n')) if (/unhandled|uncaught|ERR_UNHANDLED_REJECTION/i.test(line)) lines.push(`${proc.name}: ${line.slice(0, 300)}`);
    }
    return lines;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.processes.map(async (proc) => {
        const child = proc.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
