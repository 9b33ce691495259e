/**
 * The message seqs one API process has heard of on the bus, and the holes between them.
 *
 * Every message takes the next value of one sequence, and every API process hears every message
 * event. A seq not heard of a while after a later one is a message whose event never came (published
 * while the bus was away, or by a process that died between commit and publish), or a seq no message
 * kept (an insert rolled back, a repeated channel message refused). `MissedMessages` asks the
 * database which: the first kind is fanned out late, the second forgotten.
 *
 * A hole found empty is asked about once more, `recheckMs` later: a transaction can commit well after
 * it took its seq (a slow database, a restart in between).
 */
export class SeqGaps {
  private highest = 0;
  /** Holes waiting for their first check, by seq, with the time they were noticed (insertion order is time order). */
  private readonly fresh = new Map<number, number>();
  /** Holes found empty once, with the time of that check. */
  private readonly rechecks = new Map<number, number>();

  constructor(
    private readonly options: { graceMs: number; recheckMs: number; maxHoles: number },
  ) {}

  get holes(): number {
    return this.fresh.size + this.rechecks.size;
  }

  /**
   * Messages up to `seq` are none of this tracker's business: they were stored before this process
   * listened (its sockets catch up by resuming). Without it the first seq heard starts the tracking, and
   * an older event still on its way would leave the holes behind it to be looked up.
   */
  startAfter(seq: number): void {
    if (seq > this.highest) this.highest = seq;
    for (const map of [this.fresh, this.rechecks]) for (const hole of map.keys()) if (hole <= seq) map.delete(hole);
  }

  /** A message event was heard (fanned out by this process). */
  heard(seq: number, now: number): void {
    if (this.highest === 0) {
      this.highest = seq;
      return;
    }
    if (seq <= this.highest) {
      this.fresh.delete(seq);
      this.rechecks.delete(seq);
      return;
    }
    // A jump past what can be tracked keeps only its newest holes.
    for (let s = Math.max(this.highest + 1, seq - this.options.maxHoles); s < seq; s++) this.fresh.set(s, now);
    this.highest = seq;
    trim(this.fresh, this.options.maxHoles);
  }

  /** Holes due for a check now, at most `limit`; they stay tracked until `checked` says what was found. */
  due(now: number, limit: number): number[] {
    const seqs: number[] = [];
    for (const [map, waitMs] of [[this.rechecks, this.options.recheckMs], [this.fresh, this.options.graceMs]] as const) {
      for (const [seq, at] of map) {
        if (seqs.length >= limit || now - at < waitMs) break;
        seqs.push(seq);
      }
    }
    return seqs;
  }

  /** The database was asked about `seqs`; `found` are those it had (now fanned out). */
  checked(seqs: number[], found: Set<number>, now: number): void {
    for (const seq of seqs) {
      if (this.rechecks.delete(seq)) continue;
      if (this.fresh.delete(seq) && !found.has(seq)) this.rechecks.set(seq, now);
    }
    trim(this.rechecks, this.options.maxHoles);
  }
}

/** Drops the oldest entries past `max`. */
function trim(map: Map<number, number>, max: number): void {
  if (map.size <= max) return;
  for (const seq of map.keys()) {
    if (map.size <= max) return;
    map.delete(seq);
  }
}
