import type { ConversationDto } from '../../shared/protocol.ts';
import { api, postJson } from './api.ts';

export type ConversationView = 'all' | 'mine' | 'queue';

export async function listConversations(view: ConversationView): Promise<ConversationDto[]> {
  return (await api<{ items: ConversationDto[] }>(`/api/conversations?view=${view}`)).items;
}

export async function getConversation(id: string): Promise<ConversationDto> {
  return (await api<{ conversation: ConversationDto }>(`/api/conversations/${encodeURIComponent(id)}`)).conversation;
}

/** Takes a queued conversation (接入); answers the updated conversation when the server returns it. */
export async function pickConversation(id: string): Promise<ConversationDto | null> {
  const result = await postJson<{ conversation?: ConversationDto } | null>(`/api/conversations/${encodeURIComponent(id)}/pick`);
  return result?.conversation ?? null;
}

export async function closeConversation(id: string): Promise<ConversationDto | null> {
  const result = await postJson<{ conversation?: ConversationDto } | null>(`/api/conversations/${encodeURIComponent(id)}/close`);
  return result?.conversation ?? null;
}

/** Clears the unread count of a conversation the agent has open. */
export async function markConversationRead(id: string): Promise<void> {
  await postJson(`/api/conversations/${encodeURIComponent(id)}/read`);
}

/** 转接: hands the conversation with its history to another online agent. */
export async function transferConversation(id: string, agentId: string, note?: string): Promise<ConversationDto | null> {
  const result = await postJson<{ conversation?: ConversationDto } | null>(`/api/conversations/${encodeURIComponent(id)}/transfer`, { agentId, note });
  return result?.conversation ?? null;
}

/** Admin: gives a queued conversation to an agent. */
export async function assignConversation(id: string, agentId: string): Promise<ConversationDto | null> {
  const result = await postJson<{ conversation?: ConversationDto } | null>(`/api/conversations/${encodeURIComponent(id)}/assign`, { agentId });
  return result?.conversation ?? null;
}
