import { api } from './api.ts';

export type QuickReplyScope = 'public' | 'personal';

export interface QuickReply {
  id: string;
  scope: QuickReplyScope;
  categoryId: string | null;
  keyword: string;
  content: string;
}

export interface QuickReplyCategory {
  id: string;
  scope: QuickReplyScope;
  name: string;
}

/** A library's replies, optionally one category's, optionally matching a keyword. */
export async function listQuickReplies(scope: QuickReplyScope, filter: { categoryId?: string; q?: string } = {}): Promise<QuickReply[]> {
  const query = new URLSearchParams({ scope });
  if (filter.categoryId) query.set('categoryId', filter.categoryId);
  if (filter.q) query.set('q', filter.q);
  return (await api<{ items: QuickReply[] }>(`/api/quick-replies?${query}`)).items;
}

export async function listQuickReplyCategories(scope: QuickReplyScope): Promise<QuickReplyCategory[]> {
  return (await api<{ items: QuickReplyCategory[] }>(`/api/quick-reply-categories?scope=${scope}`)).items;
}

/** Both libraries matching a keyword, personal first (an agent's own wording wins). */
export async function searchQuickReplies(q: string): Promise<QuickReply[]> {
  const [personal, shared] = await Promise.all([listQuickReplies('personal', { q }), listQuickReplies('public', { q })]);
  return [...personal, ...shared];
}
