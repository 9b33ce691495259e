import { describe, it, expect } from 'vitest';
import { normalizeWechatyMessage } from './normalize.ts';

const options = { channelId: 'wx1', receivedAt: new Date('2024-01-01T00:00:00Z') };
const text = { id: 'm1', talkerId: 'c1', talkerName: '小王', self: false, type: 7, text: '你好', timestamp: 1_700_000_000_000 };

describe('normalizeWechatyMessage()', () => {
  it('maps a 1:1 text from a contact', () => {
    expect(normalizeWechatyMessage(text, options)).toEqual({
      channelId: 'wx1',
      channelType: 'wechaty',
      channelMessageId: 'm1',
      visitor: { externalId: 'c1', name: '小王' },
      origin: 'visitor',
      sentAt: new Date(1_700_000_000_000),
      kind: 'text',
      text: '你好',
    });
  });

  it('ignores the account own messages', () => {
    expect(normalizeWechatyMessage({ ...text, self: true }, options)).toBeNull();
  });

  it('ignores room messages unless mentioned and allowed', () => {
    const room = { ...text, roomId: 'r1@chatroom' };
    expect(normalizeWechatyMessage(room, options)).toBeNull();
    expect(normalizeWechatyMessage({ ...room, mentionSelf: true }, options)).toBeNull();
    expect(normalizeWechatyMessage(room, { ...options, allowRoomMentions: true })).toBeNull();
    const mentioned = normalizeWechatyMessage({ ...room, mentionSelf: true }, { ...options, allowRoomMentions: true });
    expect(mentioned?.visitor).toEqual({ externalId: 'c1', name: '小王', profile: { roomId: 'r1@chatroom' } });
  });

  it('maps images to kind image and other types to unsupported with their name', () => {
    expect(normalizeWechatyMessage({ ...text, type: 6, text: '' }, options)?.kind).toBe('image');
    const audio = normalizeWechatyMessage({ ...text, type: 2 }, options);
    expect(audio?.kind).toBe('unsupported');
    expect(audio?.unsupportedType).toBe('audio');
    expect(normalizeWechatyMessage({ ...text, type: 99 }, options)?.unsupportedType).toBe('type_99');
  });

  it('accepts second timestamps and falls back to the receive time', () => {
    expect(normalizeWechatyMessage({ ...text, timestamp: 1_700_000_000 }, options)?.sentAt).toEqual(new Date(1_700_000_000_000));
    expect(normalizeWechatyMessage({ ...text, timestamp: undefined }, options)?.sentAt).toEqual(options.receivedAt);
  });

  it('returns null for malformed descriptions instead of throwing', () => {
    for (const junk of [null, 'x', {}, { ...text, id: '' }, { ...text, talkerId: 5 }, { ...text, self: 'no' }]) {
      expect(normalizeWechatyMessage(junk, options)).toBeNull();
    }
  });
});
