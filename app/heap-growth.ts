import v8 from 'node:v8';

/**
 * Fixes how far the V8 heap grows between full collections, as a share of what the last one kept.
 *
 * V8 chooses that share from how fast its recent collections ran against how fast the process
 * allocates. Under a steady load it settles at 10–60%. But on a small server whose cores the
 * database and Redis also want, one collection that was kept waiting reads as a slow collector.
 * V8 then lets the heap reach more than twice its live size before the next one. The network
 * buffers its objects hold pile up outside the heap at the same rate. The process keeps many of
 * those pages after the collection, so its RSS steps up and stays there.
 *
 * A fixed share keeps the heap, and the buffers, within the same bound all the time. The flag is
 * read each time V8 sets its next limit, so setting it after start-up takes effect at the next
 * collection. 0 leaves the choice to V8.
 */
export function fixHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
