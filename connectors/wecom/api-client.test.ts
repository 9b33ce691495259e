import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { WecomPeer } from '../../tests/peers/wecom-peer.ts';
import { WechatApiError } from '../wechat-common/errcodes.ts';
import { MemoryTokenCache } from '../wechat-common/token-cache.ts';
import { WecomApiClient } from './api-client.ts';
import { normalizeKfMessages } from './normalize.ts';

let peer: WecomPeer;
let client: WecomApiClient;
let cache: MemoryTokenCache;

beforeEach(async () => {
  peer = await WecomPeer.start();
  cache = new MemoryTokenCache();
  client = new WecomApiClient({ corpId: peer.corpId, secret: peer.secret, tokenCache: cache, apiBase: peer.baseUrl });
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

describe('WecomApiClient access token', () => {
  it('fetches the token once and reuses it from the cache', async () => {
    await client.getServiceState({ openKfId: peer.openKfId, externalUserId: 'wm1' });
    await client.getServiceState({ openKfId: peer.openKfId, externalUserId: 'wm1' });
    expect(peer.tokensIssued).toBe(1);
  });

  it('shares the token with another client on the same cache', async () => {
    await client.getAccessToken();
    const other = new WecomApiClient({ corpId: peer.corpId, secret: peer.secret, tokenCache: cache, apiBase: peer.baseUrl });
    await other.getServiceState({ openKfId: peer.openKfId, externalUserId: 'wm1' });
    expect(peer.tokensIssued).toBe(1);
  });

  it('refreshes an expired token (42001) and retries the call once', async () => {
    peer.pushVisitorText('wm1', 'hi');
    await client.syncMessages();
    peer.expireTokens();
    const page = await client.syncMessages();
    expect(page.msgList).toHaveLength(1);
    expect(peer.tokensIssued).toBe(2);
    expect(peer.calls.filter((path) => path === '/cgi-bin/kf/sync_msg')).toHaveLength(3);
  });

  it('refreshes on 40014 as well', async () => {
    await client.getAccessToken();
    peer.failNext('/cgi-bin/kf/service_state/get', 40014);
    await expect(client.getServiceState({ openKfId: peer.openKfId, externalUserId: 'wm1' })).resolves.toEqual({
      serviceState: 4,
      servicerUserId: undefined,
    });
    expect(peer.tokensIssued).toBe(2);
  });

  it('retries only once when the fresh token is refused too', async () => {
    await client.getAccessToken();
    peer.failNext('/cgi-bin/kf/sync_msg', 42001);
    peer.failNext('/cgi-bin/kf/sync_msg', 42001);
    expect((await errorOf(client.syncMessages())).errcode).toBe(42001);
  });

  it('reports a wrong secret as a token-stage refusal', async () => {
    const wrong = new WecomApiClient({ corpId: peer.corpId, secret: 'nope', tokenCache: cache, apiBase: peer.baseUrl });
    const error = await errorOf(wrong.syncMessages());
    expect(error.errcode).toBe(40001);
    expect(error.stage).toBe('token');
  });
});

describe('WecomApiClient.syncMessages()', () => {
  it('pages with next_cursor while has_more is set', async () => {
    const { syncToken } = peer.pushVisitorText('wm1', 'one');
    peer.pushVisitorText('wm2', 'two');
    peer.pushVisitorText('wm1', 'three');

    const first = await client.syncMessages({ token: syncToken, limit: 2, openKfId: peer.openKfId });
    expect(first.hasMore).toBe(true);
    expect(first.msgList).toHaveLength(2);
    const second = await client.syncMessages({ token: syncToken, limit: 2, cursor: first.nextCursor });
    expect(second.hasMore).toBe(false);
    const texts = normalizeKfMessages([...first.msgList, ...second.msgList], {
      channelId: 'c',
      openKfId: peer.openKfId,
      receivedAt: new Date(),
    }).map((message) => message.text);
    expect(texts).toEqual(['one', 'two', 'three']);

    const idle = await client.syncMessages({ cursor: second.nextCursor });
    expect(idle).toEqual({ nextCursor: second.nextCursor, hasMore: false, msgList: [] });
  });
});

describe('WecomApiClient sending', () => {
  it('sends a text inside the window and echoes the msgid', async () => {
    peer.pushVisitorText('wm1', 'hi');
    const result = await client.sendMessage({
      toUser: 'wm1',
      openKfId: peer.openKfId,
      msgid: 'kefu_1',
      body: { msgtype: 'text', text: { content: '您好' } },
    });
    expect(result.msgid).toBe('kefu_1');
    expect(peer.sent[0]?.body).toMatchObject({ touser: 'wm1', msgtype: 'text', text: { content: '您好' } });
  });

  it('refuses the sixth message after one visitor message with 95001', async () => {
    peer.pushVisitorText('wm1', 'hi');
    for (let i = 0; i < 5; i++) {
      await client.sendMessage({ toUser: 'wm1', openKfId: peer.openKfId, body: { msgtype: 'text', text: { content: `${i}` } } });
    }
    const error = await errorOf(
      client.sendMessage({ toUser: 'wm1', openKfId: peer.openKfId, body: { msgtype: 'text', text: { content: '6' } } }),
    );
    expect(error.errcode).toBe(95001);
  });

  it('sends the welcome through send_msg_on_event once per code', async () => {
    const { welcomeCode } = peer.enterSession('wm1', 'shop');
    await client.sendMessageOnEvent({ code: welcomeCode, body: { msgtype: 'text', text: { content: '欢迎' } } });
    expect(peer.sent.map((sent) => sent.endpoint)).toEqual(['send_msg_on_event']);
    expect((await errorOf(client.sendMessageOnEvent({ code: welcomeCode, body: { msgtype: 'text', text: { content: 'x' } } }))).errcode).toBe(40058);
  });

  it('moves the session and returns the msg_code for ending it', async () => {
    peer.pushVisitorText('wm1', 'hi');
    await expect(client.transServiceState({ openKfId: peer.openKfId, externalUserId: 'wm1', serviceState: 1 })).resolves.toEqual({
      msgCode: undefined,
    });
    const { msgCode } = await client.transServiceState({ openKfId: peer.openKfId, externalUserId: 'wm1', serviceState: 4 });
    expect(msgCode).toMatch(/^CODE/);
    await client.sendMessageOnEvent({
      code: msgCode!,
      body: { msgtype: 'msgmenu', msgmenu: { head_content: '请评价', list: [{ type: 'click', click: { id: '5', content: '满意' } }] } },
    });
    expect(peer.sent).toHaveLength(1);
    await expect(client.getServiceState({ openKfId: peer.openKfId, externalUserId: 'wm1' })).resolves.toMatchObject({ serviceState: 4 });
  });

  it('uploads media and downloads the same bytes', async () => {
    const data = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5]);
    const { mediaId } = await client.uploadMedia('image', { data, filename: '图.png', mimeType: 'image/png' });
    const media = await client.getMedia(mediaId);
    expect(Array.from(media.data)).toEqual(Array.from(data));
    expect(media.mimeType).toBe('image/png');
    expect(media.filename).toBe('图.png');
    expect((await errorOf(client.getMedia('missing'))).errcode).toBe(40007);
  });

  it('reports a peer that is gone as a transport error without errcode', async () => {
    await peer.close();
    const error = await errorOf(client.getAccessToken());
    expect(error.errcode).toBeUndefined();
    peer = await WecomPeer.start();
  });
});
