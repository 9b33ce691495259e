import type { Context, Next } from 'koa';
import { AppError, isAppError } from '../../core/errors.ts';

export interface ErrorLogger {
  error(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** The one place errors become HTTP: AppError codes map to statuses; anything else is a 500 with no internals. */
export function errorMiddleware(logger: ErrorLogger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError('not_found', { userMessage: `No route for ${ctx.method} ${ctx.path}.` });
      }
    } catch (raw) {
      const error = normalize(raw);
      ctx.status = error.status;
      ctx.body = { error: { code: error.code, message: error.userMessage, ...(error.details ?? {}) } };
      if (error.details?.retryAfter) ctx.set('Retry-After', String(error.details.retryAfter));
      if (error.status >= 500) logger.error({ err: raw, path: ctx.path, method: ctx.method }, 'request failed');
    }
  };
}

function normalize(raw: unknown): AppError {
  if (isAppError(raw)) return raw;
  const e = raw as { status?: number; statusCode?: number; type?: string; message?: string; expose?: boolean };
  const status = e?.status ?? e?.statusCode;
  if (e?.type === 'entity.parse.failed' || (status === 400 && /JSON/i.test(e.message ?? ''))) {
    return new AppError('malformed_json', { userMessage: 'The request body is not valid JSON.', cause: raw });
  }
  if (status === 413 || e?.type === 'entity.too.large') {
    return new AppError('payload_too_large', { userMessage: 'The request body is too large.', cause: raw });
  }
  if (status === 415) return new AppError('unsupported_media_type', { userMessage: 'Unsupported content type.', cause: raw });
  if (status && status >= 400 && status < 500) {
    return new AppError('bad_request', { userMessage: e.expose && e.message ? e.message : 'Bad request.', cause: raw });
  }
  return new AppError('internal', { message: e?.message ?? String(raw), userMessage: 'Something went wrong on the server.', cause: raw });
}
