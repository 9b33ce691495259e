import { describe, it, expect } from 'vitest';
import {
  defaultServiceHours,
  isWithinServiceHours,
  nextOpening,
  serviceHoursSchema,
  type ServiceHours,
  type TimeRange,
} from './service-hours.ts';

const nine2six: TimeRange[] = [{ start: '09:00', end: '18:00' }];

function hoursOf(partial: Partial<ServiceHours>): ServiceHours {
  return {
    enabled: true,
    timezone: 'Asia/Shanghai',
    weekly: { 0: [], 1: nine2six, 2: nine2six, 3: nine2six, 4: nine2six, 5: nine2six, 6: [] },
    overrides: [],
    ...partial,
  };
}

const at = (iso: string) => new Date(iso);

describe('defaultServiceHours', () => {
  it('is valid and always open out of the box', () => {
    expect(serviceHoursSchema.safeParse(defaultServiceHours).success).toBe(true);
    expect(isWithinServiceHours(defaultServiceHours, at('2025-06-08T20:00:00Z'))).toBe(true);
  });

  it('opens Mon–Fri 09:00–18:00 Shanghai once enabled', () => {
    const hours = { ...defaultServiceHours, enabled: true };
    // Monday 2025-06-09 09:00 Shanghai = 01:00 UTC.
    expect(isWithinServiceHours(hours, at('2025-06-09T01:00:00Z'))).toBe(true);
    expect(isWithinServiceHours(hours, at('2025-06-09T00:59:00Z'))).toBe(false);
    expect(isWithinServiceHours(hours, at('2025-06-09T10:00:00Z'))).toBe(false); // 18:00 closes
    expect(isWithinServiceHours(hours, at('2025-06-07T03:00:00Z'))).toBe(false); // Saturday
  });
});

