import { AppError } from '../errors.ts';
import type { ChannelRecord } from './records.ts';

/** Channels as the store has them, kept a few seconds: every inbound message needs its channel's settings. */
export class ChannelCache {
  private readonly entries = new Map<string, { channel: ChannelRecord; at: number }>();

  constructor(
    private readonly load: (id: string) => Promise<ChannelRecord | null>,
    private readonly maxAgeMs = 5_000,
  ) {}

  async get(id: string): Promise<ChannelRecord> {
    const cached = this.entries.get(id);
    if (cached && Date.now() - cached.at < this.maxAgeMs) return cached.channel;
    const channel = await this.load(id);
    if (!channel) throw new AppError('channel_not_found', { userMessage: 'This channel does not exist.' });
    this.entries.set(id, { channel, at: Date.now() });
    return channel;
  }
}
