import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { WechatMpPeer } from '../../tests/peers/wechat-mp-peer.ts';
import { readMpCallback, verifyMpUrl } from './callback.ts';
import { readMpCredentials } from './credentials.ts';
import { normalizeMpMessage } from './normalize.ts';

let peer: WechatMpPeer;
beforeAll(async () => {
  peer = await WechatMpPeer.start();
});
afterAll(async () => {
  await peer.close();
});

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof AppError ? error.code : `not an AppError: ${String(error)}`;
  }
  return undefined;
}

describe('verifyMpUrl()', () => {
  it('answers the official GET vector with echostr unchanged', () => {
    const query = { signature: 'f464b24fc39322e44b38aa78f5edd27bd1441696', timestamp: '1714036504', nonce: '1514711492', echostr: '4375120948345356249' };
    expect(verifyMpUrl({ token: 'AAAAA' }, query, { now: new Date(1714036504 * 1000) })).toBe('4375120948345356249');
    expect(codeOf(() => verifyMpUrl({ token: 'BBBBB' }, query, { now: new Date(1714036504 * 1000) }))).toBe('invalid_signature');
  });
});

describe('readMpCallback()', () => {
  it('decrypts the official OA vector in compatible mode', () => {
    const credentials = readMpCredentials({
      credentials: { appId: 'wx2c2769f8efd9abc2', appSecret: 's', token: 'spamtest', encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', mode: 'compatible' },
    });
    const encrypt =
      'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=';
    const query = { timestamp: '1409735669', nonce: '1320562132', msg_signature: '5d197aaffba7e9b25a30732f161a50dee96bd5fa', encrypt_type: 'aes' };
    const result = readMpCallback(credentials, query, `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`, {
      now: new Date(1409735669 * 1000),
    });
    expect(result.encrypted).toBe(true);
    expect(result.fields).toMatchObject({ FromUserName: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs', Content: 'abcdteT', MsgId: '6054768590064713728' });
  });

  for (const mode of ['plain', 'compatible', 'safe'] as const) {
    it(`reads a visitor text in ${mode} mode into a normalizable message`, () => {
      const { query, body, msgId } = peer.userSendsText('o_visitor', '转人工', mode);
      const result = readMpCallback(readMpCredentials({ credentials: peer.credentials(mode) }), query, body, { now: new Date(peer.now()) });
      expect(result.encrypted).toBe(mode !== 'plain');
      expect(normalizeMpMessage(result.fields, { channelId: 'mp', receivedAt: new Date() })).toMatchObject({
        channelMessageId: msgId,
        kind: 'text',
        text: '转人工',
        visitor: { externalId: 'o_visitor' },
      });
    });
  }

  it('refuses a plaintext body in safe mode', () => {
    const { query, body } = peer.userSendsText('o1', 'x', 'plain');
    expect(codeOf(() => readMpCallback(readMpCredentials({ credentials: peer.credentials('safe') }), query, body, { now: new Date(peer.now()) }))).toBe(
      'bad_request',
    );
  });

  it('refuses a forged signature in plain and safe mode', () => {
    const plain = peer.userSendsText('o1', 'x', 'plain');
    const safe = peer.userSendsText('o1', 'x', 'safe');
    const now = { now: new Date(peer.now()) };
    expect(codeOf(() => readMpCallback(readMpCredentials({ credentials: peer.credentials('plain') }), { ...plain.query, signature: 'f'.repeat(40) }, plain.body, now))).toBe(
      'invalid_signature',
    );
    expect(codeOf(() => readMpCallback(readMpCredentials({ credentials: peer.credentials('safe') }), { ...safe.query, msg_signature: 'f'.repeat(40) }, safe.body, now))).toBe(
      'invalid_signature',
    );
  });

  it('refuses a replay outside the timestamp window', () => {
    const { query, body } = peer.userSendsText('o1', 'x', 'safe');
    const later = { now: new Date(peer.now() + 6 * 60 * 1000) };
    expect(codeOf(() => readMpCallback(readMpCredentials({ credentials: peer.credentials('safe') }), query, body, later))).toBe('invalid_signature');
  });

  it('reads a subscribe event for the greeting', () => {
    const { query, body } = peer.userSubscribes('o2', 'safe', 'qrscene_42');
    const { fields } = readMpCallback(readMpCredentials({ credentials: peer.credentials('safe') }), query, body, { now: new Date(peer.now()) });
    expect(normalizeMpMessage(fields, { channelId: 'mp', receivedAt: new Date() })?.event).toEqual({
      name: 'subscribe',
      data: { EventKey: 'qrscene_42' },
    });
  });
});
