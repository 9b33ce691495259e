/**
 * Removes U+0000 from every string in a value (objects and arrays walked, other values kept).
 * PostgreSQL cannot store it in text or jsonb and no channel needs it, so inputs drop it at the door.
 */
export function withoutNul<T>(value: T): T {
  // Nearly every input has none: it is then returned as it is, without a copy.
  return hasNul(value) ? strip(value) : value;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (isPlainObject(value)) {
    for (const key in value) if (key.includes('\u0000') || hasNul(value[key])) return true;
  }
  return false;
}

function strip<T>(value: T): T {
  if (typeof value === 'string') return (value.includes('\u0000') ? value.replaceAll('\u0000', '') : value) as T;
  if (Array.isArray(value)) return value.map(strip) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[strip(key)] = strip(item);
    return out as T;
  }
  return value;
}
