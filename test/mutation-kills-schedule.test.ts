/**
 * Pulse schedules (src/core/schedule.ts): every form and what it becomes as cron, what is refused and
 * how, and the slots named in local time: (after, upTo], the limit, day of month AND day of week, the
 * DST gap and the repeated hour. Written for `npm run mutate` (issue 19).
 */
import { describe, expect, it } from 'vitest';
import { Cron } from 'croner';
import { nextSlot, parseSchedule, slotsBetween } from '../src/core/schedule.js';
import { OfnError } from '../src/core/errors.js';

const MADRID = 'Europe/Madrid';
const HELP = 'Schedules: `daily HH:MM`, `weekly mon HH:MM`, `monthly 1 HH:MM`, or a cron expression in quotes such as `"0 9 * * 1-5"`, in the instance’s time zone.';

function refusal(text: string): OfnError {
  try {
    parseSchedule(text);
  } catch (error) {
    expect(error).toBeInstanceOf(OfnError);
    expect((error as OfnError).code).toBe('BadArguments');
    expect((error as OfnError).hint).toBe(HELP);
    return error as OfnError;
  }
  throw new Error(`${text} was accepted`);
}

const locals = (text: string, zone: string, after: string, upTo: string, limit?: number) => slotsBetween(parseSchedule(text), zone, new Date(after), new Date(upTo), limit).map((s) => s.local);

describe('parsing schedules', () => {
  it('turns daily HH:MM into cron, any case and spacing', () => {
    expect(parseSchedule('daily 07:30')).toEqual({ text: 'daily 07:30', cron: '30 7 * * *' });
    expect(parseSchedule('  DAILY   9:05 ')).toEqual({ text: 'daily 9:05', cron: '5 9 * * *' });
    expect(parseSchedule('daily 00:00')).toEqual({ text: 'daily 00:00', cron: '0 0 * * *' });
    expect(parseSchedule('daily 23:59')).toEqual({ text: 'daily 23:59', cron: '59 23 * * *' });
  });

  it('refuses times that are not HH:MM within a day', () => {
    for (const bad of ['24:00', '23:60', '9:5', '123:00', '09:000', 'x09:00', '09:00x', 'nine']) {
      expect(refusal(`daily ${bad}`).message, bad).toBe(`\`${bad}\` is not a time (HH:MM).`);
    }
    expect(refusal(`daily ${'1'.repeat(30)}`).message).toBe(`\`${'1'.repeat(20)}\` is not a time (HH:MM).`);
  });

  it('turns weekly DAY HH:MM into cron, Sunday as 0, a day named in full cut to three letters', () => {
    const days = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 0 };
    for (const [day, n] of Object.entries(days)) expect(parseSchedule(`weekly ${day} 09:00`)).toEqual({ text: `weekly ${day} 09:00`, cron: `0 9 * * ${n}` });
    expect(parseSchedule('weekly Monday 18:45')).toEqual({ text: 'weekly mon 18:45', cron: '45 18 * * 1' });
    expect(refusal('weekly funday 09:00').message).toBe('`funday` is not a day (mon … sun).');
    expect(refusal('weekly someday-in-the-future 09:00').message).toBe('`someday-in-t` is not a day (mon … sun).');
    expect(refusal('weekly mon 9h').message).toBe('`9h` is not a time (HH:MM).');
  });

  it('turns monthly D HH:MM into cron for days 1 to 28', () => {
    expect(parseSchedule('monthly 1 09:00')).toEqual({ text: 'monthly 1 09:00', cron: '0 9 1 * *' });
    expect(parseSchedule('monthly 01 09:00')).toEqual({ text: 'monthly 1 09:00', cron: '0 9 1 * *' });
    expect(parseSchedule('monthly 28 23:15')).toEqual({ text: 'monthly 28 23:15', cron: '15 23 28 * *' });
    for (const day of ['0', '29', '31', '1.5', 'first']) {
      expect(refusal(`monthly ${day} 09:00`).message, day).toBe('A monthly pulse runs on day 1 to 28 (every month has those).');
    }
    expect(refusal('monthly 1 25:00').message).toBe('`25:00` is not a time (HH:MM).');
  });

  it('takes a five-field cron expression, in quotes or not', () => {
    expect(parseSchedule('"0 9 * * 1-5"')).toEqual({ text: '0 9 * * 1-5', cron: '0 9 * * 1-5' });
    expect(parseSchedule("'30 8 1 * *'")).toEqual({ text: '30 8 1 * *', cron: '30 8 1 * *' });
    expect(parseSchedule('  */15   9-17 * * mon-fri ')).toEqual({ text: '*/15 9-17 * * mon-fri', cron: '*/15 9-17 * * mon-fri' });
    // A leap day fires in leap years.
    expect(parseSchedule('0 9 29 2 *').cron).toBe('0 9 29 2 *');
  });

  it('strips quotes only around the expression', () => {
    expect(refusal('0 9 * * m"on').message).toMatch(/^`0 9 \* \* m"on` is not a cron expression: /);
    // One quote at either end is taken off, as a pair would be.
    expect(parseSchedule(`0 9 * * 1'`).cron).toBe('0 9 * * 1');
  });

  it('explains a bad cron expression in croner’s words, without its prefix, both cut to size', () => {
    const expression = '0 9 * * monday,tuesday,wednesday,thursday,friday,saturday,sunday,monday';
    let why = '';
    try {
      new Cron(expression, { paused: true, mode: '5-part', domAndDow: true });
    } catch (error) {
      why = (error as Error).message;
    }
    expect(why).toMatch(/^CronPattern: /);
    expect(why.length).toBeGreaterThan(13 + 120);
    expect(refusal(`"${expression}"`).message).toBe(`\`${expression.slice(0, 40)}\` is not a cron expression: ${why.slice('CronPattern: '.length, 'CronPattern: '.length + 120)}.`);
    expect(refusal('61 * * * *').message).toBe('`61 * * * *` is not a cron expression: Invalid value for minute: 61.');
  });

  it('refuses anything else, saying why', () => {
    for (const bad of ['hourly', 'daily', 'weekly mon', 'monthly 1', '0 9 * *', '0 0 9 * * *', 'daily 09:00 extra']) {
      expect(refusal(bad).message, bad).toBe(`\`${bad}\` is not a schedule.`);
    }
    expect(refusal(`${'x '.repeat(30)}`).message).toBe(`\`${'x '.repeat(30).slice(0, 40)}\` is not a schedule.`);
    expect(refusal('61 * * * *').message).toMatch(/^`61 \* \* \* \*` is not a cron expression: (?!CronPattern)\S.*\.$/);
    expect(refusal('61 * * * *').message.length).toBeLessThan(200);
    expect(refusal('59 23 31 2 *').message).toBe('`59 23 31 2 *` never fires: no month has that day.');
    expect(refusal('0 9 30 2 *').message).toBe('`0 9 30 2 *` never fires: no month has that day.');
    const never = '0,5,10,15,20,25,30,35,40,45,50,55 9 30,31 2 *';
    expect(refusal(never).message).toBe(`\`${never.slice(0, 40)}\` never fires: no month has that day.`);
  });
});

