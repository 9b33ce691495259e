/** Job names of the routing engine; payloads are listed with their schemas in workers/jobs.ts. */
export const routingJobs = {
  drain: 'assignment-drain',
  autoClose: 'auto-close',
  noReply: 'no-reply',
  queueTimeout: 'queue-timeout',
  ratingExpire: 'rating-expire',
} as const;

/** One pending drain at a time across every process. */
export const drainJobId = 'assignment-drain';

/** Timer job ids are keyed by conversation (`auto-close-${id}`), so activity replaces the pending one. */
export function timerJobId(name: (typeof routingJobs)[Exclude<keyof typeof routingJobs, 'drain'>], conversationId: string): string {
  return `${name}-${conversationId}`;
}
