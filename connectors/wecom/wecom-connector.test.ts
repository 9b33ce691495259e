import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { WecomPeer } from '../../tests/peers/wecom-peer.ts';
import { DeliveryFailure, type ChannelConfig, type OutboundMessage } from '../connector.ts';
import { MemoryTokenCache } from '../wechat-common/token-cache.ts';
import { kfSessionReasons } from './session-state.ts';
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

  it('refuses sending after the 48-hour window (the session has ended) as permanent', async () => {
    peer.pushVisitorText('wm1', '在吗');
    peer.advance(49 * 3600 * 1000);
    const failure = await failureOf(connector.send(channel, outbound()));
    expect(failure).toMatchObject({ permanent: true, reason: kfSessionReasons.ended });
    expect(peer.calls.filter((path) => path.endsWith('/send_msg'))).toEqual([]);
  });

  it('refuses with 95018 when the window passes while state 1 is still remembered', async () => {
    peer.pushVisitorText('wm1', '在吗');
    await connector.send(channel, outbound());
    peer.advance(49 * 3600 * 1000);
    const failure = await failureOf(connector.send(channel, outbound()));
    expect(failure).toMatchObject({ permanent: true, reason: kfSessionReasons.ended });
    // The refused send_msg (after a token refresh: 49 h also expired the token), then a fresh look.
    expect(peer.calls.slice(-2)).toEqual(['/cgi-bin/kf/send_msg', '/cgi-bin/kf/service_state/get']);
    expect(peer.sentTo('wm1')).toHaveLength(1);
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

describe('WecomConnector and the WeCom session state', () => {
  const stateCalls = () => peer.calls.filter((path) => path.includes('/service_state/'));

  it('moves a new session (state 0) to API reception before sending, then remembers it', async () => {
    peer.pushVisitorText('wm1', '在吗');
    expect(peer.session('wm1').state).toBe(0);
    await connector.send(channel, outbound());
    expect(peer.session('wm1').state).toBe(1);
    expect(stateCalls()).toEqual(['/cgi-bin/kf/service_state/get', '/cgi-bin/kf/service_state/trans']);
    await connector.send(channel, outbound());
    await connector.send(channel, outbound());
    expect(stateCalls()).toHaveLength(2);
    expect(peer.sentTo('wm1')).toHaveLength(3);
  });

  it('asks only once for concurrent sends to the same visitor', async () => {
    peer.pushVisitorText('wm1', '在吗');
    await Promise.all([connector.send(channel, outbound()), connector.send(channel, outbound()), connector.send(channel, outbound())]);
    expect(stateCalls()).toEqual(['/cgi-bin/kf/service_state/get', '/cgi-bin/kf/service_state/trans']);
    expect(peer.sentTo('wm1')).toHaveLength(3);
  });

  it('sends without a transition when the session is already in state 1', async () => {
    peer.pushVisitorText('wm1', '在吗');
    peer.setSessionState('wm1', 1);
    await connector.send(channel, outbound());
    expect(stateCalls()).toEqual(['/cgi-bin/kf/service_state/get']);
  });

  it('refuses, without sending, a session a WeCom servicer is serving (state 3)', async () => {
    peer.pushVisitorText('wm1', '在吗');
    peer.setSessionState('wm1', 3, 'zhangsan');
    const failure = await failureOf(connector.send(channel, outbound()));
    expect(failure).toMatchObject({ permanent: true, reason: kfSessionReasons.servicer('zhangsan') });
    expect(failure.reason).toContain('该会话正由企业微信客服人员接待');
    expect(peer.calls.filter((path) => path.endsWith('/send_msg') || path.endsWith('/trans'))).toEqual([]);
    expect(peer.session('wm1').state).toBe(3);
  });

  it('tries to take a session from the waiting pool (state 2) and explains WeCom refusing it', async () => {
    peer.pushVisitorText('wm1', '在吗');
    peer.setSessionState('wm1', 2);
    const failure = await failureOf(connector.send(channel, outbound()));
    expect(failure).toMatchObject({ permanent: true, channelCode: 95016, reason: kfSessionReasons.pool(95016) });
    expect(stateCalls()).toEqual(['/cgi-bin/kf/service_state/get', '/cgi-bin/kf/service_state/trans']);
    expect(peer.sentTo('wm1')).toEqual([]);
  });

  it('looks again when a remembered state 1 turns out stale (95018), and refuses for the servicer', async () => {
    peer.pushVisitorText('wm1', '在吗');
    await connector.send(channel, outbound());
    peer.setSessionState('wm1', 3, 'lisi');
    const failure = await failureOf(connector.send(channel, outbound()));
    expect(failure.reason).toBe(kfSessionReasons.servicer('lisi'));
    expect(stateCalls()).toEqual(['/cgi-bin/kf/service_state/get', '/cgi-bin/kf/service_state/trans', '/cgi-bin/kf/service_state/get']);
  });

  it('asks again after forgetSessionState (a session_status_change) and after the remembered time', async () => {
    const short = new WecomConnector({ tokenCache: new MemoryTokenCache(), apiBase: peer.baseUrl, sessionStateTtlMs: 50 });
    peer.pushVisitorText('wm1', '在吗');
    await short.send(channel, outbound());
    short.forgetSessionState({ channelId: channel.id, openKfId: peer.openKfId, externalUserId: 'wm1' });
    await short.send(channel, outbound());
    expect(stateCalls()).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 80));
    await short.send(channel, outbound());
    expect(stateCalls()).toHaveLength(4);
  });

  it('sends the message id without dashes as msgid, and a repeat of it reaches the visitor once', async () => {
    peer.pushVisitorText('wm1', '在吗');
    const message = outbound({ messageId: '0b6f7a52-8f3e-4d2b-9c11-5e3f2a1b0c9d' });
    await expect(connector.send(channel, message)).resolves.toEqual({ channelMessageId: '0b6f7a528f3e4d2b9c115e3f2a1b0c9d' });
    await expect(connector.send(channel, message)).resolves.toEqual({ channelMessageId: '0b6f7a528f3e4d2b9c115e3f2a1b0c9d' });
    expect(peer.sentTo('wm1').map((sent) => sent.body.msgid)).toEqual(['0b6f7a528f3e4d2b9c115e3f2a1b0c9d']);
  });
});

describe('toKfMsgId()', () => {
  it('drops the dashes of a UUID, keeps other ids WeCom accepts and hashes the rest to 32 characters', () => {
    expect(toKfMsgId('cm1abc_DEF-2')).toBe('cm1abc_DEF-2');
    const uuid = '0b6f7a52-8f3e-4d2b-9c11-5e3f2a1b0c9d';
    expect(toKfMsgId(uuid)).toBe('0b6f7a528f3e4d2b9c115e3f2a1b0c9d');
    const long = 'x'.repeat(40);
    expect(toKfMsgId(long)).toMatch(/^[0-9a-f]{32}$/);
    expect(toKfMsgId(long)).toBe(toKfMsgId(long));
  });
});
