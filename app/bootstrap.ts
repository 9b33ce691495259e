import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { PrismaClient } from '../prisma/generated/client.ts';
import { hashPassword, randomPassword } from '../console/server/passwords.ts';

/** The instance secret: SESSION_SECRET, or one generated once and kept in the database for every process. */
export async function loadInstanceSecret(prisma: PrismaClient, configured?: string): Promise<string> {
  if (configured) return configured;
  const generated = crypto.randomBytes(32).toString('hex');
  await prisma.$executeRawUnsafe(
    `INSERT INTO settings (key, value, updated_at) VALUES ('instance.secret', $1::jsonb, now()) ON CONFLICT (key) DO NOTHING`,
    JSON.stringify(generated),
  );
  const row = await prisma.setting.findUniqueOrThrow({ where: { key: 'instance.secret' } });
  return row.value as string;
}

/**
 * First start: an admin account (ADMIN_EMAIL / ADMIN_PASSWORD, or admin@kefu.local with a one-time
 * password printed once) and a web channel, so the widget works out of the box.
 */
export async function ensureFirstRun(
  prisma: PrismaClient,
  logger: Logger,
  options: { adminEmail?: string; adminPassword?: string; publicUrl: string; print?: (line: string) => void },
): Promise<void> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  // Several processes may start at once: one of them does the first-run work.
  await prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(727002)');
    await firstRun(tx as unknown as PrismaClient, logger, options, print);
  }, { timeout: 30_000 });
}

async function firstRun(
  prisma: PrismaClient,
  logger: Logger,
  options: { adminEmail?: string; adminPassword?: string; publicUrl: string },
  print: (line: string) => void,
): Promise<void> {
  const admins = await prisma.user.count({ where: { role: 'admin' } });
  if (admins === 0) {
    const email = (options.adminEmail ?? 'admin@kefu.local').toLowerCase();
    const password = options.adminPassword ?? randomPassword();
    await prisma.user.upsert({
      where: { email },
      create: { email, name: '管理员', role: 'admin', passwordHash: await hashPassword(password), autoAcceptLimit: 5 },
      update: { role: 'admin' },
    });
    logger.info({ email }, 'created the first admin account');
    if (!options.adminPassword) {
      print('');
      print('  Kefu created the first admin account:');
      print(`    email:    ${email}`);
      print(`    password: ${password}   (shown once; change it after logging in)`);
      print('');
    }
  }
  const channels = await prisma.channel.count({ where: { type: 'web' } });
  if (channels === 0) {
    const channel = await prisma.channel.create({ data: { type: 'web', name: '网站咨询', settings: { title: '在线客服' } } });
    print(`  Web channel ready. Embed: <script src="${options.publicUrl}/widget.js" data-channel="${channel.id}" async></script>`);
    print(`  Mobile H5 chat: ${options.publicUrl}/h5?channel=${channel.id}`);
  }
}
