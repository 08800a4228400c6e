import { Cron } from 'croner';
import { DateTime } from 'luxon';
import { OfnError } from '../core/errors.js';

/**
 * Pulse schedules, always in a named time zone: `daily HH:MM`, `weekly mon HH:MM`, `monthly D HH:MM`
 * or a five-field cron expression, walked by croner. A slot is identified by its local wall-clock
 * time, so the hour repeated when clocks go back fires once, a time that does not exist that day is
 * skipped, and 09:00 stays 09:00 on both sides of a DST change.
 */
export interface Schedule {
  /** As typed and shown (`weekly mon 09:00`). */
  text: string;
  /** The same as a cron expression (`0 9 * * 1`). */
  cron: string;
}

const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const SCHEDULE_HELP = 'Schedules: `daily HH:MM`, `weekly mon HH:MM`, `monthly 1 HH:MM`, or a cron expression in quotes such as `"0 9 * * 1-5"`, in the instance’s time zone.';

function time(text: string): [number, number] {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new OfnError('BadArguments', `\`${text.slice(0, 20)}\` is not a time (HH:MM).`, SCHEDULE_HELP);
  return [Number(m[1]), Number(m[2])];
}

/** croner with our semantics: five fields, day of month AND day of week (as `monthly 1` reads), in `timezone`. */
function cronOf(schedule: Schedule, timezone?: string): Cron {
  return new Cron(schedule.cron, { paused: true, mode: '5-part', domAndDow: true, ...(timezone ? { timezone } : {}) });
}

export function parseSchedule(text: string): Schedule {
  const words = text.trim().toLowerCase().split(/\s+/);
  if (words[0] === 'daily' && words.length === 2) {
    const [h, m] = time(words[1]!);
    return { text: `daily ${words[1]}`, cron: `${m} ${h} * * *` };
  }
  if (words[0] === 'weekly' && words.length === 3) {
    const day = DAYS[words[1]!.slice(0, 3)];
    if (day === undefined) throw new OfnError('BadArguments', `\`${words[1]!.slice(0, 12)}\` is not a day (mon … sun).`, SCHEDULE_HELP);
    const [h, m] = time(words[2]!);
    return { text: `weekly ${words[1]!.slice(0, 3)} ${words[2]}`, cron: `${m} ${h} * * ${day}` };
  }
  if (words[0] === 'monthly' && words.length === 3) {
    const day = Number(words[1]);
    if (!Number.isInteger(day) || day < 1 || day > 28) throw new OfnError('BadArguments', 'A monthly pulse runs on day 1 to 28 (every month has those).', SCHEDULE_HELP);
    const [h, m] = time(words[2]!);
    return { text: `monthly ${day} ${words[2]}`, cron: `${m} ${h} ${day} * *` };
  }
  const fields = text.trim().replace(/^["']|["']$/g, '').split(/\s+/);
  if (fields.length !== 5) throw new OfnError('BadArguments', `\`${text.slice(0, 40)}\` is not a schedule.`, SCHEDULE_HELP);
  const schedule = { text: fields.join(' '), cron: fields.join(' ') };
  let cron: Cron;
  try {
    cron = cronOf(schedule);
  } catch (error) {
    throw new OfnError('BadArguments', `\`${schedule.text.slice(0, 40)}\` is not a cron expression: ${(error as Error).message.replace(/^CronPattern: /, '').slice(0, 120)}.`, SCHEDULE_HELP);
  }
  if (!cron.nextRun()) throw new OfnError('BadArguments', `\`${schedule.text.slice(0, 40)}\` never fires: no month has that day.`, SCHEDULE_HELP);
  return schedule;
}

/** A slot: the instant it is due and its local wall-clock name (the ledger key). */
export interface Slot {
  at: Date;
  local: string; // e.g. 2026-10-26T09:00 in the schedule's zone
}

/**
 * The slots due in (after, upTo], oldest first, at most `limit`, each local wall-clock time once:
 * the repeated hour when clocks go back gives one slot, a time in the gap when they go forward none.
 */
export function slotsBetween(schedule: Schedule, timezone: string, after: Date, upTo: Date, limit = 1_000): Slot[] {
  const cron = cronOf(schedule, timezone);
  const slots: Slot[] = [];
  const seen = new Set<string>();
  for (let at = cron.nextRun(after); at && at <= upTo && slots.length < limit; at = cron.nextRun(at)) {
    // croner runs a fixed-time job whose time is in the spring gap at the first valid time after it: not ours.
    if (!cron.match(at)) continue;
    const local = DateTime.fromJSDate(at, { zone: timezone }).toFormat("yyyy-LL-dd'T'HH:mm");
    if (seen.has(local)) continue;
    seen.add(local);
    slots.push({ at, local });
  }
  return slots;
}

/** The next slot after `after` (within 13 months), for `pulse list`; undefined when none. */
export function nextSlot(schedule: Schedule, timezone: string, after: Date): Slot | undefined {
  return slotsBetween(schedule, timezone, after, DateTime.fromJSDate(after).plus({ months: 13 }).toJSDate(), 1)[0];
}
