import { describe, it, expect } from 'vitest';
import { newClientMessageId } from './ids.ts';

describe('newClientMessageId()', () => {
  it('returns distinct UUID v4 strings the server accepts (8–64 characters)', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newClientMessageId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
