import type { DomainEvent } from '../conversation/events.ts';
import type { Actor, ChannelRecord, ConversationRecord, MessageRecord } from '../conversation/records.ts';
import type { ConversationStatus } from '../conversation/transitions.ts';
import { containsKeyword } from './keywords.ts';
import { estimateWaitMinutes, renderQueuePrompt } from './queue-estimate.ts';
import { channelSettingsOf, minutesToMs, type RoutingDeps } from './routing-deps.ts';
import { drainJobId, routingJobs, timerJobId } from './routing-jobs.ts';
import { isWithinServiceHours } from './service-hours.ts';
import type { SatisfactionService } from './satisfaction-service.ts';

const system: Actor = { type: 'system', reason: 'routing' };

/**
 * Bot-first routing: reacts to every visitor message and lifecycle event of the conversation core.
 * Decides bot answer vs hand-off (transfer keywords, 转人工, N misses, no bot), refuses hand-offs
 * while human service is off or nobody can serve (留言 offer or off-hours reply; the conversation
 * stays with the bot), prompts the queue position, lets visitors leave the queue, arms the timers
 * and asks for a queue drain whenever capacity may have appeared. It holds no state of its own:
 * everything lives in the store and the job queue.
 */
export class RoutingEngine {
  /** When this process last armed each conversation's auto-close timer. */
  private readonly armedAt = new Map<string, number>();

  constructor(
    private readonly deps: RoutingDeps,
    private readonly satisfaction: SatisfactionService,
  ) {}

  /** Initial status of a visitor's new conversation: bot when the channel's bot is on. */
  initialStatus(channel: ChannelRecord): ConversationStatus {
    return channelSettingsOf(channel).botEnabled ? 'bot' : 'queued';
  }

  /** Reaction to one domain event emitted in this process. */
  async onEvent(event: DomainEvent): Promise<void> {
    switch (event.name) {
      case 'message.created':
        if (event.message.kind === 'event') return;
        if (event.message.sender === 'visitor') return this.onVisitorMessage(event.conversation, event.message);
        if (event.message.sender === 'agent') return this.onAgentMessage(event.conversation);
        if (event.message.sender === 'bot' && event.conversation.status === 'bot') return this.armAutoClose(event.conversation);
        return;
      case 'conversation.queued':
        return this.onQueued(event.conversation);
      case 'conversation.transferred':
        await this.deps.conversations.sendAutomatic(event.conversation.id, 'system', {
          text: (await this.deps.settings.get('session')).transferNotice,
          data: { transferNotice: true },
        });
        return this.requestDrain();
      case 'conversation.closed':
        await this.onClosed(event.conversation);
        if (event.previousAssigneeId) await this.requestDrain();
        return;
      default:
        return;
    }
  }

  /** Asks for one queue drain (deduplicated across processes by its job id). */
  async requestDrain(): Promise<void> {
    await this.deps.scheduler.enqueue(routingJobs.drain, {}, { jobId: drainJobId, attempts: 3 });
  }

  /** `current` is the conversation as the message's own statement left it: no need to read it again. */
  private async onVisitorMessage(current: ConversationRecord, message: MessageRecord): Promise<void> {
    const { conversations, settings } = this.deps;
    const conversationId = current.id;
    const conversation = current;
    const text = message.content ?? '';
    if (conversation.status === 'closed') {
      await this.satisfaction.takeReply(conversation, text, { type: 'visitor', id: conversation.visitorId });
      return;
    }
    await this.armAutoClose(conversation);
    if (conversation.status === 'queued') {
      if (text && containsKeyword(text, (await settings.get('queue')).exitKeywords)) await this.leaveQueue(conversation);
      return;
    }
    if (conversation.status === 'assigned') {
      const session = await settings.get('session');
      if (session.noReplyEnabled && message.createdAt) {
        await this.deps.scheduler.enqueue(
          routingJobs.noReply,
          { conversationId, since: new Date(message.createdAt).toISOString(), assigneeId: conversation.assigneeId },
          { jobId: timerJobId(routingJobs.noReply, conversationId), delayMs: minutesToMs(this.deps, session.noReplyMinutes) },
        );
      }
      return;
    }
    const channel = await conversations.channel(conversation.channelId);
    const channelSettings = channelSettingsOf(channel);
    if (!channelSettings.botEnabled) return this.requestHandoff(conversation, { type: 'visitor', id: conversation.visitorId }, 'no_bot');
    if (text && containsKeyword(text, channelSettings.transferKeywords)) {
      return this.requestHandoff(conversation, { type: 'visitor', id: conversation.visitorId }, 'keyword');
    }
    await this.answerWithBot(conversation, text, channelSettings.transferAfterMisses);
  }

