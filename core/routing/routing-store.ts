/** An agent who may receive a conversation now: online, enabled, below the auto-accept limit. */
export interface EligibleAgent {
  id: string;
  activeCount: number;
  autoAcceptLimit: number;
  lastAssignedAt: Date | null;
}

/** A queued conversation in queue order (priority, then queued time). */
export interface QueuedConversation {
  id: string;
  visitorId: string;
  /** Below 0 for a no-reply re-route (head of the queue). */
  priority: number;
  lastAgentId: string | null;
  lastAgentAt: Date | null;
}

export interface OfflineMessageInput {
  visitorId: string;
  channelId: string;
  conversationId: string | null;
  phone?: string | null;
  email?: string | null;
  name?: string | null;
  content: string;
}

export interface RatingInput {
  conversationId: string;
  agentId: string | null;
  score: number;
  tags: string[];
  comment: string | null;
}

/** Queries the routing engine needs beyond the conversation store port. */
export interface RoutingStore {
  eligibleAgents(): Promise<EligibleAgent[]>;
  /** Online (not paused), enabled agents, whatever their load. */
  countOnlineAgents(): Promise<number>;
  queuedConversations(limit: number): Promise<QueuedConversation[]>;
  /** Gaps between recent successive assignments, newest first (for the queue estimate). */
  recentAssignmentGapsMs(limit: number): Promise<number[]>;
  /** 1-based place of a queued conversation; null when it is not queued. */
  queuePosition(conversationId: string): Promise<number | null>;
  createOfflineMessage(input: OfflineMessageInput): Promise<{ id: string; createdAt: Date }>;
  /** Stores one rating; false when the conversation already has one. */
  createRating(input: RatingInput): Promise<boolean>;
  hasRating(conversationId: string): Promise<boolean>;
  /** The visitor's newest closed conversation whose rating invitation is still open at `at`. */
  findOpenRatingInvitation(visitor: { channelId: string; externalId: string }, at: Date): Promise<string | null>;
}
