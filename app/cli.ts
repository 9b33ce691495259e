import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { ConfigError, parseConfig, type Config } from './config.ts';
import { openDatabase, type Database } from '../infra/database.ts';
import { migrate } from '../infra/migrate.ts';
import { hashPassword } from '../console/server/passwords.ts';
import { loadInstanceSecret } from './bootstrap.ts';

const usage = `Usage: kefu <command> [options]   (add --json for machine-readable output)

  user add --email E --password P --name N [--role admin|agent] [--limit 5]
  user list
  channel add web --name N
  channel add wecom|wechat-mp|wechaty --name N [--corp-id --secret --token --aes-key --open-kf-id | --app-id --app-secret --token --aes-key --mode]
  channel list
  migrate            apply database migrations
  doctor             check configuration, PostgreSQL and Redis
  backup <file>      write a consistent, gzipped dump of the database and uploaded images
  restore <file> [--wipe]   restore a dump into an empty database (--wipe empties it first)
  visitor export <visitor-id> [--out FILE]   everything stored about one visitor, as JSON
  visitor erase <visitor-id>                 erase one visitor: rows and uploaded files
`;

class CliError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', default: 'agent' },
      limit: { type: 'string', default: '5' },
      'corp-id': { type: 'string' },
      secret: { type: 'string' },
      token: { type: 'string' },
      'aes-key': { type: 'string' },
      'open-kf-id': { type: 'string' },
      'app-id': { type: 'string' },
      'app-secret': { type: 'string' },
      mode: { type: 'string', default: 'safe' },
      wipe: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const out = (human: string, data: unknown) => process.stdout.write(values.json ? `${JSON.stringify(data)}\n` : `${human}\n`);
  const [group, action, arg] = positionals;
  if (values.help || !group) {
    process.stdout.write(usage);
    return group ? 0 : 1;
  }
  const config = parseConfig();
  if (group === 'doctor') return doctor(config, values.json!);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, schema: config.databaseSchema, dataDir: config.dataDir });
  try {
    const { applied } = await db.withSession((sql) => migrate(sql));
    if (group === 'migrate') {
      out(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.', { applied });
      return 0;
    }
    if (group === 'user' && action === 'add') {
      if (!values.email || !values.password || !values.name) throw new CliError('user add needs --email, --password and --name');
      if (values.role !== 'admin' && values.role !== 'agent') throw new CliError('--role must be admin or agent');
      if (values.password.length < 8) throw new CliError('--password must be at least 8 characters');
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 0) throw new CliError('--limit must be a whole number, e.g. 5');
      const email = values.email.toLowerCase();
      if (await db.prisma.user.findUnique({ where: { email } })) throw new CliError(`an account with ${email} already exists`);
      const user = await db.prisma.user.create({
        data: { email, name: values.name, role: values.role, autoAcceptLimit: limit, passwordHash: await hashPassword(values.password) },
      });
      out(`Created ${user.role} ${user.email} (${user.id})`, { id: user.id, email: user.email, role: user.role, name: user.name });
      return 0;
    }
    if (group === 'user' && action === 'list') {
      const users = await db.prisma.user.findMany({ orderBy: { createdAt: 'asc' } });
      const rows = users.map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role, status: u.status, autoAcceptLimit: u.autoAcceptLimit, disabled: u.disabled }));
      out(rows.map((r) => `${r.role.padEnd(6)} ${r.email.padEnd(32)} ${r.name}  ${r.status}${r.disabled ? ' (disabled)' : ''}`).join('\n') || 'No users.', rows);
      return 0;
    }
    if (group === 'backup' || group === 'restore' || group === 'visitor') {
      const { runOperationsCommand } = await import('./operations-cli.ts');
      return await runOperationsCommand(db, config, positionals, { wipe: values.wipe!, out: values.out }, out);
    }
    if (group === 'channel' && action === 'add') {
      return await addChannel(db, config, arg, values, out);
    }
    if (group === 'channel' && action === 'list') {
      const channels = await db.prisma.channel.findMany({ orderBy: { createdAt: 'asc' } });
      const rows = channels.map((c) => ({ id: c.id, type: c.type, name: c.name, enabled: c.enabled }));
      out(rows.map((r) => `${r.type.padEnd(9)} ${r.id}  ${r.name}${r.enabled ? '' : ' (disabled)'}`).join('\n') || 'No channels.', rows);
      return 0;
    }
    throw new CliError(`unknown command: ${positionals.join(' ')}\n\n${usage}`);
  } finally {
    await db.close();
  }
}

