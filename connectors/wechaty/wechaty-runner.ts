import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { FileBoxInterface } from 'file-box';
import { ScanStatus, WechatyBuilder, type Message, type Wechaty } from 'wechaty';
import type { ConversationService } from '../../core/conversation/conversation-service.ts';
import { toChannelConfig } from '../../infra/channel-credentials.ts';
import type { PrismaClient } from '../../prisma/generated/client.ts';
import type { ChannelConfig } from '../connector.ts';
import type { ChannelLock } from '../channel-lock.ts';
import { normalizeWechatyMessage } from './normalize.ts';

/** What the admin page shows about a personal-WeChat account: login QR and state. */
export interface WechatyStatus {
  status: 'starting' | 'waiting' | 'scanned' | 'logged_in' | 'logged_out' | 'stopped' | 'error';
  qrcode?: string;
  user?: { id: string; name: string };
  holder: string;
  /** The job queue only the holding runner consumes: deliveries are handed to it there. */
  deliveryQueue?: string;
  error?: string;
  updatedAt: string;
}

export interface WechatyRunnerDeps {
  prisma: PrismaClient;
  secret: string;
  conversations: ConversationService;
  lock: ChannelLock;
  logger: Logger;
  uploadDir: string;
  /** WECHATY_PUPPET / WECHATY_PUPPET_TOKEN, used when a channel names no puppet of its own. */
  defaultPuppet?: string;
  defaultPuppetToken?: string;
  /** How often channels are rescanned (new, re-enabled, or left by a dead holder). */
  rescanMs?: number;
  /** This runner's own delivery queue, recorded on the channels whose bot it holds. */
  deliveryQueue?: string;
}

interface RunningBot {
  bot: Wechaty;
  release: () => Promise<void>;
}

const holder = `${os.hostname()}-${process.pid}`;

/** Bots running in this process, by channel id (the runner's own; read by tests and diagnostics). */
const runningBots = new Map<string, Wechaty>();

export function findRunningBot(channelId: string): Wechaty | undefined {
  return runningBots.get(channelId);
}
const scanNames: Record<number, WechatyStatus['status']> = {
  [ScanStatus.Waiting]: 'waiting',
  [ScanStatus.Scanned]: 'scanned',
  [ScanStatus.Confirmed]: 'scanned',
  [ScanStatus.Timeout]: 'waiting',
  [ScanStatus.Cancel]: 'waiting',
};

/**
 * Runs one Wechaty bot per enabled wechaty channel, and each account in exactly one process: a bot
 * starts only under the channel's lease (renewed while it runs; when a holder dies its lease lapses and
 * the next rescan elsewhere takes over). Login state and QR go to channel.state.wechaty; messages from
 * contacts go to `conversations.receive()`; own messages and (unless enabled) group chats are ignored.
 */
export class WechatyRunner {
  readonly #bots = new Map<string, RunningBot>();
  readonly #starting = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly deps: WechatyRunnerDeps) {}

  async start(): Promise<void> {
    await this.rescan();
    this.#timer = setInterval(() => void this.rescan().catch((error) => this.deps.logger.warn({ err: error }, 'wechaty rescan failed')), this.deps.rescanMs ?? 15_000);
    this.#timer.unref();
  }

  /** The bot of a channel when it runs in this process. */
  botOf(channelId: string): Wechaty | undefined {
    return this.#bots.get(channelId)?.bot;
  }

