import { describe, it, expect } from 'vitest';
import { decryptCredentials, describeCredentials, encryptCredentials } from '../infra/channel-credentials.ts';

const secret = 'instance-secret-'.padEnd(40, 'x');

describe('channel credentials at rest', () => {
  it('round-trips and never stores the plaintext', () => {
    const stored = encryptCredentials(secret, { corpId: 'ww1', secret: 'top-secret-value' });
    expect(stored).not.toContain('top-secret-value');
    expect(stored.startsWith('v1.')).toBe(true);
    expect(decryptCredentials(secret, stored)).toEqual({ corpId: 'ww1', secret: 'top-secret-value' });
  });

  it('uses a fresh IV each time', () => {
    expect(encryptCredentials(secret, { a: 'b' })).not.toBe(encryptCredentials(secret, { a: 'b' }));
  });

  it('refuses another instance secret and a tampered value', () => {
    const stored = encryptCredentials(secret, { a: 'b' });
    expect(() => decryptCredentials('other-secret'.padEnd(40, 'y'), stored)).toThrow();
    const parts = stored.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => decryptCredentials(secret, [parts[0], parts[1], parts[2], flipped.toString('base64url')].join('.'))).toThrow();
    expect(() => decryptCredentials(secret, 'plain-json')).toThrow(/format/);
  });

  it('treats a missing value as no credentials', () => {
    expect(decryptCredentials(secret, null)).toEqual({});
  });

  it('describes which fields are set without their values', () => {
    expect(describeCredentials({ corpId: 'ww1', secret: '' })).toEqual({ corpId: true, secret: false });
  });
});
