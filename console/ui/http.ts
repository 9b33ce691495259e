/**
 * JSON over fetch for both clients. A non-2xx answer becomes an `ApiError` carrying the server's
 * stable `code` and user-facing message (`{error: {code, message}}`); a request that never got an
 * answer becomes an `ApiError` with code `network` and status 0, which callers treat as retryable.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True when the request may not have reached the server, so the same idempotent request may be sent again. */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429;
  }
}

export async function requestJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.body !== undefined && !(init.body instanceof FormData) && !headers.has('content-type')) {
    headers.set('content-type', 'application/json');
  }
  headers.set('accept', 'application/json');
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers });
  } catch (cause) {
    throw new ApiError('network', cause instanceof Error ? cause.message : String(cause), 0);
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(error?.code ?? 'http_error', error?.message ?? response.statusText, response.status);
  }
  return body as T;
}

/** Builds a multipart body with the file in field `file`, as the upload routes expect. */
export function fileForm(file: Blob, name = 'image'): FormData {
  const form = new FormData();
  form.append('file', file, file instanceof File ? file.name : name);
  return form;
}
