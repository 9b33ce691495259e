/** Default queue prompt (排队提示语); `{position}` and `{eta}` are filled by `renderQueuePrompt`. */
export const defaultQueuePrompt = '您前面还有{position}位，预计等待{eta}分钟';

/** Minutes one place in the queue is assumed to take per agent when there is no history yet. */
export const defaultMinutesPerPosition = 3;

const msPerMinute = 60_000;

/**
 * Estimated wait in whole minutes for a visitor with `position` visitors ahead (0 = next in line).
 *
 * `recentWaitsMs` are recent waits per position served: how long the queue took to move one place,
 * e.g. the gaps between successive pick-ups from the queue. They already reflect how many agents were
 * serving, so the median of them is used as is; the median keeps a few stuck or instant pick-ups from
 * swinging the estimate. Non-finite and negative samples are ignored. Without history each place
 * takes `defaultMinutesPerPosition` divided among `onlineAgents` (at least one is assumed). The
 * result is rounded up to whole minutes and never below 1.
 */
export function estimateWaitMinutes(position: number, recentWaitsMs: number[], onlineAgents: number): number {
  const places = Math.max(0, Math.floor(Number.isFinite(position) ? position : 0)) + 1;
  const samples = recentWaitsMs.filter((ms) => Number.isFinite(ms) && ms >= 0);
  const perPlaceMs =
    samples.length > 0
      ? medianOf(samples)
      : (defaultMinutesPerPosition * msPerMinute) / Math.max(1, Math.floor(Number.isFinite(onlineAgents) ? onlineAgents : 1));
  return Math.max(1, Math.ceil((perPlaceMs * places) / msPerMinute));
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Fills `{position}` and `{eta}` wherever they occur in an admin-edited prompt; any other text,
 * braces included, is left as written.
 */
export function renderQueuePrompt(template: string, vars: { position: number; eta: number }): string {
  return template.replaceAll('{position}', String(vars.position)).replaceAll('{eta}', String(vars.eta));
}
