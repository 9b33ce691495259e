import { describe, it, expect } from 'vitest';
import { parseCallbackXml } from '../wechat-common/safe-xml.ts';
import { normalizeMpMessage } from './normalize.ts';

const context = { channelId: 'mp1', receivedAt: new Date('2024-01-01T00:00:00Z') };
const head = '<ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName><CreateTime>1409735668</CreateTime>';
const parse = (inner: string) => parseCallbackXml(`<xml>${head}${inner}</xml>`);

describe('normalizeMpMessage()', () => {
  it('maps the official text sample with MsgId as the channel message id', () => {
    expect(
      normalizeMpMessage(parse('<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728</MsgId>'), context),
    ).toEqual({
      channelId: 'mp1',
      channelType: 'wechat_mp',
      channelMessageId: '6054768590064713728',
      visitor: { externalId: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs' },
      kind: 'text',
      text: 'abcdteT',
      origin: 'visitor',
      sentAt: new Date(1409735668 * 1000),
    });
  });

  it('maps an image with PicUrl and MediaId', () => {
    const message = normalizeMpMessage(
      parse('<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl><MediaId><![CDATA[media_1]]></MediaId><MsgId>1</MsgId>'),
      context,
    );
    expect(message?.kind).toBe('image');
    expect(message?.media).toEqual({ url: 'http://mmbiz.qpic.cn/x', mediaId: 'media_1' });
  });

  it('maps voice, video, shortvideo, location and link to unsupported with their type', () => {
    const samples: Record<string, string> = {
      voice: '<MediaId>v</MediaId><Format>amr</Format><Recognition>你好</Recognition>',
      video: '<MediaId>v</MediaId><ThumbMediaId>t</ThumbMediaId>',
      shortvideo: '<MediaId>v</MediaId><ThumbMediaId>t</ThumbMediaId>',
      location: '<Location_X>23.1</Location_X><Location_Y>113.3</Location_Y><Scale>20</Scale><Label><![CDATA[广州塔]]></Label>',
      link: '<Title>标题</Title><Description>d</Description><Url>https://example.com</Url>',
    };
    for (const [type, inner] of Object.entries(samples)) {
      const message = normalizeMpMessage(parse(`<MsgType>${type}</MsgType>${inner}<MsgId>7</MsgId>`), context);
      expect(message?.kind).toBe('unsupported');
      expect(message?.unsupportedType).toBe(type);
      expect(message?.channelMessageId).toBe('7');
    }
    expect(normalizeMpMessage(parse(`<MsgType>voice</MsgType>${samples.voice}<MsgId>7</MsgId>`), context)?.text).toBe('[语音] 你好');
  });

  it('maps subscribe with its QR scene to an event identified by sender, time and event', () => {
    const message = normalizeMpMessage(
      parse('<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_123]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket>'),
      context,
    );
    expect(message).toMatchObject({
      kind: 'event',
      channelMessageId: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs:1409735668:subscribe',
      event: { name: 'subscribe', data: { EventKey: 'qrscene_123', Ticket: 'TICKET' } },
    });
  });

  it('maps unsubscribe and CLICK events by their Event name', () => {
    expect(normalizeMpMessage(parse('<MsgType>event</MsgType><Event>unsubscribe</Event>'), context)?.event?.name).toBe('unsubscribe');
    const click = normalizeMpMessage(parse('<MsgType>event</MsgType><Event>CLICK</Event><EventKey>V1001_TODAY</EventKey>'), context);
    expect(click?.event).toEqual({ name: 'CLICK', data: { EventKey: 'V1001_TODAY' } });
  });

  it('returns null without a sender and never throws on junk', () => {
    expect(normalizeMpMessage({ MsgType: 'text', Content: 'x' }, context)).toBeNull();
    for (const junk of [null, 'x', [], { FromUserName: ['a', 'b'] }, { FromUserName: 'o', CreateTime: 'soon', MsgType: { x: '1' } }]) {
      expect(() => normalizeMpMessage(junk, context)).not.toThrow();
    }
    const odd = normalizeMpMessage({ FromUserName: 'o', CreateTime: 'soon' }, context);
    expect(odd?.kind).toBe('unsupported');
    expect(odd?.sentAt).toEqual(context.receivedAt);
  });
});
