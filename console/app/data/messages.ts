import type { MessageDto } from '../../shared/protocol.ts';
import { api, postJson } from './api.ts';

export const PAGE_SIZE = 50;

/** A page of history in ascending seq: the latest page, or the one just before `before`. */
export async function listMessages(conversationId: string, before?: number): Promise<MessageDto[]> {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (before !== undefined) query.set('before', String(before));
  const path = `/api/conversations/${encodeURIComponent(conversationId)}/messages?${query}`;
  return (await api<{ items: MessageDto[] }>(path)).items;
}

export interface OutgoingMessage {
  clientMessageId: string;
  kind: 'text' | 'image';
  text?: string;
  mediaUrl?: string;
}

/** Sends an agent message; the same `clientMessageId` sent again yields the same stored message. */
export async function sendMessage(conversationId: string, message: OutgoingMessage): Promise<MessageDto> {
  const path = `/api/conversations/${encodeURIComponent(conversationId)}/messages`;
  return (await postJson<{ message: MessageDto }>(path, message)).message;
}
