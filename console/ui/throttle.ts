/**
 * A gate that opens at most once per `intervalMs`: used for typing frames, which the server only
 * needs now and then while someone keeps typing.
 */
export function createThrottle(intervalMs: number, now: () => number = Date.now): () => boolean {
  let last = -Infinity;
  return () => {
    const at = now();
    if (at - last < intervalMs) return false;
    last = at;
    return true;
  };
}