describe('isWithinServiceHours()', () => {
  it('uses the local weekday of the timezone, not of UTC', () => {
    const hours = hoursOf({ weekly: { 0: [], 1: [{ start: '07:00', end: '12:00' }], 2: [], 3: [], 4: [], 5: [], 6: [] } });
    // Sunday 2025-06-08 23:30 UTC is already Monday 07:30 in Shanghai.
    expect(isWithinServiceHours(hours, at('2025-06-08T23:30:00Z'))).toBe(true);
    expect(isWithinServiceHours(hours, at('2025-06-08T22:30:00Z'))).toBe(false); // Monday 06:30 Shanghai
    expect(isWithinServiceHours({ ...hours, timezone: 'UTC' }, at('2025-06-08T23:30:00Z'))).toBe(false);
    expect(isWithinServiceHours({ ...hours, timezone: 'UTC' }, at('2025-06-09T08:30:00Z'))).toBe(true);
  });

  it('is open from the first minute of a range to the minute before its end', () => {
    const hours = hoursOf({ weekly: { 0: [], 1: [{ start: '09:15', end: '09:16' }], 2: [], 3: [], 4: [], 5: [], 6: [] } });
    expect(isWithinServiceHours(hours, at('2025-06-09T01:14:59Z'))).toBe(false);
    expect(isWithinServiceHours(hours, at('2025-06-09T01:15:00Z'))).toBe(true);
    expect(isWithinServiceHours(hours, at('2025-06-09T01:15:59Z'))).toBe(true);
    expect(isWithinServiceHours(hours, at('2025-06-09T01:16:00Z'))).toBe(false);
  });

  it('treats 24:00 as the end of the day', () => {
    const hours = hoursOf({ weekly: { 0: [], 1: [{ start: '20:00', end: '24:00' }], 2: [], 3: [], 4: [], 5: [], 6: [] } });
    // Monday 23:59 Shanghai = 15:59 UTC; Tuesday 00:00 = 16:00 UTC.
    expect(isWithinServiceHours(hours, at('2025-06-09T15:59:00Z'))).toBe(true);
    expect(isWithinServiceHours(hours, at('2025-06-09T16:00:00Z'))).toBe(false);
  });

  it('keeps a range across midnight open into the next day until its end', () => {
    const hours = hoursOf({ weekly: { 0: [], 1: [], 2: [], 3: [], 4: [], 5: [{ start: '22:00', end: '02:00' }], 6: [] } });
    // Friday 2025-06-13 22:00 Shanghai = 14:00 UTC; Saturday 01:59 = 17:59 UTC.
    expect(isWithinServiceHours(hours, at('2025-06-13T13:59:00Z'))).toBe(false);
    expect(isWithinServiceHours(hours, at('2025-06-13T14:00:00Z'))).toBe(true);
    expect(isWithinServiceHours(hours, at('2025-06-13T17:59:00Z'))).toBe(true);
    expect(isWithinServiceHours(hours, at('2025-06-13T18:00:00Z'))).toBe(false);
    // Friday 01:00 belongs to Thursday's (empty) range, not Friday's.
    expect(isWithinServiceHours(hours, at('2025-06-12T17:00:00Z'))).toBe(false);
  });

  it('cuts the early-morning part of a late range when the next date is a holiday', () => {
    const hours = hoursOf({
      weekly: { 0: [], 1: [], 2: [], 3: [], 4: [], 5: [{ start: '22:00', end: '02:00' }], 6: [] },
      overrides: [{ date: '2025-06-14', closed: true }],
    });
    expect(isWithinServiceHours(hours, at('2025-06-13T15:59:00Z'))).toBe(true); // Friday 23:59
    expect(isWithinServiceHours(hours, at('2025-06-13T16:30:00Z'))).toBe(false); // Saturday 00:30, holiday
  });

  it('replaces the early-morning part with a special working day’s own ranges', () => {
    const hours = hoursOf({
      weekly: { 0: [], 1: [], 2: [], 3: [], 4: [], 5: [{ start: '22:00', end: '02:00' }], 6: [] },
      overrides: [{ date: '2025-06-14', ranges: [{ start: '01:00', end: '03:00' }] }],
    });
    expect(isWithinServiceHours(hours, at('2025-06-13T16:30:00Z'))).toBe(false); // Saturday 00:30
    expect(isWithinServiceHours(hours, at('2025-06-13T18:30:00Z'))).toBe(true); // Saturday 02:30
  });

  it('does not carry a late range over from a date that is itself a holiday', () => {
    const hours = hoursOf({
      weekly: { 0: [], 1: [], 2: [], 3: [], 4: [], 5: [{ start: '22:00', end: '02:00' }], 6: [] },
      overrides: [{ date: '2025-06-13', closed: true }],
    });
    expect(isWithinServiceHours(hours, at('2025-06-13T16:30:00Z'))).toBe(false);
  });

  it('closes a weekday on a holiday and opens a weekend on a special working day', () => {
    const hours = hoursOf({
      overrides: [
        { date: '2025-10-01', closed: true },
        { date: '2025-09-28', ranges: [{ start: '10:00', end: '16:00' }] },
      ],
    });
    expect(isWithinServiceHours(hours, at('2025-10-01T03:00:00Z'))).toBe(false); // Wednesday 11:00
    expect(isWithinServiceHours(hours, at('2025-10-02T03:00:00Z'))).toBe(true);
    expect(isWithinServiceHours(hours, at('2025-09-28T03:00:00Z'))).toBe(true); // Sunday 11:00
    expect(isWithinServiceHours(hours, at('2025-09-28T01:30:00Z'))).toBe(false); // Sunday 09:30
  });

  it('follows daylight saving time in America/New_York', () => {
    const hours = hoursOf({ timezone: 'America/New_York' });
    // 09:00 EST = 14:00 UTC in winter, 09:00 EDT = 13:00 UTC in summer.
    expect(isWithinServiceHours(hours, at('2025-01-06T14:00:00Z'))).toBe(true);
    expect(isWithinServiceHours(hours, at('2025-01-06T13:30:00Z'))).toBe(false);
    expect(isWithinServiceHours(hours, at('2025-07-07T13:00:00Z'))).toBe(true);
    expect(isWithinServiceHours(hours, at('2025-07-07T12:30:00Z'))).toBe(false);
  });

  it('is always open when disabled, whatever the ranges', () => {
    const hours = hoursOf({ enabled: false, weekly: { 0: [], 1: [], 2: [], 3: [], 4: [], 5: [], 6: [] } });
    expect(isWithinServiceHours(hours, at('2025-06-09T03:00:00Z'))).toBe(true);
  });
});

