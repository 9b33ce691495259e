import { describe, expect, it } from 'vitest';
import { newVisitorKey, signVisitorToken, verifyVisitorToken } from './visitor-token.ts';

const secret = 'x'.repeat(32);

describe('visitor tokens', () => {
  it('round-trips the identity it signed', () => {
    const identity = { channelId: '8d0c6f7e-1111-4222-8333-944455556666', visitorKey: newVisitorKey() };
    expect(verifyVisitorToken(secret, signVisitorToken(secret, identity))).toEqual(identity);
  });

  it('refuses a token whose visitor key was changed', () => {
    const token = signVisitorToken(secret, { channelId: 'c', visitorKey: 'alice' });
    const forged = token.replace('alice', 'mallory');
    expect(() => verifyVisitorToken(secret, forged)).toThrowError(expect.objectContaining({ code: 'unauthenticated' }));
  });

  it('refuses a token signed with another secret and malformed tokens', () => {
    const token = signVisitorToken('y'.repeat(32), { channelId: 'c', visitorKey: 'k' });
    expect(() => verifyVisitorToken(secret, token)).toThrowError(expect.objectContaining({ code: 'unauthenticated' }));
    expect(() => verifyVisitorToken(secret, 'garbage')).toThrowError(expect.objectContaining({ code: 'unauthenticated' }));
    expect(() => verifyVisitorToken(secret, undefined)).toThrowError(expect.objectContaining({ code: 'unauthenticated' }));
  });
});
