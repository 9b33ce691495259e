/**
 * The one error type of Kefu. Every refusal a client can see is an AppError with a stable `code`;
 * the HTTP layer maps the code to a status through `statusOf`, shows `userMessage` to the client and
 * logs everything else.
 */
export const errorStatus = {
  bad_request: 400,
  validation_failed: 400,
  malformed_json: 400,
  message_too_long: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  unauthenticated: 401,
  invalid_credentials: 401,
  invalid_signature: 401,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  conversation_not_found: 404,
  channel_not_found: 404,
  conflict: 409,
  invalid_transition: 409,
  agent_unavailable: 409,
  over_limit: 409,
  already_rated: 409,
  reply_window_closed: 422,
  message_quota_exceeded: 422,
  channel_disabled: 422,
  rate_limited: 429,
  delivery_failed: 502,
  service_unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface AppErrorOptions {
  /** Detail for logs; may name internals. */
  message?: string;
  /** What a client sees; readable, no internals. Defaults to `message`. */
  userMessage?: string;
  /** Extra machine-readable fields returned with the error (e.g. `retryAfter`, `field`). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(options.message ?? options.userMessage ?? code, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.userMessage = options.userMessage ?? options.message ?? code;
    this.details = options.details;
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
