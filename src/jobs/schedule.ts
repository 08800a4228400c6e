import { DateTime } from 'luxon';
import { OfnError } from '../core/errors.js';

/**
 * Pulse schedules, always in a named time zone: `daily HH:MM`, `weekly mon HH:MM`, `monthly D HH:MM`
 * or a five-field cron expression. A slot is identified by its local wall-clock time, so the hour
 * repeated when clocks go back fires once, and 09:00 stays 09:00 on both sides of a DST change.
 */
export interface Schedule {
  text: string;
  minute: ReadonlySet<number>;
  hour: ReadonlySet<number>;
  dayOfMonth: ReadonlySet<number> | null; // null = any
  month: ReadonlySet<number> | null;
  dayOfWeek: ReadonlySet<number> | null; // 1 = Monday … 7 = Sunday (ISO)
}

const DAYS: Record<string, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };
const SCHEDULE_HELP = 'Schedules: `daily HH:MM`, `weekly mon HH:MM`, `monthly 1 HH:MM`, or a cron expression in quotes such as `"0 9 * * 1-5"`, in the instance’s time zone.';

function time(text: string): [number, number] {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new OfnError('BadArguments', `\`${text.slice(0, 20)}\` is not a time (HH:MM).`, SCHEDULE_HELP);
  return [Number(m[1]), Number(m[2])];
}

function cronField(text: string, min: number, max: number, names?: Record<string, number>): Set<number> | null {
  if (text === '*') return null;
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|[a-z0-9]+)(?:-([a-z0-9]+))?(?:\/(\d+))?$/i.exec(part);
    if (!m) throw new OfnError('BadArguments', `\`${text.slice(0, 30)}\` is not a cron field.`, SCHEDULE_HELP);
    const value = (v: string) => {
      const n = names?.[v.toLowerCase()] ?? Number(v);
      if (!Number.isInteger(n) || n < min || n > max) throw new OfnError('BadArguments', `\`${v.slice(0, 10)}\` is out of range ${min}-${max} in a cron field.`, SCHEDULE_HELP);
      return n;
    };
    const from = m[1] === '*' ? min : value(m[1]!);
    const to = m[2] ? value(m[2]) : m[1] === '*' || m[3] ? max : from;
    const step = m[3] ? Number(m[3]) : 1;
    if (step < 1) throw new OfnError('BadArguments', 'A cron step must be at least 1.', SCHEDULE_HELP);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

