import { t } from '../../i18n/i18n.ts';
import { ApiError } from '../../ui/http.ts';

export interface Notice {
  kind: 'error' | 'info';
  text: string;
}

/** What the user sees for an error: the server's message, or a generic one for network trouble. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.status === 0 ? t('msg.networkError') : error.message || t('error.generic');
  return t('error.generic');
}
