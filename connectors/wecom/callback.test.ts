import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { WecomPeer } from '../../tests/peers/wecom-peer.ts';
import { readWecomCredentials } from './credentials.ts';
import { readWecomCallback, verifyWecomUrl } from './callback.ts';

let peer: WecomPeer;
beforeAll(async () => {
  peer = await WecomPeer.start();
});
afterAll(async () => {
  await peer.close();
});

async function codeOf(run: () => unknown): Promise<string | undefined> {
  try {
    await run();
  } catch (error) {
    return error instanceof AppError ? error.code : `not an AppError: ${String(error)}`;
  }
  return undefined;
}

describe('verifyWecomUrl()', () => {
  it('answers the official verification vector with the plaintext', () => {
    const credentials = { token: 'QDG6eK', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', corpId: 'wx5823bf96d3bd56c7' };
    const query = {
      msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
      timestamp: '1409659589',
      nonce: '263014780',
      echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    };
    expect(verifyWecomUrl(credentials, query, { now: new Date(1409659589 * 1000) })).toBe('1616140317555161061');
  });

  it('answers a verification built by the peer', () => {
    const { query, echo } = peer.buildUrlVerification();
    expect(verifyWecomUrl(readWecomCredentials({ credentials: peer.credentials }), query, { now: new Date(peer.now()) })).toBe(echo);
  });

  it('refuses a replayed verification outside the window', async () => {
    const { query } = peer.buildUrlVerification();
    const later = new Date(peer.now() + 10 * 60 * 1000);
    expect(await codeOf(() => verifyWecomUrl(readWecomCredentials({ credentials: peer.credentials }), query, { now: later }))).toBe(
      'invalid_signature',
    );
  });
});

describe('readWecomCallback()', () => {
  const credentials = () => readWecomCredentials({ credentials: peer.credentials });

  it('reads the sync token and kf account of a kf_msg_or_event callback', () => {
    const { syncToken } = peer.pushVisitorText('wm1', 'hi');
    const { query, body } = peer.buildCallback(syncToken);
    expect(readWecomCallback(credentials(), query, body, { now: new Date(peer.now()) })).toEqual({
      syncToken,
      openKfId: peer.openKfId,
      createTime: Math.floor(peer.now() / 1000),
    });
  });

  it('refuses a body whose signature does not match', async () => {
    const { query, body } = peer.buildCallback('ENC1');
    const forged = { ...query, msg_signature: '0'.repeat(40) };
    expect(await codeOf(() => readWecomCallback(credentials(), forged, body, { now: new Date(peer.now()) }))).toBe('invalid_signature');
  });

  it('refuses a callback for another corp as bad_request', async () => {
    const { query, body } = peer.buildCallback('ENC1');
    const other = { ...credentials(), corpId: 'wwother' };
    expect(await codeOf(() => readWecomCallback(other, query, body, { now: new Date(peer.now()) }))).toBe('bad_request');
  });

  it('refuses XML with entity declarations and bodies without Encrypt', async () => {
    const { query } = peer.buildCallback('ENC1');
    const now = { now: new Date(peer.now()) };
    expect(await codeOf(() => readWecomCallback(credentials(), query, '<!DOCTYPE x [<!ENTITY a "b">]><xml><Encrypt>&a;</Encrypt></xml>', now))).toBe(
      'bad_request',
    );
    expect(await codeOf(() => readWecomCallback(credentials(), query, '<xml><ToUserName>x</ToUserName></xml>', now))).toBe('bad_request');
    expect(await codeOf(() => readWecomCallback(credentials(), {}, '<xml/>', now))).toBe('invalid_signature');
  });
});
