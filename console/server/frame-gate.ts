/**
 * Admission control for socket frames: at most `limit` frames are handled at once across the whole
 * process; the rest wait their turn in arrival order. Each socket also stops being read while it has
 * `perClient` frames waiting or running, so a flood is held back by TCP instead of by memory, and
 * the database pool never sees more callers than it can serve.
 */
export class FrameGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private head = 0;

  constructor(readonly limit: number) {}

  get pending(): number {
    return this.running + this.waiting.length - this.head;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      this.next();
    }
  }

  private next(): void {
    if (this.head < this.waiting.length) {
      const wake = this.waiting[this.head++];
      // The slot passes straight to the next waiter; compact the array now and then.
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      wake();
    } else {
      this.running--;
    }
  }
}
