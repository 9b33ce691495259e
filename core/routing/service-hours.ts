import { z } from 'zod';

/** A range of wall-clock time in the service-hours timezone. */
export interface TimeRange {
  /** 'HH:MM', 00:00–23:59. */
  start: string;
  /** 'HH:MM'; '24:00' is the end of the day; an end before the start crosses midnight. */
  end: string;
}

export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** An exception for one calendar date: closed all day, or open with its own ranges. */
export interface ServiceHoursOverride {
  /** 'YYYY-MM-DD' in the service-hours timezone. */
  date: string;
  closed?: boolean;
  ranges?: TimeRange[];
}

/**
 * When human service is staffed (人工客服服务时间段).
 *
 * A range belongs to the day it starts on: Friday 22:00–02:00 covers Friday 22:00 to Saturday 02:00.
 * An override describes its whole calendar date, so a holiday on Saturday also cuts the early-morning
 * part of Friday's late range, and a special working day replaces it with its own ranges.
 */
export interface ServiceHours {
  /** false = always open. */
  enabled: boolean;
  /** IANA timezone, e.g. Asia/Shanghai. */
  timezone: string;
  /** 0 = Sunday … 6 = Saturday. */
  weekly: Record<Weekday, TimeRange[]>;
  overrides: ServiceHoursOverride[];
}

const startPattern = /^([01]\d|2[0-3]):[0-5]\d$/;
const endPattern = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const datePattern = /^\d{4}-\d{2}-\d{2}$/;

function isKnownTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

function isCalendarDate(date: string): boolean {
  if (!datePattern.test(date)) return false;
  const [y, m, d] = date.split('-').map(Number);
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

const timeRangeSchema = z
  .object({
    start: z.string().regex(startPattern, { error: 'start must be a time HH:MM between 00:00 and 23:59, e.g. 09:00' }),
    end: z.string().regex(endPattern, { error: 'end must be a time HH:MM between 00:00 and 24:00, e.g. 18:00' }),
  })
  .refine((range) => range.start !== range.end, {
    error: 'a range must not start and end at the same time; use 00:00–24:00 for the whole day',
    path: ['end'],
  });

const rangesSchema = z.array(timeRangeSchema).max(48, { error: 'at most 48 ranges per day' });

const overrideSchema = z
  .object({
    date: z.string().refine(isCalendarDate, { error: 'date must be a calendar date YYYY-MM-DD, e.g. 2025-10-01' }),
    closed: z.boolean().optional(),
    ranges: rangesSchema.optional(),
  })
  .refine((o) => (o.closed === true) !== (o.ranges !== undefined && o.ranges.length > 0), {
    error: 'an override is either closed: true (a holiday) or has ranges (a special working day), not both or neither',
  });

/** Validates service hours settings; messages name the field and show an example value. */
export const serviceHoursSchema: z.ZodType<ServiceHours> = z
  .object({
    enabled: z.boolean(),
    timezone: z
      .string()
      .refine(isKnownTimezone, { error: (issue) => `unknown timezone ${JSON.stringify(issue.input)}; use an IANA name such as Asia/Shanghai` }),
    weekly: z.object({
      0: rangesSchema,
      1: rangesSchema,
      2: rangesSchema,
      3: rangesSchema,
      4: rangesSchema,
      5: rangesSchema,
      6: rangesSchema,
    }),
    overrides: z.array(overrideSchema),
  })
  .superRefine((hours, ctx) => {
    const seen = new Set<string>();
    hours.overrides.forEach((o, index) => {
      if (seen.has(o.date)) {
        ctx.addIssue({ code: 'custom', message: `date ${o.date} has more than one override`, path: ['overrides', index, 'date'] });
      }
      seen.add(o.date);
    });
  });

const officeDay: TimeRange[] = [{ start: '09:00', end: '18:00' }];

/** Mon–Fri 09:00–18:00 Asia/Shanghai, switched off so a fresh install is always open. */
export const defaultServiceHours: ServiceHours = {
  enabled: false,
  timezone: 'Asia/Shanghai',
  weekly: { 0: [], 1: officeDay, 2: officeDay, 3: officeDay, 4: officeDay, 5: officeDay, 6: [] },
  overrides: [],
};

interface LocalTime {
  /** Days since 1970-01-01 of the local calendar date. */
  day: number;
  /** Minutes since local midnight. */
  minute: number;
}

const msPerMinute = 60_000;
const msPerDay = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** The wall clock at an instant, as milliseconds of a UTC date carrying the same fields. */
function wallClockMs(timezone: string, at: number): number {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timezone).formatToParts(at)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
}

/** UTC offset in ms (local = UTC + offset) at an instant, to the second. */
function offsetAt(timezone: string, at: number): number {
  return wallClockMs(timezone, at) - Math.floor(at / 1000) * 1000;
}

