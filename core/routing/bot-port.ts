/** What the bot knows about the conversation it answers in. */
export interface BotContext {
  conversationId: string;
  channelId: string;
  visitorId: string;
}

/**
 * The bot's answer to one visitor message: `answer` is a confident reply, `suggest` offers close
 * questions (`suggestions`), `fallback` means it has nothing; fallbacks count as misses towards the
 * channel's 转人工 threshold. `text` may be empty for a fallback (the configured fallback reply is used).
 */
export interface BotReply {
  kind: 'answer' | 'suggest' | 'fallback';
  text: string;
  suggestions?: string[];
}

/** The bot behind the routing engine (the knowledge base plugs in here). */
export interface Bot {
  answer(text: string, ctx: BotContext): Promise<BotReply>;
}

/** A bot that knows nothing: every message is a miss, so visitors reach a human after N tries. */
export const silentBot: Bot = {
  async answer() {
    return { kind: 'fallback', text: '' };
  },
};