  private async answerWithBot(conversation: ConversationRecord, text: string, missLimit: number): Promise<void> {
    const { conversations, store, settings } = this.deps;
    const reply = await this.deps.bot.answer(text, {
      conversationId: conversation.id,
      channelId: conversation.channelId,
      visitorId: conversation.visitorId,
    });
    if (reply.kind !== 'fallback') {
      if (conversation.botMisses > 0) await store.updateConversation(conversation.id, ['bot'], { botMisses: 0 });
      await conversations.sendAutomatic(conversation.id, 'bot', {
        text: reply.text,
        data: reply.suggestions?.length ? { suggestions: reply.suggestions } : undefined,
      });
      return;
    }
    const misses = conversation.botMisses + 1;
    const updated = await store.updateConversation(conversation.id, ['bot'], { botMisses: misses });
    if (!updated) return;
    if (misses >= missLimit) return this.requestHandoff(updated, { type: 'bot' }, 'bot_misses');
    await conversations.sendAutomatic(conversation.id, 'bot', { text: reply.text || (await settings.get('bot')).fallbackReply });
  }

  /** bot → queued when human service is on and someone can serve; otherwise the visitor is told why. */
  async requestHandoff(conversation: ConversationRecord, actor: Actor, reason: string): Promise<void> {
    const refusal = await this.refusal();
    if (refusal) return this.tellUnavailable(conversation, refusal);
    await this.deps.conversations.handOff(conversation.id, actor, reason);
  }

  /** Why nobody can take the conversation now, or null when the queue is open. */
  private async refusal(): Promise<'disabled' | 'unavailable' | null> {
    const { settings, routing, clock } = this.deps;
    if (!(await settings.get('humanService')).enabled) return 'disabled';
    if (!isWithinServiceHours(await settings.get('serviceHours'), clock.now())) return 'unavailable';
    if ((await routing.countOnlineAgents()) === 0) return 'unavailable';
    return null;
  }

  private async onQueued(queued: ConversationRecord): Promise<void> {
    const { conversations, routing, settings, scheduler } = this.deps;
    // A conversation that opens straight into the queue starts its 自动结单 timer here.
    await this.armAutoClose(queued);
    const conversationId = queued.id;
    const conversation = await conversations.requireConversation(conversationId);
    if (conversation.status !== 'queued') return;
    // A no-reply re-route goes back to the head of the queue without prompts or checks.
    if (conversation.reachedHuman && conversation.priority < 0) return this.requestDrain();
    const refusal = await this.refusal();
    if (refusal) {
      const back = await conversations.returnToBot(conversation.id, system, refusal === 'disabled' ? 'human_service_off' : 'unavailable');
      if (back) await this.tellUnavailable(back, refusal);
      return;
    }
    const queue = await settings.get('queue');
    const place = (await routing.queuePosition(conversation.id)) ?? 1;
    const [gaps, online] = await Promise.all([routing.recentAssignmentGapsMs(20), routing.countOnlineAgents()]);
    const eta = estimateWaitMinutes(place - 1, gaps, online);
    // {position} reads as 您前面还有{position}位: the visitors ahead; `queuePosition` is the 1-based place the widget shows.
    await conversations.sendAutomatic(conversation.id, 'system', {
      text: renderQueuePrompt(queue.prompt, { position: place - 1, eta }),
      data: { queuePosition: place, ahead: place - 1, eta },
    });
    if (queue.maxWaitMinutes > 0 && conversation.queuedAt) {
      await scheduler.enqueue(
        routingJobs.queueTimeout,
        { conversationId, queuedAt: new Date(conversation.queuedAt).toISOString() },
        { jobId: timerJobId(routingJobs.queueTimeout, conversationId), delayMs: minutesToMs(this.deps, queue.maxWaitMinutes), replace: true },
      );
    }
    await this.requestDrain();
  }

