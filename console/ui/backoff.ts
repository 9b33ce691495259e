/** Reconnect pacing shared by the console and the widget sockets. */
export interface BackoffOptions {
  /** Delay before the first retry. */
  baseMs: number;
  /** No delay ever exceeds this. */
  maxMs: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** Spread as a fraction of the delay, so many clients dropped together do not return together (default 0.2). */
  jitter?: number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 500, maxMs: 15_000, factor: 2, jitter: 0.2 };

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential from `baseMs`, randomized by ±`jitter`,
 * never above `maxMs` and never negative.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = defaultBackoff,
  random: () => number = Math.random,
): number {
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? 0.2;
  const raw = Math.min(options.maxMs, options.baseMs * factor ** Math.max(0, attempt));
  const spread = raw * (1 - jitter + random() * 2 * jitter);
  return Math.max(0, Math.min(options.maxMs, Math.round(spread)));
}