describe('slots', () => {
  it('returns the slots in (after, upTo]: one exactly at upTo is due, one exactly at after is not', () => {
    const daily = parseSchedule('daily 09:00');
    const slots = slotsBetween(daily, 'UTC', new Date('2026-11-01T09:00:00Z'), new Date('2026-11-03T09:00:00Z'));
    expect(slots).toEqual([
      { at: new Date('2026-11-02T09:00:00Z'), local: '2026-11-02T09:00' },
      { at: new Date('2026-11-03T09:00:00Z'), local: '2026-11-03T09:00' },
    ]);
    expect(slotsBetween(daily, 'UTC', new Date('2026-11-01T09:00:00Z'), new Date('2026-11-02T08:59:59Z'))).toEqual([]);
  });

  it('returns at most `limit` slots, oldest first', () => {
    expect(locals('daily 09:00', 'UTC', '2026-11-01T00:00:00Z', '2026-11-30T00:00:00Z', 3)).toEqual(['2026-11-01T09:00', '2026-11-02T09:00', '2026-11-03T09:00']);
    expect(locals('*/20 * * * *', 'UTC', '2026-11-01T00:00:00Z', '2026-11-30T00:00:00Z', 2)).toEqual(['2026-11-01T00:20', '2026-11-01T00:40']);
    // The default limit is a thousand.
    expect(slotsBetween(parseSchedule('* * * * *'), 'UTC', new Date('2026-11-01T00:00:00Z'), new Date('2026-11-02T00:00:00Z'))).toHaveLength(1_000);
  });

  it('names slots in the schedule’s zone', () => {
    const slots = slotsBetween(parseSchedule('monthly 1 09:00'), 'Australia/Melbourne', new Date('2026-10-15T00:00:00Z'), new Date('2026-12-15T00:00:00Z'));
    expect(slots.map((s) => [s.local, s.at.toISOString()])).toEqual([
      ['2026-11-01T09:00', '2026-10-31T22:00:00.000Z'],
      ['2026-12-01T09:00', '2026-11-30T22:00:00.000Z'],
    ]);
  });

  it('needs both the day of month and the day of week when both are given', () => {
    // 1 June 2026 is the only 1st of a month that is a Monday that year.
    expect(locals('0 9 1 * 1', 'UTC', '2026-01-01T00:00:00Z', '2026-12-31T00:00:00Z')).toEqual(['2026-06-01T09:00']);
    expect(locals('monthly 1 09:00', 'UTC', '2026-05-15T00:00:00Z', '2026-07-15T00:00:00Z')).toEqual(['2026-06-01T09:00', '2026-07-01T09:00']);
  });

  it('fires once in the repeated hour, and not at all in the skipped one, in Madrid', () => {
    expect(locals('*/30 2 * * *', MADRID, '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z')).toEqual(['2026-10-25T02:00', '2026-10-25T02:30']);
    expect(locals('0 2 * * *', MADRID, '2026-03-28T12:00:00Z', '2026-03-30T12:00:00Z')).toEqual(['2026-03-30T02:00']);
  });

  it('finds the next slot within thirteen months, or none', () => {
    expect(nextSlot(parseSchedule('0 9 1 1 *'), 'UTC', new Date('2026-01-02T00:00:00Z'))).toEqual({ at: new Date('2027-01-01T09:00:00Z'), local: '2027-01-01T09:00' });
    // The next 29 February is in 2028: too far to show.
    expect(nextSlot(parseSchedule('0 9 29 2 *'), 'UTC', new Date('2026-03-01T00:00:00Z'))).toBeUndefined();
    expect(nextSlot(parseSchedule('0 9 29 2 *'), 'UTC', new Date('2027-03-01T00:00:00Z'))?.local).toBe('2028-02-29T09:00');
    // Strictly after: a slot at that very instant is not the next one.
    expect(nextSlot(parseSchedule('weekly sun 10:00'), MADRID, new Date('2026-11-29T08:59:59.999Z'))).toEqual({ at: new Date('2026-11-29T09:00:00Z'), local: '2026-11-29T10:00' });
    expect(nextSlot(parseSchedule('weekly sun 10:00'), MADRID, new Date('2026-11-29T09:00:00Z'))?.local).toBe('2026-12-06T10:00');
  });
});
