import { describe, it, expect } from 'vitest';
import { webConnector } from './web/web-connector.ts';
import { mpCapabilities } from './wechat-mp/mp-connector.ts';
import { wecomCapabilities } from './wecom/wecom-connector.ts';
import { checkSendAllowed } from './send-guard.ts';

const now = new Date('2026-01-10T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000);

describe('checkSendAllowed()', () => {
  it('allows the fifth WeCom reply and refuses the sixth with message_quota_exceeded', () => {
    expect(checkSendAllowed({ sentSinceVisitor: 4, lastVisitorMessageAt: hoursAgo(1) }, wecomCapabilities, now)).toBeNull();
    const refusal = checkSendAllowed({ sentSinceVisitor: 5, lastVisitorMessageAt: hoursAgo(1) }, wecomCapabilities, now);
    expect(refusal?.code).toBe('message_quota_exceeded');
    expect(refusal?.status).toBe(422);
  });

  it('refuses after the 48-hour window on WeChat channels only', () => {
    expect(checkSendAllowed({ sentSinceVisitor: 0, lastVisitorMessageAt: hoursAgo(49) }, mpCapabilities, now)?.code).toBe('reply_window_closed');
    expect(checkSendAllowed({ sentSinceVisitor: 0, lastVisitorMessageAt: hoursAgo(47) }, mpCapabilities, now)).toBeNull();
    expect(checkSendAllowed({ sentSinceVisitor: 99, lastVisitorMessageAt: hoursAgo(500) }, webConnector.capabilities, now)).toBeNull();
  });

  it('does not apply the window before any visitor message (a subscribe opens it on the channel side)', () => {
    expect(checkSendAllowed({ sentSinceVisitor: 0, lastVisitorMessageAt: null }, mpCapabilities, now)).toBeNull();
  });
});
