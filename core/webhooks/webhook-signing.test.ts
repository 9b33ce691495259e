import { describe, expect, it } from 'vitest';
import { computeSignature, signPayload, verifySignature } from './webhook-signing.ts';

describe('webhook signing', () => {
  const body = JSON.stringify({ event: 'message.created', data: { text: '你好' } });

  it('verifies a header it produced', () => {
    const header = signPayload('s3cret', body, 1_700_000_000);
    expect(verifySignature('s3cret', header, body, { now: 1_700_000_010 })).toBe(true);
  });

  it('signs timestamp and body together', () => {
    expect(computeSignature('k', 1, 'a')).not.toBe(computeSignature('k', 2, 'a'));
    expect(computeSignature('k', 1, 'a')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a changed body, a wrong secret, a missing header and a stale timestamp', () => {
    const header = signPayload('s3cret', body, 1_700_000_000);
    expect(verifySignature('s3cret', header, body + ' ', { now: 1_700_000_000 })).toBe(false);
    expect(verifySignature('other', header, body, { now: 1_700_000_000 })).toBe(false);
    expect(verifySignature('s3cret', undefined, body)).toBe(false);
    expect(verifySignature('s3cret', header, body, { now: 1_700_000_000 + 301 })).toBe(false);
  });

  it('accepts any matching v1 value so secrets can rotate', () => {
    const t = 1_700_000_000;
    const header = `t=${t},v1=${'0'.repeat(64)},v1=${computeSignature('new', t, body)}`;
    expect(verifySignature('new', header, body, { now: t })).toBe(true);
  });
});
