import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { WechatMpPeer } from '../../tests/peers/wechat-mp-peer.ts';
import { WechatApiError } from '../wechat-common/errcodes.ts';
import { MemoryTokenCache } from '../wechat-common/token-cache.ts';
import { MpApiClient } from './api-client.ts';

let peer: WechatMpPeer;
let cache: MemoryTokenCache;
let client: MpApiClient;

beforeEach(async () => {
  peer = await WechatMpPeer.start();
  cache = new MemoryTokenCache();
  client = new MpApiClient({ appId: peer.appId, appSecret: peer.appSecret, tokenCache: cache, apiBase: peer.baseUrl });
});

afterEach(async () => {
  await peer.close();
});

async function errorOf(promise: Promise<unknown>): Promise<WechatApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WechatApiError) return error;
    throw error;
  }
  throw new Error('expected a WechatApiError');
}

describe('MpApiClient', () => {
  it('takes its token from stable_token once and reuses it', async () => {
    peer.recordInteraction('o1');
    await client.sendCustomMessage('o1', { msgtype: 'text', text: { content: 'a' } });
    await client.sendCustomMessage('o1', { msgtype: 'text', text: { content: 'b' } });
    expect(peer.calls.filter((path) => path === '/cgi-bin/stable_token')).toHaveLength(1);
    expect(peer.sent.map((message) => message.body.text)).toEqual([{ content: 'a' }, { content: 'b' }]);
  });

  it('refreshes an expired token (42001) and retries once', async () => {
    peer.recordInteraction('o1');
    await client.getAccessToken();
    peer.expireTokens();
    await client.sendCustomMessage('o1', { msgtype: 'text', text: { content: 'a' } });
    expect(peer.tokensIssued).toBe(2);
    expect(peer.sent).toHaveLength(1);
  });

  it('forces a new stable token when the platform calls the current one invalid (40001)', async () => {
    peer.recordInteraction('o1');
    const first = await client.getAccessToken();
    peer.failNext('/cgi-bin/message/custom/send', 40001);
    await client.sendCustomMessage('o1', { msgtype: 'text', text: { content: 'a' } });
    expect(await client.getAccessToken()).not.toBe(first);
    expect(peer.tokensIssued).toBe(2);
  });

  it('reports a send outside the 48-hour window as 45015', async () => {
    peer.recordInteraction('o1');
    peer.advance(48 * 3600 * 1000 + 1000);
    expect((await errorOf(client.sendCustomMessage('o1', { msgtype: 'text', text: { content: 'a' } }))).errcode).toBe(45015);
  });

  it('shows typing once and refuses a second Typing while active', async () => {
    peer.recordInteraction('o1');
    await client.setTyping('o1', true);
    expect((await errorOf(client.setTyping('o1', true))).errcode).toBe(45081);
    await client.setTyping('o1', false);
    expect(peer.typing).toEqual([
      { touser: 'o1', command: 'Typing' },
      { touser: 'o1', command: 'CancelTyping' },
    ]);
  });

  it('uploads media and downloads the same bytes', async () => {
    const data = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
    const { mediaId } = await client.uploadMedia('image', { data, filename: 'a.jpg', mimeType: 'image/jpeg' });
    expect(Array.from((await client.getMedia(mediaId)).data)).toEqual(Array.from(data));
    expect((await errorOf(client.getMedia('nope'))).errcode).toBe(40007);
  });

  it('reports a wrong secret as a token-stage refusal', async () => {
    const wrong = new MpApiClient({ appId: peer.appId, appSecret: 'x', tokenCache: cache, apiBase: peer.baseUrl });
    expect(await errorOf(wrong.getAccessToken())).toMatchObject({ errcode: 40125, stage: 'token' });
  });
});
