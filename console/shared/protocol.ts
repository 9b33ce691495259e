/**
 * The wire contract between the server and its two browser clients (the agent console and the
 * visitor widget): REST payload shapes and WebSocket frames. Shared by server and clients so the
 * two sides cannot drift. Client → server frames are validated with zod on the server.
 *
 * REST (cookie session `kefu_session`, or `Authorization: Bearer <token>`):
 *   POST /api/auth/login {email,password} → {user: UserDto}      POST /api/auth/logout     GET /api/auth/me → {user}
 *   GET  /api/conversations?view=mine|queue|all → {items: ConversationDto[]}
 *   GET  /api/conversations/:id → {conversation: ConversationDto}
 *   GET  /api/conversations/:id/messages?before=<seq>&limit=50 → {items: MessageDto[]}   (ascending by seq)
 *   POST /api/conversations/:id/messages {clientMessageId, kind, text?, mediaUrl?} → {message: MessageDto}
 *   POST /api/conversations/:id/pick | /close      POST /api/conversations/:id/transfer {agentId}
 *   POST /api/uploads (multipart field `file`) → {url, mimeType, size}
 *   GET  /api/agents → {items: UserDto[]}   POST /api/agents (admin)   PATCH /api/me/status {status}
 * Widget (visitor token in `Authorization: Bearer <visitorToken>`):
 *   POST /api/widget/session {channelId, visitorToken?, profile?} → WidgetSessionDto
 *   GET  /api/widget/messages?after=<seq> → {items: MessageDto[]}
 *   POST /api/widget/messages {clientMessageId, kind, text?, mediaUrl?} → {message: MessageDto}  (HTTP fallback)
 *   POST /api/widget/uploads (multipart `file`) → {url, mimeType, size}
 *   POST /api/widget/handoff → {conversation}
 * WebSocket: /ws/agent (cookie or ?token=) and /ws/visitor?token=<visitorToken>, both with ?after=<seq>
 *   to resume: the server first replays every message with seq > after, then streams live events.
 * Errors: {error: {code, message}} with a 4xx/5xx status.
 */
import { z } from 'zod';

export type Role = 'admin' | 'agent';
export type AgentStatus = 'online' | 'paused' | 'offline';
export type ConversationStatus = 'bot' | 'queued' | 'assigned' | 'closed';
export type SenderType = 'visitor' | 'bot' | 'agent' | 'system';
export type MessageKind = 'text' | 'image' | 'event' | 'menu' | 'unsupported';
export type DeliveryStatus = 'pending' | 'sent' | 'delivered' | 'failed';

export interface UserDto {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: AgentStatus;
  autoAcceptLimit: number;
  activeCount?: number;
  disabled?: boolean;
}

export interface VisitorDto {
  id: string;
  name: string;
  avatarUrl?: string | null;
  channelType: string;
  profile?: Record<string, unknown>;
  contact?: Record<string, string>;
  firstSeenAt: string;
}

export interface ConversationDto {
  id: string;
  status: ConversationStatus;
  channelId: string;
  channelType: string;
  channelName?: string;
  visitor: VisitorDto;
  assigneeId: string | null;
  assigneeName?: string | null;
  reachedHuman: boolean;
  queuedAt: string | null;
  assignedAt: string | null;
  closedAt: string | null;
  lastMessageAt: string | null;
  lastMessagePreview: string | null;
  unreadCount: number;
  queuePosition?: number | null;
  createdAt: string;
}

export interface MessageDto {
  id: string;
  /** Global, increasing: the resume cursor. */
  seq: number;
  conversationId: string;
  sender: SenderType;
  senderId: string | null;
  senderName?: string | null;
  kind: MessageKind;
  text: string | null;
  mediaUrl: string | null;
  /** For kind 'event' (system timeline entries) and 'menu'. */
  data?: Record<string, unknown> | null;
  clientMessageId: string | null;
  deliveryStatus: DeliveryStatus;
  failureReason: string | null;
  createdAt: string;
}

export interface WidgetSessionDto {
  visitorToken: string;
  visitorId: string;
  conversation: ConversationDto | null;
  messages: MessageDto[];
  settings: { title: string; greeting?: string; handoffButton: boolean; offlineMessageForm: boolean };
}

/** Server → client frames (both sockets). */
export type ServerFrame =
  | { type: 'hello'; userId?: string; visitorId?: string; resumedFrom: number }
  | { type: 'message'; message: MessageDto }
  | { type: 'conversation'; conversation: ConversationDto }
  | { type: 'ack'; clientMessageId: string; message: MessageDto }
  | { type: 'typing'; conversationId: string; from: 'visitor' | 'agent' }
  | { type: 'event'; name: string; payload: Record<string, unknown> }
  | { type: 'error'; code: string; message: string; clientMessageId?: string }
  | { type: 'pong' };

/** Client → server frames. */
export const clientFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('send'),
    clientMessageId: z.string().min(8).max(64),
    conversationId: z.string().max(64).optional(),
    kind: z.enum(['text', 'image']),
    text: z.string().max(5000).optional(),
    mediaUrl: z.string().max(500).optional(),
  }),
  z.object({ type: z.literal('typing'), conversationId: z.string().max(64).optional() }),
  z.object({ type: z.literal('handoff') }),
  z.object({ type: z.literal('ping') }),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

export const MAX_MESSAGE_CHARS = 5000;
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const IMAGE_MIME_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
