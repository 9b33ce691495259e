import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { z } from 'zod';
import { isSubscribed, deliveryIdFor, type WebhookEvent } from '../core/webhooks/webhook-events.ts';
import { SIGNATURE_HEADER, signPayload } from '../core/webhooks/webhook-signing.ts';
import type { JobQueues } from '../infra/job-queue.ts';
import type { PrismaClient } from '../prisma/generated/client.ts';
import type { WebhookDirectory } from './webhook-directory.ts';

export const WEBHOOK_DELIVER_JOB = 'webhook-deliver';
export const webhookDeliverPayload = z.object({ deliveryId: z.string().uuid() });

/** Seven retries after the first try: with a 30 s base the last one is about an hour after the event. */
export const WEBHOOK_ATTEMPTS = 8;

export interface WebhookDeps {
  prisma: PrismaClient;
  /** The enabled webhooks every event is matched against. */
  directory: WebhookDirectory;
  jobs: JobQueues;
  logger: Logger;
  /** First retry delay; doubles on each attempt. */
  backoffMs: number;
  timeoutMs?: number;
}

/** Queues one delivery job; the job id is the delivery id, so a queued delivery is never doubled. */
export async function enqueueDelivery(deps: Pick<WebhookDeps, 'jobs' | 'backoffMs'>, deliveryId: string): Promise<void> {
  await deps.jobs.queue(WEBHOOK_DELIVER_JOB).add(
    WEBHOOK_DELIVER_JOB,
    { deliveryId },
    {
      jobId: `webhook-${deliveryId}`,
      attempts: WEBHOOK_ATTEMPTS,
      backoff: { type: 'exponential', delay: deps.backoffMs },
      removeOnComplete: true,
      removeOnFail: { count: 1000 },
    },
  );
}

/**
 * Records one delivery per enabled webhook subscribed to the event and queues it. The delivery id is
 * derived from webhook and event, so when several processes see the same event only one row exists
 * and only its creator queues it.
 */
export async function fanOutWebhookEvent(deps: WebhookDeps, event: WebhookEvent): Promise<number> {
  const hooks = await deps.directory.enabled();
  let queued = 0;
  for (const hook of hooks) {
    if (!isSubscribed(hook.events, event.event)) continue;
    const id = deliveryIdFor(hook.id, event.key);
    const created = await deps.prisma.webhookDelivery.createMany({
      data: [{ id, webhookId: hook.id, event: event.event, payload: { event: event.event, occurredAt: event.occurredAt, data: event.data } as never }],
      skipDuplicates: true,
    });
    if (created.count === 0) continue;
    await enqueueDelivery(deps, id);
    queued += 1;
  }
  return queued;
}

/** Copies a past delivery into a new one and queues it (the console's "replay"). */
export async function replayDelivery(deps: WebhookDeps, deliveryId: string): Promise<string | null> {
  const past = await deps.prisma.webhookDelivery.findUnique({ where: { id: deliveryId } });
  if (!past) return null;
  const copy = await deps.prisma.webhookDelivery.create({ data: { webhookId: past.webhookId, event: past.event, payload: past.payload as never } });
  await enqueueDelivery(deps, copy.id);
  return copy.id;
}

/**
 * One attempt: POST the JSON body signed with the webhook's secret; record the response; a non-2xx
 * or a network error throws so BullMQ retries with backoff.
 */
export async function deliverWebhook(deps: WebhookDeps, payload: unknown, job: Pick<Job, 'attemptsMade' | 'opts'>): Promise<void> {
  const parsed = webhookDeliverPayload.safeParse(payload);
  if (!parsed.success) throw new UnrecoverableError('webhook-deliver: bad payload');
  const delivery = await deps.prisma.webhookDelivery.findUnique({ where: { id: parsed.data.deliveryId }, include: { webhook: true } });
  if (!delivery) throw new UnrecoverableError('webhook delivery no longer exists');
  if (delivery.status === 'delivered') return;
  if (!delivery.webhook.enabled) {
    await deps.prisma.webhookDelivery.update({ where: { id: delivery.id }, data: { status: 'cancelled' } });
    return;
  }
  const stored = delivery.payload as { event: string; occurredAt: string; data: unknown };
  const body = JSON.stringify({ id: delivery.id, event: stored.event, occurredAt: stored.occurredAt, data: stored.data });
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  let status: number | null = null;
  let responseBody: string;
  try {
    const res = await fetch(delivery.webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Kefu-Webhook/1',
        'x-kefu-event': stored.event,
        'x-kefu-delivery': delivery.id,
        [SIGNATURE_HEADER]: signPayload(delivery.webhook.secret, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
    });
    status = res.status;
    responseBody = (await res.text().catch(() => '')).slice(0, 2000);
  } catch (error) {
    responseBody = `request failed: ${(error as Error).message}`.slice(0, 2000);
  }
  const ok = status !== null && status >= 200 && status < 300;
  await deps.prisma.webhookDelivery.update({
    where: { id: delivery.id },
    data: { attempts: { increment: 1 }, responseStatus: status, responseBody, status: ok ? 'delivered' : lastAttempt ? 'failed' : 'retrying' },
  });
  if (!ok) {
    deps.logger.info({ webhookId: delivery.webhookId, deliveryId: delivery.id, status, attempt: job.attemptsMade + 1 }, 'webhook delivery refused; will retry unless this was the last attempt');
    throw new Error(`webhook ${delivery.webhookId} answered ${status ?? 'nothing'}`);
  }
}
