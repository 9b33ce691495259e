import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { WecomPeer } from '../../tests/peers/wecom-peer.ts';
import { DeliveryFailure, type ChannelConfig, type OutboundMessage } from '../connector.ts';
import { MemoryTokenCache } from '../wechat-common/token-cache.ts';
import { WecomConnector, toKfMsgId } from './wecom-connector.ts';

let peer: WecomPeer;
let connector: WecomConnector;
let channel: ChannelConfig;
let seq = 0;

beforeEach(async () => {
  peer = await WecomPeer.start();
  connector = new WecomConnector({
    tokenCache: new MemoryTokenCache(),
    apiBase: peer.baseUrl,
    loadMedia: async (url) => ({ data: new TextEncoder().encode(`image bytes of ${url}`), filename: 'a.png', mimeType: 'image/png' }),
  });
  channel = { id: 'ch-wecom', type: 'wecom', name: '客服', enabled: true, credentials: peer.credentials, settings: {} };
});

afterEach(async () => {
  await peer.close();
});

function outbound(partial: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    messageId: `msg_${++seq}`,
    conversationId: 'conv1',
    channelId: channel.id,
    visitorExternalId: 'wm1',
    kind: 'text',
    text: '您好，有什么可以帮您？',
    ...partial,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<DeliveryFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DeliveryFailure) return error;
    throw error;
  }
  throw new Error('expected a DeliveryFailure');
}

describe('WecomConnector', () => {
  it('declares the 48-hour window, the 5-message quota and menus', () => {
    expect(connector.capabilities).toMatchObject({ replyWindowHours: 48, messageQuota: 5, supportsMenus: true, supportsImages: true });
  });

  it('sends a text with Kefu message id as the kf msgid', async () => {
    peer.pushVisitorText('wm1', '在吗');
    const message = outbound();
    await expect(connector.send(channel, message)).resolves.toEqual({ channelMessageId: message.messageId });
    expect(peer.sent[0]?.body).toMatchObject({ touser: 'wm1', open_kfid: peer.openKfId, msgid: message.messageId });
  });

  it('turns the sixth message into a permanent failure with a readable reason', async () => {
    peer.pushVisitorText('wm1', '在吗');
    for (let i = 0; i < 5; i++) await connector.send(channel, outbound());
    const failure = await failureOf(connector.send(channel, outbound()));
    expect(failure.permanent).toBe(true);
    expect(failure.channelCode).toBe(95001);
    expect(failure.reason).toContain('5条');
  });

  it('refuses sending after the 48-hour window as permanent', async () => {
    peer.pushVisitorText('wm1', '在吗');
    peer.advance(49 * 3600 * 1000);
    const failure = await failureOf(connector.send(channel, outbound()));
    expect(failure).toMatchObject({ permanent: true, channelCode: 95018 });
  });

  it('treats system busy (-1) as transient', async () => {
    peer.pushVisitorText('wm1', '在吗');
    peer.failNext('/cgi-bin/kf/send_msg', -1);
    expect(await failureOf(connector.send(channel, outbound()))).toMatchObject({ permanent: false, channelCode: -1 });
  });

  it('uploads an image first and sends its media_id', async () => {
    peer.pushVisitorText('wm1', '在吗');
    await connector.send(channel, outbound({ kind: 'image', text: undefined, media: { url: 'https://kefu.example/f/1.png' } }));
    const body = peer.sent[0]?.body as { msgtype: string; image: { media_id: string } };
    expect(body.msgtype).toBe('image');
    expect(new TextDecoder().decode(peer.media.get(body.image.media_id)?.data)).toBe('image bytes of https://kefu.example/f/1.png');
  });

  it('sends a menu as msgmenu click items', async () => {
    peer.pushVisitorText('wm1', '在吗');
    await connector.send(
      channel,
      outbound({ kind: 'menu', text: undefined, menu: { head: '请评价', items: [{ id: 'r5', text: '满意' }, { id: 'r1', text: '不满意' }], tail: '谢谢' } }),
    );
    expect(peer.sent[0]?.body).toMatchObject({
      msgtype: 'msgmenu',
      msgmenu: { head_content: '请评价', list: [{ type: 'click', click: { id: 'r5', content: '满意' } }, { type: 'click', click: { id: 'r1', content: '不满意' } }], tail_content: '谢谢' },
    });
  });

  it('refuses an over-long text and a menu of more than 10 items before calling WeCom', async () => {
    expect((await failureOf(connector.send(channel, outbound({ text: '字'.repeat(700) })))).permanent).toBe(true);
    const items = Array.from({ length: 11 }, (_, i) => ({ id: `${i}`, text: `${i}` }));
    expect((await failureOf(connector.send(channel, outbound({ kind: 'menu', menu: { items } })))).permanent).toBe(true);
    expect(peer.calls.filter((path) => path.includes('send_msg'))).toEqual([]);
  });

  it('reports a channel with missing credentials as a permanent failure naming the field', async () => {
    const failure = await failureOf(connector.send({ ...channel, credentials: { ...peer.credentials, openKfId: '' } }, outbound()));
    expect(failure.permanent).toBe(true);
    expect(failure.reason).toContain('openKfId');
  });

  it('reports a wrong secret as a permanent configuration failure', async () => {
    const failure = await failureOf(connector.send({ ...channel, credentials: { ...peer.credentials, secret: 'wrong' } }, outbound()));
    expect(failure).toMatchObject({ permanent: true, channelCode: 40001 });
  });

  it('reports an unreachable API as transient', async () => {
    await peer.close();
    expect((await failureOf(connector.send(channel, outbound()))).permanent).toBe(false);
    peer = await WecomPeer.start();
  });
});

describe('toKfMsgId()', () => {
  it('keeps ids WeCom accepts and hashes the rest deterministically to 32 characters', () => {
    expect(toKfMsgId('cm1abc_DEF-2')).toBe('cm1abc_DEF-2');
    const uuid = '0b6f7a52-8f3e-4d2b-9c11-5e3f2a1b0c9d';
    expect(toKfMsgId(uuid)).toMatch(/^[0-9a-f]{32}$/);
    expect(toKfMsgId(uuid)).toBe(toKfMsgId(uuid));
  });
});