describe('nextOpening()', () => {
  it('returns the instant itself when open', () => {
    const hours = hoursOf({});
    expect(nextOpening(hours, at('2025-06-09T03:00:00Z'))).toEqual(at('2025-06-09T03:00:00Z'));
  });

  it('skips the weekend to Monday 09:00 local', () => {
    const hours = hoursOf({});
    // Friday 2025-06-13 19:00 Shanghai → Monday 2025-06-16 09:00 Shanghai = 01:00 UTC.
    expect(nextOpening(hours, at('2025-06-13T11:00:00Z'))).toEqual(at('2025-06-16T01:00:00Z'));
  });

  it('skips a holiday and finds a special working day', () => {
    const hours = hoursOf({
      overrides: [
        { date: '2025-06-16', closed: true },
        { date: '2025-06-15', ranges: [{ start: '13:30', end: '15:00' }] },
      ],
    });
    expect(nextOpening(hours, at('2025-06-13T11:00:00Z'))).toEqual(at('2025-06-15T05:30:00Z'));
    expect(nextOpening(hours, at('2025-06-15T07:00:00Z'))).toEqual(at('2025-06-17T01:00:00Z'));
  });

  it('finds the start of a range that crosses midnight', () => {
    const hours = hoursOf({ weekly: { 0: [], 1: [], 2: [], 3: [], 4: [], 5: [{ start: '22:00', end: '02:00' }], 6: [] } });
    expect(nextOpening(hours, at('2025-06-11T00:00:00Z'))).toEqual(at('2025-06-13T14:00:00Z'));
  });

  it('returns null when nothing opens within 14 days', () => {
    const closed: TimeRange[] = [];
    const hours = hoursOf({ weekly: { 0: closed, 1: closed, 2: closed, 3: closed, 4: closed, 5: closed, 6: closed } });
    expect(nextOpening(hours, at('2025-06-09T03:00:00Z'))).toBeNull();
    const far = hoursOf({
      weekly: { 0: closed, 1: closed, 2: closed, 3: closed, 4: closed, 5: closed, 6: closed },
      overrides: [{ date: '2025-06-30', ranges: nine2six }],
    });
    expect(nextOpening(far, at('2025-06-09T03:00:00Z'))).toBeNull();
    expect(nextOpening(far, at('2025-06-20T03:00:00Z'))).toEqual(at('2025-06-30T01:00:00Z'));
  });

  it('opens at the right UTC instant across a daylight-saving change', () => {
    const hours = hoursOf({ timezone: 'America/New_York' });
    // Friday 2025-03-07 20:00 EST → Monday 2025-03-10 09:00 EDT = 13:00 UTC (DST began on the 9th).
    expect(nextOpening(hours, at('2025-03-08T01:00:00Z'))).toEqual(at('2025-03-10T13:00:00Z'));
  });

  it('opens when the clock jumps forward past the start of a range in the skipped hour', () => {
    const sunday: TimeRange[] = [{ start: '02:30', end: '04:00' }];
    const hours = hoursOf({ timezone: 'America/New_York', weekly: { 0: sunday, 1: [], 2: [], 3: [], 4: [], 5: [], 6: [] } });
    // 2025-03-09 02:00 EST does not exist; 03:00 EDT = 07:00 UTC is the first open minute.
    expect(nextOpening(hours, at('2025-03-09T05:00:00Z'))).toEqual(at('2025-03-09T07:00:00Z'));
  });

  it('opens again in the repeated hour when the clock falls back', () => {
    const sunday: TimeRange[] = [{ start: '01:30', end: '01:45' }];
    const hours = hoursOf({ timezone: 'America/New_York', weekly: { 0: sunday, 1: [], 2: [], 3: [], 4: [], 5: [], 6: [] } });
    // 2025-11-02 01:30 EDT = 05:30 UTC and 01:30 EST = 06:30 UTC.
    expect(nextOpening(hours, at('2025-11-02T05:00:00Z'))).toEqual(at('2025-11-02T05:30:00Z'));
    expect(nextOpening(hours, at('2025-11-02T05:50:00Z'))).toEqual(at('2025-11-02T06:30:00Z'));
  });
});

describe('serviceHoursSchema', () => {
  function messagesOf(input: unknown): string[] {
    const result = serviceHoursSchema.safeParse(input);
    return result.success ? [] : result.error.issues.map((issue) => issue.message);
  }

  it('refuses a malformed time with a readable message', () => {
    const messages = messagesOf(hoursOf({ weekly: { ...hoursOf({}).weekly, 1: [{ start: '9:00', end: '18:00' }] } }));
    expect(messages).toEqual([expect.stringContaining('HH:MM')]);
    expect(messagesOf(hoursOf({ weekly: { ...hoursOf({}).weekly, 1: [{ start: '09:00', end: '24:01' }] } }))).toHaveLength(1);
  });

  it('refuses an unknown timezone and names it', () => {
    expect(messagesOf(hoursOf({ timezone: 'Mars/Olympus' }))).toEqual([expect.stringContaining('Mars/Olympus')]);
  });

  it('refuses an empty range, an impossible date, a duplicate date and an override that is neither closed nor open', () => {
    expect(messagesOf(hoursOf({ weekly: { ...hoursOf({}).weekly, 1: [{ start: '09:00', end: '09:00' }] } }))).toHaveLength(1);
    expect(messagesOf(hoursOf({ overrides: [{ date: '2025-02-30', closed: true }] }))).toHaveLength(1);
    expect(
      messagesOf(hoursOf({ overrides: [{ date: '2025-10-01', closed: true }, { date: '2025-10-01', closed: true }] })),
    ).toEqual([expect.stringContaining('2025-10-01')]);
    expect(messagesOf(hoursOf({ overrides: [{ date: '2025-10-01' }] }))).toHaveLength(1);
  });

  it('accepts 24:00 ends, ranges across midnight and overrides', () => {
    expect(
      messagesOf(
        hoursOf({
          timezone: 'America/New_York',
          weekly: { ...hoursOf({}).weekly, 5: [{ start: '22:00', end: '02:00' }, { start: '00:00', end: '24:00' }] },
          overrides: [{ date: '2024-02-29', closed: true }, { date: '2025-09-28', ranges: nine2six }],
        }),
      ),
    ).toEqual([]);
  });
});
