import { ApiError, requestJson } from '../../ui/http.ts';

/** Calls of the admin pages; each returns the server's JSON (see console/server/routes/*-routes.ts). */
const json = (body: unknown): RequestInit => ({ body: JSON.stringify(body) });

export const qs = (params: Record<string, string | number | undefined | null>): string => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const text = search.toString();
  return text ? `?${text}` : '';
};

export const api = {
  get: <T>(url: string) => requestJson<T>(url),
  post: <T>(url: string, body: unknown = {}) => requestJson<T>(url, { method: 'POST', ...json(body) }),
  put: <T>(url: string, body: unknown) => requestJson<T>(url, { method: 'PUT', ...json(body) }),
  patch: <T>(url: string, body: unknown) => requestJson<T>(url, { method: 'PATCH', ...json(body) }),
  delete: async (url: string): Promise<void> => {
    const res = await fetch(url, { method: 'DELETE' });
    if (!res.ok) throw new ApiError('http_error', res.statusText, res.status);
  },
  /** Sends a file's text (an import) as a text body. */
  postText: <T>(url: string, text: string, type = 'text/plain') => requestJson<T>(url, { method: 'POST', body: text, headers: { 'content-type': type } }),
};

/** Lets the browser save a download route's answer (keeps the session cookie). */
export function download(url: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = '';
  a.click();
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
