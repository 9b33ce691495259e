import { AppError } from '../../core/errors.ts';

/** Callbacks older or newer than this are refused; WeChat's three tries fall well inside it. */
export const defaultMaxSkewSeconds = 300;

/** Throws `invalid_signature` when the signed `timestamp` is malformed or outside the window around `now`. */
export function checkTimestamp(timestamp: unknown, now: Date, maxSkewSeconds = defaultMaxSkewSeconds): void {
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) {
    throw new AppError('invalid_signature', { message: 'timestamp missing or malformed' });
  }
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > maxSkewSeconds) {
    throw new AppError('invalid_signature', { message: 'timestamp outside the replay window' });
  }
}
