import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { WechatMpPeer } from '../../tests/peers/wechat-mp-peer.ts';
import { DeliveryFailure, type ChannelConfig, type OutboundMessage } from '../connector.ts';
import { MemoryTokenCache } from '../wechat-common/token-cache.ts';
import { MpConnector, renderMenuAsText } from './mp-connector.ts';

let peer: WechatMpPeer;
let connector: MpConnector;
let channel: ChannelConfig;

beforeEach(async () => {
  peer = await WechatMpPeer.start({ quotaPerMessage: 5 });
  connector = new MpConnector({
    tokenCache: new MemoryTokenCache(),
    apiBase: peer.baseUrl,
    loadMedia: async () => ({ data: new Uint8Array([1, 2, 3, 4, 5, 6]), filename: 'a.png', mimeType: 'image/png' }),
  });
  channel = { id: 'ch-mp', type: 'wechat_mp', name: '公众号', enabled: true, credentials: peer.credentials('safe'), settings: {} };
});

afterEach(async () => {
  await peer.close();
});

const outbound = (partial: Partial<OutboundMessage> = {}): OutboundMessage => ({
  messageId: 'm1',
  conversationId: 'c1',
  channelId: 'ch-mp',
  visitorExternalId: 'o1',
  kind: 'text',
  text: '您好',
  ...partial,
});

async function failureOf(promise: Promise<unknown>): Promise<DeliveryFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DeliveryFailure) return error;
    throw error;
  }
  throw new Error('expected a DeliveryFailure');
}

describe('MpConnector', () => {
  it('declares the 48-hour window, typing and no quota', () => {
    expect(connector.capabilities).toMatchObject({ replyWindowHours: 48, messageQuota: null, supportsTyping: true, supportsMenus: false });
  });

  it('sends text and images through the customer-service API', async () => {
    peer.recordInteraction('o1');
    await connector.send(channel, outbound());
    await connector.send(channel, outbound({ kind: 'image', media: { url: 'https://kefu.example/a.png' } }));
    expect(peer.sent.map((message) => message.msgtype)).toEqual(['text', 'image']);
  });

  it('explains 45015 as 超出48小时回复窗口, permanently', async () => {
    peer.recordInteraction('o1');
    peer.advance(49 * 3600 * 1000);
    expect(await failureOf(connector.send(channel, outbound()))).toMatchObject({
      reason: '超出48小时回复窗口',
      permanent: true,
      channelCode: 45015,
    });
  });

  it('explains 45047 as 超出回复条数限制, permanently', async () => {
    peer.recordInteraction('o1');
    for (let i = 0; i < 5; i++) await connector.send(channel, outbound());
    expect(await failureOf(connector.send(channel, outbound()))).toMatchObject({
      reason: '超出回复条数限制',
      permanent: true,
      channelCode: 45047,
    });
  });

  it('treats a busy platform (45009) as transient', async () => {
    peer.recordInteraction('o1');
    peer.failNext('/cgi-bin/message/custom/send', 45009);
    expect((await failureOf(connector.send(channel, outbound()))).permanent).toBe(false);
  });

  it('sends a menu as numbered text', async () => {
    peer.recordInteraction('o1');
    await connector.send(channel, outbound({ kind: 'menu', menu: { head: '请评价', items: [{ id: '5', text: '满意' }, { id: '1', text: '不满意' }] } }));
    expect(peer.sent[0]?.body.text).toEqual({ content: '请评价\n1. 满意\n2. 不满意' });
  });

  it('shows the typing indicator and maps an idle visitor (45080) to a failure', async () => {
    peer.recordInteraction('o1');
    await connector.setTyping(channel, 'o1', true);
    expect(peer.typing).toEqual([{ touser: 'o1', command: 'Typing' }]);
    peer.advance(31_000);
    expect((await failureOf(connector.setTyping(channel, 'o1', false))).channelCode).toBe(45080);
  });

  it('refuses a safe-mode channel without EncodingAESKey as a permanent failure', async () => {
    const broken = { ...channel, credentials: { ...peer.credentials('safe'), encodingAesKey: '' } };
    const failure = await failureOf(connector.send(broken, outbound()));
    expect(failure.permanent).toBe(true);
    expect(failure.reason).toContain('encodingAesKey');
  });
});

describe('renderMenuAsText()', () => {
  it('numbers the items between head and tail', () => {
    expect(renderMenuAsText({ head: 'h', items: [{ id: 'a', text: 'A' }], tail: 't' })).toBe('h\n1. A\nt');
  });
});