  private async leaveQueue(conversation: ConversationRecord): Promise<void> {
    const back = await this.deps.conversations.returnToBot(conversation.id, { type: 'visitor', id: conversation.visitorId }, 'exit_keyword');
    if (!back) return;
    await this.deps.conversations.sendAutomatic(conversation.id, 'system', { text: (await this.deps.settings.get('queue')).exitReply });
  }

  /**
   * Human service off → the disabled reply. Otherwise the 留言 form where it is enabled for this
   * channel and the channel can show it, else `fallbackText` (the off-hours reply by default). Told
   * at most once per visitor message.
   */
  async tellUnavailable(conversation: ConversationRecord, refusal: 'disabled' | 'unavailable', fallbackText?: string): Promise<void> {
    const { conversations, settings, clock } = this.deps;
    const notifiedAt = conversation.state.unavailableNoticeAt ? Date.parse(String(conversation.state.unavailableNoticeAt)) : 0;
    const lastVisitor = conversation.lastVisitorMessageAt ? new Date(conversation.lastVisitorMessageAt).getTime() : 0;
    if (notifiedAt && notifiedAt >= lastVisitor && !fallbackText) return;
    // The reply and the note that it was told go in one statement.
    const told = { unavailableNoticeAt: clock.now().toISOString() };
    const reply = (sender: 'bot' | 'system', body: { text: string; data?: Record<string, unknown> }) => conversations.sendAutomaticTo(conversation, sender, body, told);
    if (refusal === 'disabled') {
      await reply('bot', { text: (await settings.get('humanService')).disabledReply });
      return;
    }
    const offline = await settings.get('offlineMessages');
    const channel = await conversations.channel(conversation.channelId);
    const canShowForm = this.deps.capabilitiesOf(channel.type)?.offlineMessageForm === true;
    if (offline.enabled && canShowForm && (offline.channels.length === 0 || offline.channels.includes(channel.id))) {
      await reply('system', { text: offline.prompt, data: { offlineForm: true, requiredFields: offline.requiredFields } });
      return;
    }
    await reply('bot', { text: fallbackText ?? (await settings.get('offHours')).reply });
  }

  private async onAgentMessage(conversation: ConversationRecord): Promise<void> {
    // A no-reply timer left behind after the setting was turned off re-checks the setting and does nothing.
    if ((await this.deps.settings.get('session')).noReplyEnabled) {
      await this.deps.scheduler.cancel(routingJobs.noReply, timerJobId(routingJobs.noReply, conversation.id));
    }
    await this.armAutoClose(conversation);
  }

  /**
   * Arms 自动结单 once per conversation, when it opens; activity does not reschedule it (a BullMQ
   * remove + add on every message would dominate the message path). When it fires it measures from
   * the latest activity (a message or the assignment) and re-arms itself for the rest of the time, so
   * the deadline moves with activity; in the queue it only re-arms. So the timer runs from the first
   * message to the close, and an assignment (a drain assigns thousands at once) has none to add.
   * Activity arms it again in case it was lost (the job id makes that a no-op while the first timer is
   * pending); a timer that re-armed itself under another id may then run beside it, and the two still
   * close the conversation once (see `RoutingTimers.autoClose`).
   */
  async armAutoClose(conversation: Pick<ConversationRecord, 'id' | 'status'>): Promise<void> {
    if (conversation.status === 'closed') return;
    const session = await this.deps.settings.get('session');
    const delayMs = minutesToMs(this.deps, session.autoCloseMinutes);
    // A timer armed here moments ago is certainly still pending: skip the queue round trip.
    const now = Date.now();
    const armedAt = this.armedAt.get(conversation.id);
    if (armedAt !== undefined && now - armedAt < Math.min(30_000, delayMs / 2)) return;
    if (this.armedAt.size > 50_000) this.armedAt.clear();
    this.armedAt.set(conversation.id, now);
    await this.deps.scheduler.enqueue(
      routingJobs.autoClose,
      { conversationId: conversation.id, at: this.deps.clock.now().toISOString() },
      { jobId: timerJobId(routingJobs.autoClose, conversation.id), delayMs: minutesToMs(this.deps, session.autoCloseMinutes) },
    );
  }

  /** Pending timers of a closed conversation are left to fire: each re-checks the state and does nothing. */
  private async onClosed(conversation: ConversationRecord): Promise<void> {
    await this.satisfaction.invite(conversation);
  }
}
