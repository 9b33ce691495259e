import type { ConversationDto, MessageDto, WidgetSessionDto } from '../../shared/protocol.ts';
import { fileForm, requestJson } from '../../ui/http.ts';

export interface WidgetOutgoing {
  clientMessageId: string;
  kind: 'text' | 'image';
  text?: string;
  mediaUrl?: string;
}

/**
 * The widget's REST calls against the Kefu server it was loaded from (usually another origin than
 * the page), authenticated by the visitor token rather than cookies.
 */
export class WidgetApi {
  token: string | null = null;

  constructor(readonly origin: string) {}

  createSession(body: { channelId: string; visitorToken?: string; profile?: Record<string, unknown> }): Promise<WidgetSessionDto> {
    return this.#request('/api/widget/session', { method: 'POST', body: JSON.stringify(body) });
  }

  async listMessagesAfter(after: number): Promise<MessageDto[]> {
    return (await this.#request<{ items: MessageDto[] }>(`/api/widget/messages?after=${after}`)).items;
  }

  /** HTTP fallback for sending while the socket is down; idempotent by client message id. */
  async sendMessage(message: WidgetOutgoing): Promise<MessageDto> {
    return (await this.#request<{ message: MessageDto }>('/api/widget/messages', { method: 'POST', body: JSON.stringify(message) })).message;
  }

  uploadImage(file: Blob): Promise<{ url: string; mimeType: string; size: number }> {
    return this.#request('/api/widget/uploads', { method: 'POST', body: fileForm(file) });
  }

  async requestHandoff(): Promise<ConversationDto | null> {
    return (await this.#request<{ conversation?: ConversationDto | null }>('/api/widget/handoff', { method: 'POST' })).conversation ?? null;
  }

  /** Absolute URL for a server path (uploaded media may come back relative). */
  resolve(url: string): string {
    return new URL(url, this.origin).href;
  }

  socketUrl(after: number | null): string {
    const base = this.origin.replace(/^http/, 'ws');
    const query = new URLSearchParams({ token: this.token ?? '' });
    if (after !== null) query.set('after', String(after));
    return `${base}/ws/visitor?${query}`;
  }

  #request<T>(path: string, init: RequestInit = {}): Promise<T> {
    const headers = new Headers(init.headers);
    if (this.token) headers.set('authorization', `Bearer ${this.token}`);
    return requestJson<T>(`${this.origin}${path}`, { ...init, headers, credentials: 'omit' });
  }
}
