import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { routingJobs } from '../core/routing/routing-jobs.ts';

const uuid = z.string().uuid();
const instant = z.string().datetime({ offset: true });

/** Every job the workers run, by name, with its payload. Payloads carry ids; handlers reload state. */
export const jobPayloads = {
  [routingJobs.drain]: z.object({}),
  [routingJobs.autoClose]: z.object({ conversationId: uuid, at: instant.optional() }),
  [routingJobs.noReply]: z.object({ conversationId: uuid, since: instant, assigneeId: uuid.nullable() }),
  [routingJobs.queueTimeout]: z.object({ conversationId: uuid, queuedAt: instant }),
  [routingJobs.ratingExpire]: z.object({ conversationId: uuid }),
} as const;

export type JobName = keyof typeof jobPayloads;
export type JobPayload<N extends JobName> = z.infer<(typeof jobPayloads)[N]>;

/** A payload that does not match its schema will never succeed: fail it without retries. */
export function parsePayload<N extends JobName>(name: N, payload: unknown): JobPayload<N> {
  const result = jobPayloads[name].safeParse(payload);
  if (!result.success) throw new UnrecoverableError(`${name}: bad payload: ${result.error.issues[0]?.message}`);
  return result.data as JobPayload<N>;
}
