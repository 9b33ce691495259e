import type { Logger } from 'pino';
import type { BusEvent } from '../../core/conversation/bus-events.ts';
import type { ConsoleQueries } from '../../infra/console-queries.ts';
import { SeqGaps } from './seq-gaps.ts';

/** What an API process logs (with the count in `messages`) when it sends messages it has not heard of on the bus. */
export const FILLED_FROM_DATABASE = 'messages not heard on the event bus in time are sent from the database';

/** How often the holes are looked up, and how many at most each time. */
const CHECK_MS = 500;
const CHECK_BATCH = 500;

export interface MissedMessagesDeps {
  queries: Pick<ConsoleQueries, 'latestSeq' | 'messagesWithRoutes'>;
  logger: Logger;
  /** Fans a message out to this process's sockets, as if its event had come. */
  send(event: BusEvent): void;
}

/**
 * Sends the messages whose bus event this API process has not heard in time. Every API process hears
 * every message, so a seq skipped for a while is an event lost (published while Redis restarted, or
 * never, by a process killed between commit and publish), a late one, or a seq no message kept; the
 * database tells which. A late event that still comes is sent again; clients keep each message id once.
 */
export class MissedMessages {
  private readonly gaps = new SeqGaps({ graceMs: 2_000, recheckMs: 15_000, maxHoles: 20_000 });
  private readonly timer: NodeJS.Timeout;
  private checking = false;
  /** Whether the last look-up failed: a database outage is logged once, not every round. */
  private failing = false;
  private closed = false;

  constructor(private readonly deps: MissedMessagesDeps) {
    // What was stored before this process listened is for resuming sockets, not for the gap tracker.
    void deps.queries
      .latestSeq()
      .then((seq) => this.gaps.startAfter(seq))
      .catch(() => undefined);
    this.timer = setInterval(() => void this.check(), CHECK_MS);
    this.timer.unref();
  }

  /** A message event was fanned out by this process. */
  heard(seq: number): void {
    this.gaps.heard(seq, Date.now());
  }

  private async check(): Promise<void> {
    if (this.checking || this.closed) return;
    const seqs = this.gaps.due(Date.now(), CHECK_BATCH);
    if (seqs.length === 0) return;
    this.checking = true;
    try {
      const found = await this.deps.queries.messagesWithRoutes(seqs);
      if (found.length > 0) {
        this.deps.logger.warn({ messages: found.length, firstSeq: found[0]!.message.seq, lastSeq: found.at(-1)!.message.seq }, FILLED_FROM_DATABASE);
      }
      for (const { message, conversation } of found) this.deps.send({ name: 'message.created', conversation, message });
      this.gaps.checked(seqs, new Set(found.map((f) => f.message.seq)), Date.now());
      this.failing = false;
    } catch (error) {
      // Left as they are: looked up again on the next round.
      if (!this.closed && !this.failing) this.deps.logger.warn({ err: error }, 'looking up missed messages failed; trying again every 0.5 s');
      this.failing = true;
    } finally {
      this.checking = false;
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }
}
