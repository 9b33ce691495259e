import type { Bot } from '../core/routing/bot-port.ts';
import { createKnowledgeBot } from '../core/knowledge/knowledge-bot.ts';
import { KnowledgeService } from '../core/knowledge/knowledge-service.ts';
import { isLlmUsable, LLM_SETTINGS_KEY, LlmAnswerer, parseLlmSettings, type LlmSettings } from '../core/knowledge/llm-answerer.ts';
import { learnFromAgentReply, suggestAnswers } from '../core/knowledge/smart-assist.ts';
import { SettingsService } from '../core/settings/settings-service.ts';
import { knowledgeRoutes } from '../console/server/routes/knowledge-routes.ts';
import type { AppContext } from '../console/server/app-context.ts';
import { PrismaKnowledgeStore } from '../infra/knowledge-store.ts';
import { PrismaSettingsStore } from '../infra/settings-store.ts';
import type { Feature, FeatureContext } from './features.ts';

const services = new WeakMap<AppContext, { service: KnowledgeService; store: PrismaKnowledgeStore; llm: () => Promise<LlmSettings> }>();

/** How long the LLM settings are reused before the next read; a change applies within this time. */
const LLM_SETTINGS_TTL_MS = 30_000;

/** Reads settings key 'knowledge.llm' (with defaults: off), cached briefly. */
function llmSettingsReader(app: AppContext): { read: () => Promise<LlmSettings>; invalidate: () => void } {
  let cached: { value: LlmSettings; at: number } | undefined;
  return {
    async read() {
      if (cached && Date.now() - cached.at < LLM_SETTINGS_TTL_MS) return cached.value;
      const row = await app.prisma.setting.findUnique({ where: { key: LLM_SETTINGS_KEY } });
      cached = { value: parseLlmSettings(row?.value), at: Date.now() };
      return cached.value;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

/**
 * 知识库 as a Feature: the in-memory index kept current in every process, the admin and agent
 * routes, smart assist (智能辅助) pushed to the serving agent for each visitor message, and the
 * learning loop from agent replies. The bot itself plugs into routing through `knowledgeBot`.
 */
export const knowledgeFeature: Feature = {
  name: 'knowledge',
  async install({ app, onEvent }) {
    const settings = new SettingsService(new PrismaSettingsStore(app.prisma));
    const store = new PrismaKnowledgeStore(app.prisma, app.db.sql);
    const service = new KnowledgeService({
      store,
      bus: app.bus,
      botSettings: () => settings.get('bot'),
      onError: (error) => app.logger.warn({ err: error }, 'knowledge index reload failed; the item stays as it was until its next change'),
    });
    await service.start();
    const llmSettings = llmSettingsReader(app);
    services.set(app, { service, store, llm: llmSettings.read });
    const unsubscribe = app.bus.subscribe((event) => {
      if (event.name === 'notice' && event.kind === 'settings.updated' && event.payload.key === 'bot') settings.invalidate('bot');
      if (event.name === 'notice' && event.kind === 'settings.updated' && event.payload.key === LLM_SETTINGS_KEY) llmSettings.invalidate();
    });

    // Local events only: exactly one process (the one that stored the message) reacts.
    onEvent(async (event) => {
      if (event.name !== 'message.created' || event.message.kind !== 'text' || !event.message.content) return;
      const { conversation, message } = event;
      if (conversation.status !== 'assigned' || !conversation.assigneeId) return;
      try {
        if (message.sender === 'visitor') {
          const suggestions = await suggestAnswers(service, message.content!);
          if (suggestions.length > 0) await app.bus.publish({ name: 'assist.suggested', conversation, suggestions });
        } else if (message.sender === 'agent') {
          const visitorQuestion = await store.lastVisitorQuestion(conversation.id, message.seq);
          const learned = await learnFromAgentReply(service, { agentText: message.content!, visitorQuestion });
          if (learned.length > 0) app.logger.info({ conversationId: conversation.id, learned }, 'knowledge base learned a phrasing');
        }
      } catch (error) {
        // Assist and learning are extras: a failure must not fail the message that triggered them.
        app.logger.warn({ err: error, conversationId: conversation.id }, 'smart assist or learning failed for a message');
      }
    });

    app.extraRoutes.push(knowledgeRoutes(service, store));
    return {
      async close() {
        unsubscribe();
        service.close();
        services.delete(app);
      },
    };
  },
};

/**
 * The routing `Bot` backed by this process's knowledge base: pass it as `routingFeature({ bot:
 * knowledgeBot })`. It finds the service when it answers, so the features may install in any
 * order; without the knowledge feature every message is a miss.
 */
export function knowledgeBot(ctx: FeatureContext): Bot {
  const resolved = () => services.get(ctx.app);
  // One answerer per settings value, so its embedding cache lives as long as the settings do.
  let memo: { settings: LlmSettings; answerer: LlmAnswerer } | undefined;
  return {
    async answer(text, botContext) {
      const installed = resolved();
      if (!installed) return { kind: 'fallback', text: '' };
      const { service, store, llm } = installed;
      const settings = await llm();
      if (memo?.settings !== settings) memo = undefined;
      const answerer = !isLlmUsable(settings)
        ? undefined
        : (memo ??= {
            settings,
            answerer: new LlmAnswerer({
            settings,
            search: (query, limit) => service.search(query, limit),
            fallback: { answer: (query, answerCtx) => service.answer(query, answerCtx.channelId) },
            onError: (error) => ctx.app.logger.warn({ err: error }, 'llm answerer failed; answered from the knowledge base'),
          }),
          }).answerer;
      const bot = createKnowledgeBot(service, {
        answerer,
        lastSuggestions: (conversationId) => store.lastSuggestions(conversationId),
        recordReply: (conversationId, data) =>
          store.recordBotReply(conversationId, data).catch((error) => ctx.app.logger.warn({ err: error, conversationId }, 'bot reply statistics not recorded')),
      });
      return bot.answer(text, botContext);
    },
  };
}
