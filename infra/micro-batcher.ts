/**
 * Group commit for a hot statement: calls that arrive while earlier batches are in flight wait and
 * go together as one batch, so a burst of N calls costs a few statements instead of N. Under light
 * load a call goes alone at once, so it waits for nothing.
 *
 * Items with the same key never share a batch and never overlap in flight: the second waits until
 * the first is done, so their rows are written in the order the calls came (one visitor's
 * messages, one conversation's appends). When a batch fails as a whole, each of its items is run
 * alone, so one bad item fails only its own caller.
 */
export interface MicroBatcherOptions<In, Out> {
  /** Runs one batch; returns one result per item, in the items' order. */
  runBatch(items: In[]): Promise<Out[]>;
  /** Runs one item alone: used when its batch failed as a whole. */
  runOne(item: In): Promise<Out>;
  keyOf(item: In): string;
  maxBatch?: number;
  maxInFlight?: number;
}

interface Waiting<In, Out> {
  item: In;
  key: string;
  resolve(value: Out): void;
  reject(error: unknown): void;
}

export class MicroBatcher<In, Out> {
  private waiting: Waiting<In, Out>[] = [];
  private readonly busyKeys = new Set<string>();
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(private readonly options: MicroBatcherOptions<In, Out>) {
    this.maxBatch = options.maxBatch ?? 256;
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.waiting.push({ item, key: this.options.keyOf(item), resolve, reject });
      this.pump();
    });
  }

  /** Calls waiting for a batch (for metrics and tests). */
  get backlog(): number {
    return this.waiting.length;
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.take();
      if (batch.length === 0) return;
      this.inFlight++;
      void this.run(batch).finally(() => {
        for (const entry of batch) this.busyKeys.delete(entry.key);
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** The oldest waiting call of each key not already in flight, up to maxBatch, in arrival order. */
  private take(): Waiting<In, Out>[] {
    const batch: Waiting<In, Out>[] = [];
    const rest: Waiting<In, Out>[] = [];
    const keysInBatch = new Set<string>();
    for (const entry of this.waiting) {
      if (batch.length < this.maxBatch && !this.busyKeys.has(entry.key) && !keysInBatch.has(entry.key)) {
        batch.push(entry);
        keysInBatch.add(entry.key);
      } else {
        rest.push(entry);
      }
    }
    // A key skipped now must stay behind its earlier calls: later calls of a key in the batch wait too.
    this.waiting = rest;
    for (const key of keysInBatch) this.busyKeys.add(key);
    return batch;
  }

  private async run(batch: Waiting<In, Out>[]): Promise<void> {
    if (batch.length === 1) {
      const [only] = batch;
      await this.options.runOne(only.item).then(only.resolve, only.reject);
      return;
    }
    let results: Out[];
    try {
      results = await this.options.runBatch(batch.map((entry) => entry.item));
    } catch {
      for (const entry of batch) await this.options.runOne(entry.item).then(entry.resolve, entry.reject);
      return;
    }
    batch.forEach((entry, i) => entry.resolve(results[i]));
  }
}
