import type { ChannelCapabilities, ChannelType } from '../../connectors/connector.ts';
import type { ConversationService } from '../conversation/conversation-service.ts';
import type { DomainEvent } from '../conversation/events.ts';
import type { ChannelRecord } from '../conversation/records.ts';
import type { ConversationStore } from '../conversation/store.ts';
import type { Clock, JobScheduler } from '../ports.ts';
import { channelSettingsSchema, type ChannelSettings } from '../settings/settings-schema.ts';
import type { SettingsService } from '../settings/settings-service.ts';
import type { Bot } from './bot-port.ts';
import type { RoutingStore } from './routing-store.ts';

/** What the routing engine, its timers and the drainer are built from. */
export interface RoutingDeps {
  conversations: ConversationService;
  store: ConversationStore;
  routing: RoutingStore;
  settings: SettingsService;
  scheduler: JobScheduler;
  /** Publishes events that are not conversation operations (notices to agents and admins). */
  publish: (event: DomainEvent) => Promise<void>;
  capabilitiesOf: (type: ChannelType) => ChannelCapabilities | undefined;
  bot: Bot;
  clock: Clock;
  /**
   * Multiplies every minute-based setting into milliseconds (1 in production). Tests run the
   * timers in milliseconds with a small scale.
   */
  timerScale: number;
}

/** A channel's routing settings with defaults; an invalid stored shape reads as the defaults. */
export function channelSettingsOf(channel: ChannelRecord): ChannelSettings {
  const parsed = channelSettingsSchema.safeParse(channel.settings ?? {});
  return parsed.success ? parsed.data : channelSettingsSchema.parse({});
}

/** Minutes of a setting as a timer delay. */
export function minutesToMs(deps: Pick<RoutingDeps, 'timerScale'>, minutes: number): number {
  return Math.max(1, Math.round(minutes * 60_000 * deps.timerScale));
}
