import type { ChannelType } from '../../connectors/connector.ts';
import type { ConversationStatus } from './transitions.ts';

/** Domain records as the core sees them; the store maps its rows onto these. */
export interface VisitorRecord {
  id: string;
  channelId: string;
  externalId: string;
  name: string | null;
  avatarUrl: string | null;
  profile: Record<string, unknown>;
  contact: Record<string, string>;
  firstSeenAt: Date;
  lastAgentId: string | null;
  lastAgentAt: Date | null;
}

export interface ConversationRecord {
  id: string;
  channelId: string;
  channelType: ChannelType;
  visitorId: string;
  visitor: VisitorRecord;
  status: ConversationStatus;
  assigneeId: string | null;
  assigneeName: string | null;
  priority: number;
  queuedAt: Date | null;
  assignedAt: Date | null;
  closedAt: Date | null;
  lastVisitorMessageAt: Date | null;
  lastAgentMessageAt: Date | null;
  lastMessageAt: Date | null;
  lastMessagePreview: string | null;
  closeReason: string | null;
  reachedHuman: boolean;
  botMisses: number;
  sentSinceVisitor: number;
  unreadCount: number;
  state: Record<string, unknown>;
  createdAt: Date;
}

export type SenderType = 'visitor' | 'bot' | 'agent' | 'system';
export type MessageKind = 'text' | 'image' | 'event' | 'menu' | 'unsupported';
export type DeliveryStatus = 'pending' | 'sent' | 'delivered' | 'failed';

export interface MessageRecord {
  id: string;
  seq: number;
  conversationId: string;
  channelId: string;
  sender: SenderType;
  senderId: string | null;
  senderName: string | null;
  kind: MessageKind;
  content: string | null;
  mediaUrl: string | null;
  data: Record<string, unknown> | null;
  channelMessageId: string | null;
  clientMessageId: string | null;
  deliveryStatus: DeliveryStatus;
  failureReason: string | null;
  createdAt: Date;
}

export interface AgentRecord {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'agent';
  status: 'online' | 'paused' | 'offline';
  autoAcceptLimit: number;
  activeCount: number;
  disabled: boolean;
}

export interface ChannelRecord {
  id: string;
  type: ChannelType;
  name: string;
  enabled: boolean;
  settings: Record<string, unknown>;
}

/** Who did something: a visitor, an agent or admin, the bot, or the system (timers, workers). */
export type Actor =
  | { type: 'visitor'; id: string }
  | { type: 'agent'; id: string; role: 'admin' | 'agent'; name?: string }
  | { type: 'bot' }
  | { type: 'system'; reason?: string };
