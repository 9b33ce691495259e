import { requestJson } from '../../ui/http.ts';

/**
 * Every console request goes through here: same-origin with the session cookie, and an
 * `X-Requested-With` header so the server can refuse cross-site form posts.
 */
export function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('x-requested-with', 'kefu-console');
  return requestJson<T>(path, { ...init, headers, credentials: 'same-origin' });
}

export function postJson<T>(path: string, body?: unknown, method = 'POST'): Promise<T> {
  return api<T>(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
}
