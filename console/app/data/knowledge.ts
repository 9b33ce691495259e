import { postJson } from './api.ts';

/** 问题收录: one visitor question and one answer taken from a conversation into the knowledge base. */
export interface KnowledgeCapture {
  question: string;
  answer: string;
  conversationId: string;
  questionMessageId?: string;
  answerMessageId?: string;
}

export async function captureKnowledge(entry: KnowledgeCapture): Promise<void> {
  await postJson('/api/knowledge/capture', entry);
}