  /** Starts bots for enabled channels not yet running anywhere and stops those disabled or removed. */
  async rescan(): Promise<void> {
    if (this.#closed) return;
    const rows = await this.deps.prisma.channel.findMany({ where: { type: 'wechaty' } });
    const enabled = new Set(rows.filter((row) => row.enabled).map((row) => row.id));
    for (const id of [...this.#bots.keys()]) if (!enabled.has(id)) await this.stopBot(id, 'stopped');
    for (const row of rows) {
      if (!row.enabled || this.#bots.has(row.id) || this.#starting.has(row.id)) continue;
      this.#starting.add(row.id);
      try {
        await this.startBot(toChannelConfig(this.deps.secret, row));
      } finally {
        this.#starting.delete(row.id);
      }
    }
  }

  private async startBot(channel: ChannelConfig): Promise<void> {
    const release = await this.deps.lock.tryAcquire(`wechaty-${channel.id}`, 30_000, () => void this.stopBot(channel.id, 'stopped'));
    if (!release) return;
    const puppet = channel.credentials.puppet ?? this.deps.defaultPuppet;
    const token = channel.credentials.puppetToken ?? this.deps.defaultPuppetToken;
    try {
      const bot = WechatyBuilder.build({
        name: `kefu-${channel.id}`,
        ...(puppet ? { puppet: puppet as never } : {}),
        ...(token ? { puppetOptions: { token } } : {}),
      });
      this.#bots.set(channel.id, { bot, release });
      runningBots.set(channel.id, bot);
      bot.on('scan', (qrcode: string, status: ScanStatus) => void this.saveStatus(channel.id, { status: scanNames[status] ?? 'waiting', qrcode }));
      bot.on('login', (user) => void this.saveStatus(channel.id, { status: 'logged_in', user: { id: user.id, name: user.name() } }));
      bot.on('logout', () => void this.saveStatus(channel.id, { status: 'logged_out' }));
      bot.on('error', (error) => this.deps.logger.warn({ channelId: channel.id, err: error }, 'wechaty error'));
      bot.on('message', (message: Message) => void this.receive(channel, message).catch((error) => this.deps.logger.error({ channelId: channel.id, err: error }, 'wechaty message not stored')));
      await this.saveStatus(channel.id, { status: 'starting' });
      await bot.start();
    } catch (error) {
      this.#bots.delete(channel.id);
      runningBots.delete(channel.id);
      await release();
      await this.saveStatus(channel.id, { status: 'error', error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async receive(channel: ChannelConfig, message: Message): Promise<void> {
    const talker = message.talker();
    const room = message.room();
    // The admin may switch group mentions on or off while the bot runs: read the setting as it is now.
    const settings = room ? ((await this.deps.prisma.channel.findUnique({ where: { id: channel.id }, select: { settings: true } }))?.settings ?? {}) : channel.settings;
    const inbound = normalizeWechatyMessage(
      {
        id: message.id,
        talkerId: talker.id,
        talkerName: talker.name(),
        roomId: room?.id,
        mentionSelf: room ? await message.mentionSelf() : false,
        self: message.self(),
        type: message.type(),
        text: message.text(),
        timestamp: message.date().getTime(),
      },
      { channelId: channel.id, allowRoomMentions: (settings as Record<string, unknown>).allowRoomMentions === true, receivedAt: new Date() },
    );
    if (!inbound) return;
    if (inbound.kind === 'image') {
      const file = await message.toFileBox();
      inbound.media = { url: await this.storeImage(message.id, file), mimeType: file.mediaType };
    }
    await this.deps.conversations.receive(inbound);
  }

  private async storeImage(messageId: string, file: FileBoxInterface): Promise<string> {
    const ext = (path.extname(file.name).replace(/[^.a-zA-Z0-9]/g, '') || '.jpg').slice(0, 6);
    const name = `${messageId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80)}${ext}`;
    const dir = path.join(this.deps.uploadDir, 'wechaty');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, name), await file.toBuffer());
    return `/uploads/wechaty/${name}`;
  }

  private async stopBot(channelId: string, status: WechatyStatus['status']): Promise<void> {
    const running = this.#bots.get(channelId);
    if (!running) return;
    this.#bots.delete(channelId);
    runningBots.delete(channelId);
    await running.bot.stop().catch(() => undefined);
    await running.release().catch(() => undefined);
    await this.saveStatus(channelId, { status });
  }

  private async saveStatus(channelId: string, status: Omit<WechatyStatus, 'holder' | 'updatedAt' | 'deliveryQueue'>): Promise<void> {
    const holding = this.#bots.has(channelId) && this.deps.deliveryQueue;
    const value: WechatyStatus = { ...status, holder, ...(holding ? { deliveryQueue: this.deps.deliveryQueue } : {}), updatedAt: new Date().toISOString() };
    await this.deps.prisma.$executeRawUnsafe(
      `UPDATE channels SET state = COALESCE(state, '{}'::jsonb) || jsonb_build_object('wechaty', $2::jsonb), updated_at = now() WHERE id = $1::uuid`,
      channelId,
      JSON.stringify(value),
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const id of [...this.#bots.keys()]) await this.stopBot(id, 'stopped');
  }
}
