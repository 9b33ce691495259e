/**
 * Removes U+0000 from every string in a value (objects and arrays walked, other values kept).
 * PostgreSQL cannot store it in text or jsonb and no channel needs it, so inputs drop it at the door.
 */
export function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return (value.includes('\u0000') ? value.replaceAll('\u0000', '') : value) as T;
  if (Array.isArray(value)) return value.map(withoutNul) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[withoutNul(key)] = withoutNul(item);
    return out as T;
  }
  return value;
}
