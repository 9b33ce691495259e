import { describe, it, expect } from 'vitest';
import { DeliveryFailure } from '../connector.ts';
import { WechatApiError, isTokenInvalid, toDeliveryFailure, wechatErrcodes } from './errcodes.ts';

describe('toDeliveryFailure()', () => {
  it('explains the window and quota refusals as permanent', () => {
    expect(toDeliveryFailure(new WechatApiError('/send', 45015, 'out of time'))).toMatchObject({
      reason: '超出48小时回复窗口',
      permanent: true,
      channelCode: 45015,
    });
    expect(toDeliveryFailure(new WechatApiError('/send', 45047, 'x')).reason).toBe('超出回复条数限制');
    expect(toDeliveryFailure(new WechatApiError('/send', 95018, 'x')).permanent).toBe(true);
    expect(toDeliveryFailure(new WechatApiError('/send', 95001, 'x')).permanent).toBe(true);
  });

  it('keeps busy, rate-limit and network failures transient', () => {
    expect(toDeliveryFailure(new WechatApiError('/send', -1, 'busy')).permanent).toBe(false);
    expect(toDeliveryFailure(new WechatApiError('/send', 45009, 'freq')).permanent).toBe(false);
    expect(toDeliveryFailure(new WechatApiError('/send', undefined, 'ECONNRESET')).permanent).toBe(false);
    expect(toDeliveryFailure(new Error('boom')).permanent).toBe(false);
  });

  it('makes an unknown errcode permanent and shows it', () => {
    const failure = toDeliveryFailure(new WechatApiError('/send', 12345, 'strange'));
    expect(failure).toMatchObject({ permanent: true, channelCode: 12345 });
    expect(failure.reason).toContain('12345');
  });

  it('treats a credential refusal while fetching the token as a permanent configuration error', () => {
    expect(toDeliveryFailure(new WechatApiError('/gettoken', 40001, 'invalid credential', { stage: 'token' })).permanent).toBe(true);
    expect(toDeliveryFailure(new WechatApiError('/gettoken', -1, 'busy', { stage: 'token' })).permanent).toBe(false);
  });

  it('passes a DeliveryFailure through unchanged', () => {
    const failure = new DeliveryFailure('x', true);
    expect(toDeliveryFailure(failure)).toBe(failure);
  });
});

describe('wechatErrcodes', () => {
  it('marks exactly the token codes for refresh', () => {
    expect([40001, 40014, 42001, 41001].every(isTokenInvalid)).toBe(true);
    expect(isTokenInvalid(45015)).toBe(false);
    expect(isTokenInvalid(undefined)).toBe(false);
    expect(Object.values(wechatErrcodes).every((info) => info.reason.length > 0)).toBe(true);
  });
});