export function parseSchedule(text: string): Schedule {
  const words = text.trim().toLowerCase().split(/\s+/);
  const one = (n: number) => new Set([n]);
  if (words[0] === 'daily' && words.length === 2) {
    const [h, m] = time(words[1]!);
    return { text: `daily ${words[1]}`, minute: one(m), hour: one(h), dayOfMonth: null, month: null, dayOfWeek: null };
  }
  if (words[0] === 'weekly' && words.length === 3) {
    const day = DAYS[words[1]!.slice(0, 3)];
    if (!day) throw new OfnError('BadArguments', `\`${words[1]!.slice(0, 12)}\` is not a day (mon … sun).`, SCHEDULE_HELP);
    const [h, m] = time(words[2]!);
    return { text: `weekly ${words[1]!.slice(0, 3)} ${words[2]}`, minute: one(m), hour: one(h), dayOfMonth: null, month: null, dayOfWeek: one(day) };
  }
  if (words[0] === 'monthly' && words.length === 3) {
    const day = Number(words[1]);
    if (!Number.isInteger(day) || day < 1 || day > 28) throw new OfnError('BadArguments', 'A monthly pulse runs on day 1 to 28 (every month has those).', SCHEDULE_HELP);
    const [h, m] = time(words[2]!);
    return { text: `monthly ${day} ${words[2]}`, minute: one(m), hour: one(h), dayOfMonth: one(day), month: null, dayOfWeek: null };
  }
  const fields = text.trim().replace(/^["']|["']$/g, '').split(/\s+/);
  if (fields.length === 5) {
    const dow = cronField(fields[4]!, 0, 7, { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 });
    const schedule: Schedule = {
      text: fields.join(' '),
      minute: cronField(fields[0]!, 0, 59) ?? range(0, 59),
      hour: cronField(fields[1]!, 0, 23) ?? range(0, 23),
      dayOfMonth: cronField(fields[2]!, 1, 31),
      month: cronField(fields[3]!, 1, 12),
      // cron's Sunday is 0 or 7; ISO's is 7.
      dayOfWeek: dow ? new Set([...dow].map((d) => (d === 0 ? 7 : d))) : null,
    };
    if (!canEverFire(schedule)) throw new OfnError('BadArguments', `\`${schedule.text.slice(0, 40)}\` never fires: no month has that day.`, SCHEDULE_HELP);
    return schedule;
  }
  throw new OfnError('BadArguments', `\`${text.slice(0, 40)}\` is not a schedule.`, SCHEDULE_HELP);
}

// February counts 29 days: a schedule on the 29th fires in leap years.
const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether some local date matches: day-of-month and month together (`31 2`) can be impossible;
 * any possible date falls on every weekday in some year, so the day of week never makes it impossible.
 */
export function canEverFire(schedule: Pick<Schedule, 'dayOfMonth' | 'month'>): boolean {
  if (!schedule.dayOfMonth) return true;
  const months = schedule.month ? [...schedule.month] : range(1, 12);
  return [...months].some((m) => [...schedule.dayOfMonth!].some((d) => d <= DAYS_IN_MONTH[m]!));
}

function range(from: number, to: number): Set<number> {
  return new Set(Array.from({ length: to - from + 1 }, (_, i) => from + i));
}

function matches(schedule: Schedule, local: DateTime): boolean {
  return (
    schedule.minute.has(local.minute) &&
    schedule.hour.has(local.hour) &&
    (!schedule.month || schedule.month.has(local.month)) &&
    (!schedule.dayOfMonth || schedule.dayOfMonth.has(local.day)) &&
    (!schedule.dayOfWeek || schedule.dayOfWeek.has(local.weekday))
  );
}

/** A slot: the instant it is due and its local wall-clock name (the ledger key). */
export interface Slot {
  at: Date;
  local: string; // e.g. 2026-10-26T09:00 in the schedule's zone
}

/**
 * The slots due in (after, upTo], oldest first, at most `limit`. Walks minute by minute in UTC and
 * names each minute in local time; a local minute seen twice (clocks going back) is returned once.
 */
export function slotsBetween(schedule: Schedule, timezone: string, after: Date, upTo: Date, limit = 1_000): Slot[] {
  const slots: Slot[] = [];
  const seen = new Set<string>();
  const minute = 60_000;
  let t = Math.floor(after.getTime() / minute) * minute + minute;
  for (; t <= upTo.getTime() && slots.length < limit; t += minute) {
    const local = DateTime.fromMillis(t, { zone: timezone });
    if (!matches(schedule, local)) continue;
    const name = local.toFormat("yyyy-LL-dd'T'HH:mm");
    if (seen.has(name)) continue;
    seen.add(name);
    slots.push({ at: new Date(t), local: name });
  }
  return slots;
}

/** The next slot after `after` (searching up to ~13 months ahead), for `pulse list`. */
export function nextSlot(schedule: Schedule, timezone: string, after: Date): Slot | undefined {
  // Jump a day at a time on day-level mismatches to keep this cheap.
  let t = DateTime.fromJSDate(after, { zone: timezone }).startOf('minute').plus({ minutes: 1 });
  const end = t.plus({ months: 13 });
  while (t < end) {
    const dayOk = (!schedule.month || schedule.month.has(t.month)) && (!schedule.dayOfMonth || schedule.dayOfMonth.has(t.day)) && (!schedule.dayOfWeek || schedule.dayOfWeek.has(t.weekday));
    if (!dayOk) {
      t = t.plus({ days: 1 }).startOf('day');
      continue;
    }
    const found = slotsBetween(schedule, timezone, new Date(t.toMillis() - 60_000), t.endOf('day').toJSDate(), 1)[0];
    if (found) return found;
    t = t.plus({ days: 1 }).startOf('day');
  }
  return undefined;
}
