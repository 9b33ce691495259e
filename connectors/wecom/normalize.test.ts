import { describe, it, expect } from 'vitest';
import { normalizeKfMessage, normalizeKfMessages } from './normalize.ts';

const context = { channelId: 'ch1', openKfId: 'wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q', receivedAt: new Date('2024-01-01T00:00:00Z') };
const common = {
  msgid: 'from_msgid_4622416642169452483',
  open_kfid: 'wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q',
  external_userid: 'wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw',
  send_time: 1615478585,
  origin: 3,
};

describe('normalizeKfMessage()', () => {
  it('maps a visitor text (origin 3) with msgid and external_userid', () => {
    expect(normalizeKfMessage({ ...common, msgtype: 'text', text: { content: '你好' } }, context)).toEqual({
      channelId: 'ch1',
      channelType: 'wecom',
      channelMessageId: 'from_msgid_4622416642169452483',
      visitor: { externalId: 'wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw' },
      kind: 'text',
      text: '你好',
      origin: 'visitor',
      sentAt: new Date(1615478585 * 1000),
    });
  });

  it('marks a servicer message typed in the WeCom client (origin 5) as servicer', () => {
    const message = normalizeKfMessage(
      { ...common, origin: 5, servicer_userid: 'zhangsan', msgtype: 'text', text: { content: '我来处理' } },
      context,
    );
    expect(message?.origin).toBe('servicer');
    expect(message?.text).toBe('我来处理');
  });

  it('keeps the menu_id of a menu click on the text', () => {
    const message = normalizeKfMessage({ ...common, msgtype: 'text', text: { content: '满意', menu_id: '101' } }, context);
    expect(message?.kind).toBe('text');
    expect(message?.event).toEqual({ name: 'menu_click', data: { menu_id: '101' } });
  });

  it('maps an image to its media_id', () => {
    const message = normalizeKfMessage({ ...common, msgtype: 'image', image: { media_id: 'MEDIA1' } }, context);
    expect(message?.kind).toBe('image');
    expect(message?.media).toEqual({ mediaId: 'MEDIA1' });
  });

  it('turns every other message type into unsupported with its type name', () => {
    const samples = [
      { msgtype: 'voice', voice: { media_id: 'v1' } },
      { msgtype: 'video', video: { media_id: 'v2' } },
      { msgtype: 'file', file: { media_id: 'f1' } },
      { msgtype: 'location', location: { latitude: 23.1, longitude: 113.3, name: '广州塔', address: '阅江西路' } },
      { msgtype: 'link', link: { title: '标题', desc: 'd', url: 'https://example.com', pic_url: 'p' } },
      { msgtype: 'business_card', business_card: { userid: 'u1' } },
      { msgtype: 'miniprogram', miniprogram: { appid: 'a', title: 't' } },
      { msgtype: 'channels_shop_product', channels_shop_product: {} },
      { msgtype: 'something_new' },
    ];
    for (const sample of samples) {
      const message = normalizeKfMessage({ ...common, ...sample }, context);
      expect(message?.kind).toBe('unsupported');
      expect(message?.unsupportedType).toBe(sample.msgtype);
    }
    expect(normalizeKfMessage({ ...common, ...samples[3] }, context)?.text).toBe('[位置] 广州塔 阅江西路');
    expect(normalizeKfMessage({ ...common, ...samples[0] }, context)?.media).toEqual({ mediaId: 'v1' });
  });

  it('maps a text or image without its body to unsupported instead of throwing', () => {
    expect(normalizeKfMessage({ ...common, msgtype: 'text' }, context)?.kind).toBe('unsupported');
    expect(normalizeKfMessage({ ...common, msgtype: 'image', image: 'oops' }, context)?.kind).toBe('unsupported');
  });

  it('maps enter_session to an event keeping welcome_code and scene', () => {
    const message = normalizeKfMessage(
      {
        msgid: 'ev1',
        send_time: 1615478600,
        origin: 4,
        msgtype: 'event',
        event: {
          event_type: 'enter_session',
          open_kfid: common.open_kfid,
          external_userid: common.external_userid,
          scene: 'shop',
          scene_param: 'abc',
          welcome_code: 'WELCOME',
          wechat_channels: { nickname: '视频号' },
        },
      },
      context,
    );
    expect(message).toMatchObject({
      kind: 'event',
      channelMessageId: 'ev1',
      visitor: { externalId: common.external_userid },
      event: {
        name: 'enter_session',
        data: { welcome_code: 'WELCOME', scene: 'shop', scene_param: 'abc', wechat_channels_nickname: '视频号' },
      },
    });
  });

  it('maps msg_send_fail with fail_msgid, fail_type and a readable reason', () => {
    const message = normalizeKfMessage(
      {
        msgid: 'ev2',
        origin: 4,
        msgtype: 'event',
        event: { event_type: 'msg_send_fail', open_kfid: common.open_kfid, external_userid: 'wm1', fail_msgid: 'm9', fail_type: 6 },
      },
      context,
    );
    expect(message?.event).toEqual({
      name: 'msg_send_fail',
      data: { open_kfid: common.open_kfid, fail_msgid: 'm9', fail_type: 6, fail_reason: '超过5条限制' },
    });
  });

  it('maps session_status_change with change_type and msg_code', () => {
    const message = normalizeKfMessage(
      {
        msgid: 'ev3',
        origin: 4,
        msgtype: 'event',
        event: {
          event_type: 'session_status_change',
          open_kfid: common.open_kfid,
          external_userid: 'wm1',
          change_type: 3,
          old_servicer_userid: 'lisi',
          msg_code: 'END',
        },
      },
      context,
    );
    expect(message?.event?.name).toBe('session_status_change');
    expect(message?.event?.data).toMatchObject({ change_type: 3, old_servicer_userid: 'lisi', msg_code: 'END' });
  });

  it('derives a stable id for an event item without msgid', () => {
    const item = {
      send_time: 1615478600,
      msgtype: 'event',
      event: { event_type: 'user_recall_msg', external_userid: 'wm1', recall_msgid: 'x' },
    };
    expect(normalizeKfMessage(item, context)?.channelMessageId).toBe('user_recall_msg:wm1:1615478600');
    expect(normalizeKfMessage(item, context)?.channelMessageId).toBe(normalizeKfMessage(item, context)?.channelMessageId);
  });

  it('skips items that belong to no visitor of this channel', () => {
    const servicerStatus = { msgtype: 'event', event: { event_type: 'servicer_status_change', servicer_userid: 'u', status: 1 } };
    expect(normalizeKfMessage(servicerStatus, context)).toBeNull();
    expect(normalizeKfMessage({ ...common, open_kfid: 'wkOTHER', msgtype: 'text', text: { content: 'x' } }, context)).toBeNull();
    expect(normalizeKfMessage({ ...common, origin: 9, msgtype: 'text', text: { content: 'x' } }, context)).toBeNull();
  });

  it('never throws on hostile or malformed input', () => {
    const junk: unknown[] = [null, undefined, 1, 'x', [], {}, { msgtype: 'event' }, { msgtype: 'event', event: [] },
      { ...common, send_time: 'soon', msgtype: 'text', text: { content: 'x' } },
      JSON.parse('{"__proto__":{"x":1},"msgtype":"text","external_userid":"wm","origin":3,"text":{"content":"y"}}')];
    for (const item of junk) expect(() => normalizeKfMessage(item, context)).not.toThrow();
    expect(normalizeKfMessage(junk[8], context)?.sentAt).toEqual(context.receivedAt);
  });
});

describe('normalizeKfMessages()', () => {
  it('keeps order and drops what cannot be attributed', () => {
    const messages = normalizeKfMessages(
      [
        { ...common, msgid: 'a', msgtype: 'text', text: { content: '1' } },
        null,
        { ...common, msgid: 'b', msgtype: 'image', image: { media_id: 'm' } },
      ],
      context,
    );
    expect(messages.map((m) => m.channelMessageId)).toEqual(['a', 'b']);
    expect(normalizeKfMessages('not a list', context)).toEqual([]);
  });
});
