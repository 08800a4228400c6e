import { Cron } from 'croner';
import { DateTime } from 'luxon';
import { OfnError } from '../core/errors.js';
import { fold } from '../core/vocabulary.js';

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
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/**
 * Schedules as people type them in every supported language (folded: no case, no accents): the
 * frequency (`semanal`, `hebdomadaire`, `wöchentlich`…) and the day (`lunes`, `dilluns`, `lundi`,
 * `Montag`, and their abbreviations), stored and shown as the English form (`weekly mon 09:00`).
 */
const FREQUENCIES = new Map<string, 'daily' | 'weekly' | 'monthly'>([
  ...['daily', 'diario', 'diaria', 'diari', 'quotidien', 'quotidienne', 'taglich'].map((w) => [w, 'daily'] as const),
  ...['weekly', 'semanal', 'setmanal', 'hebdomadaire', 'hebdo', 'wochentlich'].map((w) => [w, 'weekly'] as const),
  ...['monthly', 'mensual', 'mensuel', 'mensuelle', 'monatlich'].map((w) => [w, 'monthly'] as const),
]);
const DAY_WORDS = new Map<string, number>(
  (
    [
      // Spanish, Catalan, French, German: the day, then its usual abbreviations.
      ['domingo dom diumenge dg dimanche dim sonntag so', 0],
      ['lunes lun dilluns dl lundi montag mo', 1],
      ['martes mar dimarts dt mardi dienstag di', 2],
      ['miercoles mie mi dimecres dc mercredi mer mittwoch', 3],
      ['jueves jue dijous dj jeudi jeu donnerstag do', 4],
      ['viernes vie divendres dv vendredi ven freitag fr', 5],
      ['sabado sab dissabte ds samedi sam samstag sa', 6],
    ] as const
  ).flatMap(([words, day]) => words.split(' ').map((w) => [w, day] as const)),
);

/** Whether a word starts a schedule (`weekly`, `semanal`, `mensuel`…): where a pulse's question ends. */
export function isScheduleWord(word: string): boolean {
  return FREQUENCIES.has(fold(word));
}

function dayOf(word: string): number | undefined {
  const folded = fold(word);
  return DAY_WORDS.get(folded) ?? DAYS[folded.slice(0, 3)];
}

function time(text: string): [number, number] {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw OfnError.say('BadArguments', 'error.schedule.time', { text: text.slice(0, 20) }, 'hint.schedule');
  return [Number(m[1]), Number(m[2])];
}

/** croner with our semantics: five fields, day of month AND day of week (as `monthly 1` reads), in `timezone`. */
function cronOf(schedule: Schedule, timezone?: string): Cron {
  return new Cron(schedule.cron, { paused: true, mode: '5-part', domAndDow: true, ...(timezone ? { timezone } : {}) });
}

export function parseSchedule(text: string): Schedule {
  const words = text.trim().toLowerCase().split(/\s+/);
  const frequency = FREQUENCIES.get(fold(words[0] ?? ''));
  if (frequency === 'daily' && words.length === 2) {
    const [h, m] = time(words[1]!);
    return { text: `daily ${words[1]}`, cron: `${m} ${h} * * *` };
  }
  if (frequency === 'weekly' && words.length === 3) {
    const day = dayOf(words[1]!);
    if (day === undefined) throw OfnError.say('BadArguments', 'error.schedule.day', { text: words[1]!.slice(0, 12) }, 'hint.schedule');
    const [h, m] = time(words[2]!);
    return { text: `weekly ${DAY_NAMES[day]} ${words[2]}`, cron: `${m} ${h} * * ${day}` };
  }
  if (frequency === 'monthly' && words.length === 3) {
    const day = Number(words[1]);
    if (!Number.isInteger(day) || day < 1 || day > 28) throw OfnError.say('BadArguments', 'error.schedule.monthDay', undefined, 'hint.schedule');
    const [h, m] = time(words[2]!);
    return { text: `monthly ${day} ${words[2]}`, cron: `${m} ${h} ${day} * *` };
  }
  const fields = text.trim().replace(/^["']|["']$/g, '').split(/\s+/);
  if (fields.length !== 5) throw OfnError.say('BadArguments', 'error.schedule.notOne', { text: text.slice(0, 40) }, 'hint.schedule');
  const schedule = { text: fields.join(' '), cron: fields.join(' ') };
  let cron: Cron;
  try {
    cron = cronOf(schedule);
  } catch (error) {
    // croner's reason stays as croner writes it (English): it names the field at fault.
    throw OfnError.say('BadArguments', 'error.schedule.cron', { text: schedule.text.slice(0, 40), reason: (error as Error).message.replace(/^CronPattern: /, '').slice(0, 120) }, 'hint.schedule');
  }
  if (!cron.nextRun()) throw OfnError.say('BadArguments', 'error.schedule.never', { text: schedule.text.slice(0, 40) }, 'hint.schedule');
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
