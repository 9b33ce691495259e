import { AppError, isAppError } from '../errors.ts';
import type { InboundMessage } from '../../connectors/connector.ts';
import type { Actor, ConversationRecord } from '../conversation/records.ts';
import { parseRatingReply } from './keywords.ts';
import { minutesToMs, type RoutingDeps } from './routing-deps.ts';
import { routingJobs, timerJobId } from './routing-jobs.ts';

/** The click id of the rating menu item for a score (WeCom msgmenu), read back by `conversationForReply`. */
export function ratingMenuItemId(score: number): string {
  return `rating-${score}`;
}

/**
 * A visitor reply read as a rating: a menu click on a rating item, 1–5 typed as text, or one of the
 * configured labels (a menu click's text is the label). Null when it is not a rating.
 */
export function readRatingReply(text: string, labels: readonly string[], menuId?: string): number | null {
  const fromMenu = menuId ? /^rating-([1-5])$/.exec(menuId) : null;
  if (fromMenu) return Number(fromMenu[1]);
  const parsed = parseRatingReply(text);
  if (parsed !== null) return parsed;
  const index = labels.indexOf(text.trim());
  return index >= 0 && index < 5 ? index + 1 : null;
}

export interface RatingSubmission {
  score: number;
  tags?: string[];
  comment?: string | null;
}

/**
 * 满意度评价: invites a rating when a conversation that reached a human closes, and takes one rating
 * per conversation (the web form, or a 1–5 reply inside the window on any channel). The invitation
 * lives in the conversation's state (`ratingExpiresAt`), so any process can honour it.
 */
export class SatisfactionService {
  constructor(private readonly deps: RoutingDeps) {}

  /** Sends the invitation unless satisfaction is off, nobody human served, or the reply window has passed. */
  async invite(conversation: ConversationRecord): Promise<void> {
    const { settings, store, conversations, clock, scheduler } = this.deps;
    const satisfaction = await settings.get('satisfaction');
    if (!satisfaction.enabled || !conversation.reachedHuman) return;
    const window = this.deps.capabilitiesOf(conversation.channelType)?.replyWindowHours ?? null;
    const lastVisitor = conversation.lastVisitorMessageAt ? new Date(conversation.lastVisitorMessageAt).getTime() : null;
    if (window !== null && (lastVisitor === null || clock.now().getTime() - lastVisitor > window * 3_600_000)) return;
    const windowMs = minutesToMs(this.deps, satisfaction.windowMinutes);
    const expiresAt = new Date(clock.now().getTime() + windowMs);
    const updated = await store.updateConversation(conversation.id, ['closed'], {
      state: { ...conversation.state, ratingRequestedAt: clock.now().toISOString(), ratingExpiresAt: expiresAt.toISOString() },
    });
    if (!updated) return;
    await scheduler.enqueue(
      routingJobs.ratingExpire,
      { conversationId: conversation.id },
      { jobId: timerJobId(routingJobs.ratingExpire, conversation.id), delayMs: windowMs, replace: true },
    );
    // The channel asks for the rating itself when it ends its session (e.g. a WeCom menu).
    if (this.deps.capabilitiesOf(conversation.channelType)?.invitesRatingOnSessionEnd) return;
    const menu = satisfaction.labels.map((label, i) => `${i + 1} ${label}`).join('\n');
    await conversations.sendAutomatic(conversation.id, 'system', {
      text: `${satisfaction.prompt}\n${menu}`,
      data: {
        ratingRequest: true,
        labels: satisfaction.labels,
        tags: satisfaction.tags,
        allowComment: satisfaction.allowComment,
        expiresAt: expiresAt.toISOString(),
      },
    });
  }

  /**
   * The conversation a rating reply belongs to: the visitor's closed conversation with an open,
   * unanswered invitation, when the reply reads as a rating (see `readRatingReply`). Used before a new
   * conversation would open.
   */
  async conversationForReply(channelId: string, inbound: InboundMessage): Promise<ConversationRecord | null> {
    if (inbound.kind !== 'text' || !inbound.text) return null;
    const { routing, clock, conversations, settings } = this.deps;
    const menuId = inbound.event?.name === 'menu_click' ? inbound.event.data?.menu_id : undefined;
    const labels = (await settings.get('satisfaction')).labels;
    if (readRatingReply(inbound.text, labels, typeof menuId === 'string' ? menuId : undefined) === null) return null;
    const id = await routing.findOpenRatingInvitation({ channelId, externalId: inbound.visitor.externalId }, clock.now());
    if (!id || (await routing.hasRating(id))) return null;
    return conversations.requireConversation(id);
  }

  /** A visitor message filed in a closed conversation: taken as the rating when it reads as one. */
  async takeReply(conversation: ConversationRecord, text: string, actor: Actor): Promise<void> {
    if (!this.invitationOpen(conversation)) return;
    const score = readRatingReply(text, (await this.deps.settings.get('satisfaction')).labels);
    if (score === null) return;
    try {
      await this.rate(conversation, { score }, actor);
    } catch (error) {
      // A web rating and a typed reply can race; the first one stands.
      if (isAppError(error) && error.code === 'already_rated') return;
      throw error;
    }
  }

  invitationOpen(conversation: ConversationRecord): boolean {
    const expiresAt = conversation.state.ratingExpiresAt;
    return typeof expiresAt === 'string' && Date.parse(expiresAt) > this.deps.clock.now().getTime();
  }

  /** Stores the one rating of a conversation; 409 already_rated on a second. */
  async rate(conversation: ConversationRecord, input: RatingSubmission, actor: Actor): Promise<void> {
    const { routing, store, conversations, settings } = this.deps;
    if (!Number.isInteger(input.score) || input.score < 1 || input.score > 5) {
      throw new AppError('validation_failed', { userMessage: 'score: must be a whole number from 1 to 5' });
    }
    if (conversation.status !== 'closed' || !this.invitationOpen(conversation)) {
      throw new AppError('conflict', { userMessage: 'This conversation is not waiting for a rating.' });
    }
    const satisfaction = await settings.get('satisfaction');
    const tags = (input.tags ?? []).filter((t) => satisfaction.tags.length === 0 || satisfaction.tags.includes(t)).slice(0, 20);
    const comment = satisfaction.allowComment ? (input.comment?.trim().slice(0, 1000) || null) : null;
    const created = await routing.createRating({ conversationId: conversation.id, agentId: conversation.assigneeId, score: input.score, tags, comment });
    if (!created) throw new AppError('already_rated', { userMessage: 'This conversation has already been rated.' });
    await store.recordEvent({
      conversationId: conversation.id,
      type: 'rating.created',
      actorType: actor.type,
      actorId: 'id' in actor ? actor.id : null,
      data: { score: input.score, tags, comment },
    });
    await conversations.recordSystemEvent(conversation, 'rating.created', satisfaction.thanks, { score: input.score, tags });
    await this.deps.scheduler.cancel(routingJobs.ratingExpire, timerJobId(routingJobs.ratingExpire, conversation.id));
  }

  /** The rating-expire timer: closes the invitation when it is still open past its time. */
  async expire(conversationId: string): Promise<void> {
    const conversation = await this.deps.store.getConversation(conversationId);
    if (!conversation || typeof conversation.state.ratingExpiresAt !== 'string') return;
    if (Date.parse(conversation.state.ratingExpiresAt) > this.deps.clock.now().getTime()) return;
    const { ratingExpiresAt, ...rest } = conversation.state;
    await this.deps.store.updateConversation(conversationId, ['closed'], { state: { ...rest, ratingExpiredAt: ratingExpiresAt } });
  }
}