function localTimeAt(timezone: string, at: number): LocalTime {
  const wall = wallClockMs(timezone, at);
  const day = Math.floor(wall / msPerDay);
  return { day, minute: Math.floor((wall - day * msPerDay) / msPerMinute) };
}

function dateKey(day: number): string {
  return new Date(day * msPerDay).toISOString().slice(0, 10);
}

function weekdayOf(day: number): Weekday {
  // 1970-01-01 was a Thursday.
  return (((day + 4) % 7) + 7) % 7 as Weekday;
}

function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

interface DayPlan {
  ranges: TimeRange[];
  overridden: boolean;
}

function planFor(hours: ServiceHours, day: number): DayPlan {
  const key = dateKey(day);
  const override = hours.overrides.find((o) => o.date === key);
  if (override !== undefined) return { ranges: override.closed === true ? [] : (override.ranges ?? []), overridden: true };
  return { ranges: hours.weekly[weekdayOf(day)] ?? [], overridden: false };
}

function isOpenAtLocal(hours: ServiceHours, local: LocalTime): boolean {
  const today = planFor(hours, local.day);
  for (const range of today.ranges) {
    const start = minutesOf(range.start);
    const end = minutesOf(range.end);
    if (end > start ? local.minute >= start && local.minute < end : local.minute >= start) return true;
  }
  if (today.overridden) return false;
  for (const range of planFor(hours, local.day - 1).ranges) {
    const start = minutesOf(range.start);
    const end = minutesOf(range.end);
    if (end < start && local.minute < end) return true;
  }
  return false;
}

/**
 * Whether human service is open at an instant. Always true when `enabled` is false. Minutes are
 * whole: 18:00 is closed for a range ending at 18:00.
 */
export function isWithinServiceHours(hours: ServiceHours, at: Date): boolean {
  if (!hours.enabled) return true;
  return isOpenAtLocal(hours, localTimeAt(hours.timezone, at.getTime()));
}

const searchDays = 14;

/**
 * The first instant at or after `from` when service is open: `from` itself when already open (or
 * when service hours are disabled), otherwise the start of the next range, or null when nothing
 * opens within 14 days. Daylight-saving gaps and repeated hours are handled: a range starting in a
 * skipped hour opens when the clock jumps forward.
 */
export function nextOpening(hours: ServiceHours, from: Date): Date | null {
  if (isWithinServiceHours(hours, from)) return new Date(from.getTime());
  const timezone = hours.timezone;
  const fromMs = from.getTime();
  const limitMs = fromMs + searchDays * msPerDay;
  const firstDay = localTimeAt(timezone, fromMs).day;

  const candidates: number[] = [];
  for (let day = firstDay - 1; day <= firstDay + searchDays + 1; day += 1) {
    for (const range of planFor(hours, day).ranges) {
      candidates.push(...instantsOfWallTime(timezone, day * msPerDay + minutesOf(range.start) * msPerMinute));
    }
  }
  // A clock change can move the wall clock into an open range without passing a range start.
  candidates.push(...offsetChanges(timezone, fromMs, limitMs));

  candidates.sort((a, b) => a - b);
  for (const candidate of candidates) {
    if (candidate <= fromMs || candidate > limitMs) continue;
    if (isOpenAtLocal(hours, localTimeAt(timezone, candidate))) return new Date(candidate);
  }
  return null;
}

/**
 * Every instant whose wall clock reads `wallMs`: one normally, two in a repeated hour, and in a
 * skipped hour the moment the clock jumps forward.
 */
function instantsOfWallTime(timezone: string, wallMs: number): number[] {
  const before = offsetAt(timezone, wallMs - msPerDay);
  const after = offsetAt(timezone, wallMs + msPerDay);
  const instants = [...new Set([wallMs - before, wallMs - after])].filter((t) => wallClockMs(timezone, t) === wallMs);
  if (instants.length > 0) return instants;
  return [findOffsetChange(timezone, Math.min(wallMs - before, wallMs - after), Math.max(wallMs - before, wallMs - after))];
}

/** Instants in (fromMs, toMs] at which the timezone's UTC offset changes, found to the minute. */
function offsetChanges(timezone: string, fromMs: number, toMs: number): number[] {
  const changes: number[] = [];
  const step = 6 * 3_600_000;
  let previous = offsetAt(timezone, fromMs);
  for (let t = fromMs; t < toMs; t += step) {
    const next = Math.min(t + step, toMs);
    const offset = offsetAt(timezone, next);
    if (offset !== previous) changes.push(findOffsetChange(timezone, t, next));
    previous = offset;
  }
  return changes;
}

/** The first minute in (lo, hi] whose offset differs from the offset at lo; assumes one change. */
function findOffsetChange(timezone: string, lo: number, hi: number): number {
  const base = offsetAt(timezone, lo);
  let low = Math.floor(lo / msPerMinute);
  let high = Math.ceil(hi / msPerMinute);
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (offsetAt(timezone, mid * msPerMinute) === base) low = mid;
    else high = mid;
  }
  return high * msPerMinute;
}
