import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const pgBin = process.env.CHAOS_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up`);
    await sleep(100);
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Whether a program of this name is on the PATH. */
export const onPath = (bin: string) => (process.env.PATH ?? '').split(':').some((dir) => fs.existsSync(path.join(dir, bin)));

/** Whether this machine can run the throw-away services (PostgreSQL binaries, redis-server, root for runuser). */
export function servicesAvailable(): boolean {
  return fs.existsSync(path.join(pgBin, 'initdb')) && onPath('redis-server') && onPath('runuser') && process.getuid?.() === 0;
}

/** A Redis of our own that keeps nothing on disk: a restart loses every key, as in production without persistence. */
export class ThrowawayRedis {
  private child?: ChildProcess;
  private constructor(readonly port: number) {}

  static async start(): Promise<ThrowawayRedis> {
    const redis = new ThrowawayRedis(await freePort());
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' });
    await waitFor(() => answers(this.port), 'redis-server');
  }

  async down(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    await waitFor(async () => !(await answers(this.port)), 'redis-server stop', 10_000);
  }

  /** SIGKILL and start again, empty. */
  async restart(downMs = 500): Promise<void> {
    await this.down();
    await sleep(downMs);
    await this.up();
  }

  async stop(): Promise<void> {
    await this.down();
  }
}

/** A PostgreSQL cluster of our own in a temp folder (trust auth, fsync off), run as the postgres user. */
export class ThrowawayPostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<ThrowawayPostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-chaos-pg-'));
    fs.chmodSync(dir, 0o755);
    await run('chown', ['postgres:postgres', dir]);
    await asPostgres('initdb', ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    const pg = new ThrowawayPostgres(await freePort(), dir);
    await pg.up();
    return pg;
  }

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Starts the stopped cluster again. */
  async up(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -F -c max_connections=300 -c full_page_writes=off`;
    await asPostgres('pg_ctl', ['-D', path.join(this.dir, 'data'), '-l', path.join(this.dir, 'pg.log'), '-w', '-t', '60', '-o', options, 'start']);
  }

  /** An immediate stop: no checkpoint, clients cut off, crash recovery on the next start. */
  async down(): Promise<void> {
    await asPostgres('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
  }

  /** An immediate stop (no checkpoint, clients cut off, crash recovery on start) and a start. */
  async restart(downMs = 500): Promise<void> {
    await this.down();
    await sleep(downMs);
    await this.up();
  }

  async stop(): Promise<void> {
    await this.down();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

async function asPostgres(bin: string, args: string[]): Promise<void> {
  await run('runuser', ['-u', 'postgres', '--', path.join(pgBin, bin), ...args], { cwd: '/' });
}