async function addChannel(db: Database, config: Config, type: string | undefined, values: Record<string, unknown>, out: (h: string, d: unknown) => void): Promise<number> {
  const name = values.name as string | undefined;
  if (!name) throw new CliError('channel add needs --name');
  if (type === 'web') {
    const channel = await db.prisma.channel.create({ data: { type: 'web', name, settings: { title: name } } });
    const embed = `<script src="${config.publicUrl}/widget.js" data-channel="${channel.id}" async></script>`;
    out(`Created web channel ${channel.id}\nEmbed: ${embed}\nH5: ${config.publicUrl}/h5?channel=${channel.id}`, { id: channel.id, type: 'web', embed, h5Url: `${config.publicUrl}/h5?channel=${channel.id}` });
    return 0;
  }
  const mapped = type === 'wechat-mp' ? 'wechat_mp' : type;
  if (mapped !== 'wecom' && mapped !== 'wechat_mp' && mapped !== 'wechaty') throw new CliError('channel type must be web, wecom, wechat-mp or wechaty');
  const credentials =
    mapped === 'wecom'
      ? { corpId: values['corp-id'], secret: values.secret, token: values.token, encodingAesKey: values['aes-key'], openKfId: values['open-kf-id'] }
      : mapped === 'wechat_mp'
        ? { appId: values['app-id'], appSecret: values['app-secret'], token: values.token, encodingAesKey: values['aes-key'], mode: values.mode }
        : {};
  const secret = await loadInstanceSecret(db.prisma, config.sessionSecret);
  const module = (await import('../connectors/channel-admin.ts').catch(() => null)) as null | {
    addChannel(prisma: unknown, secret: string, input: { type: string; name: string; credentials: Record<string, unknown>; publicUrl: string }): Promise<{ channel: { id: string }; callbackUrl?: string; token?: string; encodingAesKey?: string }>;
  };
  if (!module) throw new CliError(`${type} channels are not available in this build`);
  const result = await module.addChannel(db.prisma, secret, { type: mapped, name, credentials, publicUrl: config.publicUrl });
  const lines = [
    `Created ${type} channel ${result.channel.id}`,
    result.callbackUrl ? `Callback URL:   ${result.callbackUrl}` : '',
    result.token ? `Token:          ${result.token}` : '',
    result.encodingAesKey ? `EncodingAESKey: ${result.encodingAesKey}   (shown once)` : '',
  ].filter(Boolean);
  out(lines.join('\n'), { id: result.channel.id, type: mapped, callbackUrl: result.callbackUrl ?? null, token: result.token ?? null, encodingAesKey: result.encodingAesKey ?? null });
  return 0;
}

async function doctor(config: Config, json: boolean): Promise<number> {
  const checks: { name: string; ok: boolean; detail: string }[] = [];
  checks.push({ name: 'config', ok: true, detail: `role ${config.role}, port ${config.port}, public URL ${config.publicUrl}` });
  try {
    const db = await openDatabase({ databaseUrl: config.databaseUrl, schema: config.databaseSchema, dataDir: config.dataDir });
    await db.ping();
    const version = await db.sql.query<{ v: string }>("SELECT current_setting('server_version') AS v").catch(() => [{ v: '?' }]);
    await db.close();
    checks.push({ name: 'database', ok: true, detail: `${config.databaseUrl ? 'PostgreSQL' : 'embedded PGlite'} ${version[0]?.v ?? ''}`.trim() });
  } catch (error) {
    checks.push({ name: 'database', ok: false, detail: (error as Error).message });
  }
  if (config.redisUrl) {
    const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true, enableOfflineQueue: false });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      const info = await redis.info('server');
      checks.push({ name: 'redis', ok: true, detail: `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? ''}` });
    } catch (error) {
      checks.push({ name: 'redis', ok: false, detail: `cannot reach REDIS_URL: ${(error as Error).message}` });
    } finally {
      redis.disconnect();
    }
  } else {
    checks.push({ name: 'redis', ok: true, detail: 'not configured: jobs run on the embedded database, events in-process (single process)' });
  }
  const ok = checks.every((c) => c.ok);
  process.stdout.write(json ? `${JSON.stringify({ ok, checks })}\n` : `${checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`).join('\n')}\n`);
  return ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof ConfigError || error instanceof CliError) {
      process.stderr.write(`kefu: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`kefu: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
