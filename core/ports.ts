import type { BusEvent } from './conversation/bus-events.ts';
import type { DomainEvent } from './conversation/events.ts';

/**
 * Fans domain events out to every process (Redis pub/sub in production, in-process when embedded).
 * Delivery is at-most-once per subscriber; clients recover missed messages by resuming from a cursor.
 * Subscribers get events as JSON would give them (dates as strings), message events with a
 * conversation reference (see `BusEvent`).
 */
export interface EventBus {
  publish(event: DomainEvent): Promise<void>;
  subscribe(handler: (event: BusEvent) => void): () => void;
  /**
   * Called each time the bus (re)connects: events published while it was away were not received here and
   * subscribers that must not miss any (the realtime gateway) catch up from the database.
   */
  onReconnect?(handler: () => void): () => void;
  close(): Promise<void>;
}

export interface ScheduleOptions {
  /** Run after this many milliseconds. */
  delayMs?: number;
  /** Deduplicates: a job with the same id replaces (for timers) or is ignored (for one-shots). */
  jobId?: string;
  /** Replace a pending job with the same id (timers rescheduled on activity). */
  replace?: boolean;
  attempts?: number;
}

/** Background jobs (BullMQ on Redis, or on PostgreSQL when embedded). Payloads carry ids only. */
export interface JobScheduler {
  enqueue(name: string, payload: Record<string, unknown>, options?: ScheduleOptions): Promise<void>;
  cancel(name: string, jobId: string): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
