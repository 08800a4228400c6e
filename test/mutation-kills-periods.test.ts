/**
 * Period parsing and resolution (src/core/periods.ts) on its edges: every accepted form and its bounds,
 * what is refused and how, labels, local-midnight boundaries across DST, buckets and the half-open end.
 * Written for `npm run mutate` (issue 19): no mutant of the period window may survive.
 */
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import {
  bucketContains,
  bucketsOf,
  bucketStarts,
  describeRange,
  isValidTimeZone,
  looksLikePeriod,
  parsePeriod,
  PERIOD_FORMS,
  PERIOD_HELP,
  periodLabel,
  periodLikeError,
  spanOf,
  resolvePeriod,
  toUtcTimestamp,
  type PeriodSpec,
} from '../src/core/periods.js';
import { OfnError } from '../src/core/errors.js';

const MADRID = 'Europe/Madrid';
const utc = (spec: PeriodSpec, zone: string, now: string) => {
  const p = resolvePeriod(spec, zone, new Date(now));
  return [toUtcTimestamp(p.from), toUtcTimestamp(p.to)];
};
const range = (text: string, zone = 'UTC', now = '2026-11-18T10:00:00Z') => utc(parsePeriod(text), zone, now);

function refusal(text: string): OfnError {
  try {
    parsePeriod(text);
  } catch (error) {
    expect(error).toBeInstanceOf(OfnError);
    expect((error as OfnError).code).toBe('BadPeriod');
    return error as OfnError;
  }
  throw new Error(`${text} was accepted`);
}

describe('the accepted forms', () => {
  it('lists every form in the help shown with a refusal', () => {
    expect(PERIOD_FORMS).toEqual([
      'today',
      'yesterday',
      'this-week',
      'last-week',
      'this-month',
      'last-month',
      'this-quarter',
      'last-quarter',
      'this-year',
      'last-year',
      'last-N-days',
      'last-N-weeks',
      'last-N-months',
      'YYYY',
      'YYYY-MM',
      'YYYY-QN',
      'YYYY-MM-DD',
      'YYYY-MM-DD..YYYY-MM-DD',
      'ytd',
      'october',
      'oct 2026',
      'Q3',
      '2026Q3',
      'since <date>',
      'until <date>',
      'DD/MM/YYYY',
    ]);
    expect(PERIOD_HELP).toBe(
      'Periods: today, yesterday, this-week, last-week, this-month, last-month, this-quarter, last-quarter, this-year, last-year, last-N-days, last-N-weeks, last-N-months, YYYY, YYYY-MM, YYYY-QN, YYYY-MM-DD, YYYY-MM-DD..YYYY-MM-DD, ytd, october, oct 2026, Q3, 2026Q3, since <date>, until <date>, DD/MM/YYYY. Weeks start on Monday; last-N-… counts complete days/weeks/months before the current one; a month or quarter without a year is the latest one that has begun.',
    );
    expect(refusal('whenever').hint).toBe(PERIOD_HELP);
  });

  it('parses each named period, whatever the case and surrounding space', () => {
    const named: Record<string, PeriodSpec> = {
      today: { kind: 'current', unit: 'day', offset: 0 },
      yesterday: { kind: 'current', unit: 'day', offset: -1 },
      'this-week': { kind: 'current', unit: 'week', offset: 0 },
      'last-week': { kind: 'current', unit: 'week', offset: -1 },
      'this-month': { kind: 'current', unit: 'month', offset: 0 },
      'last-month': { kind: 'current', unit: 'month', offset: -1 },
      'this-quarter': { kind: 'current', unit: 'quarter', offset: 0 },
      'last-quarter': { kind: 'current', unit: 'quarter', offset: -1 },
      'this-year': { kind: 'current', unit: 'year', offset: 0 },
      'last-year': { kind: 'current', unit: 'year', offset: -1 },
    };
    for (const [text, spec] of Object.entries(named)) {
      expect(parsePeriod(text), text).toEqual(spec);
      expect(parsePeriod(`  ${text.toUpperCase()} `), text).toEqual(spec);
      expect(periodLabel(spec)).toBe(text);
    }
  });

  it('parses last-N in singular or plural, N within its unit’s bound', () => {
    expect(parsePeriod('last-1-day')).toEqual({ kind: 'last-n', n: 1, unit: 'day' });
    expect(parsePeriod('last-12-weeks')).toEqual({ kind: 'last-n', n: 12, unit: 'week' });
    expect(parsePeriod('LAST-240-MONTHS')).toEqual({ kind: 'last-n', n: 240, unit: 'month' });
    expect(parsePeriod('last-3660-days')).toEqual({ kind: 'last-n', n: 3660, unit: 'day' });
    expect(parsePeriod('last-520-week')).toEqual({ kind: 'last-n', n: 520, unit: 'week' });
    expect(refusal('last-3661-days').message).toBe('`last-3661-days` is not a period I understand. N must be between 1 and 3660 for days.');
    expect(refusal('last-521-weeks').message).toBe('`last-521-weeks` is not a period I understand. N must be between 1 and 520 for weeks.');
    expect(refusal('last-241-months').message).toBe('`last-241-months` is not a period I understand. N must be between 1 and 240 for months.');
    expect(refusal('last-0-days').message).toBe('`last-0-days` is not a period I understand. N must be between 1 and 3660 for days.');
    for (const bad of ['last-3-years', 'last-3-dayss', 'last--3-days', 'xlast-3-days', 'last-3-days-ago', 'last-1234567890-days', 'last-three-days']) {
      expect(refusal(bad).message, bad).toBe(`\`${bad}\` is not a period I understand.`);
    }
  });

  it('parses years from 2000 to 2100', () => {
    expect(parsePeriod('2000')).toEqual({ kind: 'year', year: 2000 });
    expect(parsePeriod('2100')).toEqual({ kind: 'year', year: 2100 });
    expect(refusal('1999').message).toBe('`1999` is not a period I understand. Years go from 2000 to 2100.');
    expect(refusal('2101').message).toBe('`2101` is not a period I understand. Years go from 2000 to 2100.');
    for (const bad of ['20266', '02026', 'y2026', '2026-']) expect(refusal(bad).message, bad).toBe(`\`${bad}\` is not a period I understand.`);
  });

  it('parses quarters Q1 to Q4', () => {
    expect(parsePeriod('2026-q1')).toEqual({ kind: 'quarter', year: 2026, quarter: 1 });
    expect(parsePeriod('2026-Q4')).toEqual({ kind: 'quarter', year: 2026, quarter: 4 });
    expect(refusal('2026-Q0').message).toBe('`2026-Q0` is not a period I understand. Quarters are Q1 to Q4.');
    expect(refusal('2026-Q5').message).toBe('`2026-Q5` is not a period I understand. Quarters are Q1 to Q4.');
    expect(refusal('2101-Q1').message).toBe('`2101-Q1` is not a period I understand. Years go from 2000 to 2100.');
    for (const bad of ['2026-Q12', 'x2026-Q1', '2026-Q1x']) expect(refusal(bad).message, bad).toBe(`\`${bad}\` is not a period I understand.`);
  });

  it('parses months 01 to 12', () => {
    expect(parsePeriod('2026-01')).toEqual({ kind: 'month', year: 2026, month: 1 });
    expect(parsePeriod('2026-12')).toEqual({ kind: 'month', year: 2026, month: 12 });
    expect(refusal('2026-00').message).toBe('`2026-00` is not a period I understand. Months are 01 to 12.');
    expect(refusal('2026-13').message).toBe('`2026-13` is not a period I understand. Months are 01 to 12.');
    expect(refusal('1999-12').message).toBe('`1999-12` is not a period I understand. Years go from 2000 to 2100.');
    for (const bad of ['2026-1', '2026-123', 'x2026-10', '2026-10x']) expect(refusal(bad).message, bad).toBe(`\`${bad}\` is not a period I understand.`);
  });

  it('parses calendar dates, leap days included', () => {
    expect(parsePeriod('2024-02-29')).toEqual({ kind: 'day', year: 2024, month: 2, day: 29 });
    expect(parsePeriod('2026-12-31')).toEqual({ kind: 'day', year: 2026, month: 12, day: 31 });
    expect(refusal('2026-02-29').message).toBe('`2026-02-29` is not a period I understand. 2026-02-29 is not a date.');
    expect(refusal('2026-04-31').message).toBe('`2026-04-31` is not a period I understand. 2026-04-31 is not a date.');
    expect(refusal('1999-12-31').message).toBe('`1999-12-31` is not a period I understand. Years go from 2000 to 2100.');
    for (const bad of ['2026-1-01', '2026-01-1', 'x2026-01-01', '2026-01-01x']) expect(refusal(bad).message, bad).toBe(`\`${bad}\` is not a period I understand.`);
  });

  it('parses ranges whose end is not before their start, comparing year, then month, then day', () => {
    expect(parsePeriod('2026-10-30..2026-11-02')).toEqual({ kind: 'range', from: { year: 2026, month: 10, day: 30 }, to: { year: 2026, month: 11, day: 2 } });
    expect(parsePeriod('2026-10-30..2026-10-30').kind).toBe('range');
    // A later year wins over an earlier month or day; a later month over an earlier day.
    expect(parsePeriod('2025-12-31..2026-01-01').kind).toBe('range');
    expect(parsePeriod('2026-09-30..2026-10-01').kind).toBe('range');
    for (const bad of ['2026-01-01..2025-12-31', '2026-10-01..2026-09-30', '2026-10-02..2026-10-01']) {
      expect(refusal(bad).message, bad).toBe(`\`${bad}\` is not a period I understand. The range ends before it starts.`);
    }
    expect(refusal('2026-10-01..2026-02-30').message).toBe('`2026-10-01..2026-02-30` is not a period I understand. 2026-02-30 is not a date.');
    expect(refusal('2026-02-30..2026-10-01').message).toBe('`2026-02-30..2026-10-01` is not a period I understand. 2026-02-30 is not a date.');
    expect(refusal('1999-10-01..2026-10-01').message).toBe('`1999-10-01..2026-10-01` is not a period I understand. Years go from 2000 to 2100.');
    expect(refusal('2026-10-01..2101-10-01').message).toBe('`2026-10-01..2101-10-01` is not a period I understand. Years go from 2000 to 2100.');
    for (const bad of ['2026-10-01...2026-10-02', '2026-10-01..2026-10-02x', 'x2026-10-01..2026-10-02']) expect(refusal(bad).message, bad).toBe(`\`${bad}\` is not a period I understand.`);
  });

  it('cuts a long refused word to 40 characters in the message', () => {
    const long = `2026-${'x'.repeat(60)}`;
    expect(refusal(long).message).toBe(`\`${long.slice(0, 40)}…\` is not a period I understand.`);
    const forty = `last-${'y'.repeat(35)}`;
    expect(refusal(forty).message).toBe(`\`${forty}\` is not a period I understand.`);
  });

  it('does not find a period in an object prototype', () => {
    for (const word of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) expect(refusal(word).message).toBe(`\`${word}\` is not a period I understand.`);
  });
});

describe('looksLikePeriod', () => {
  it('recognises named periods, anything starting with a year, and last-/this-/next- words', () => {
    for (const word of ['today', 'LAST-MONTH', '2026', '2026-13', '2026-whatever', 'last-fortnight', 'this-decade', 'next-week', 'Next-Month']) expect(looksLikePeriod(word), word).toBe(true);
    for (const word of ['katuma', 'turnover', '202', '20261', 'x2026', 'lastmonth', 'the-last-week', 'week', 'next', 'constructor']) expect(looksLikePeriod(word), word).toBe(false);
  });
});

describe('labels', () => {
  it('names every kind canonically', () => {
    expect(periodLabel({ kind: 'last-n', n: 3, unit: 'month' })).toBe('last-3-months');
    expect(periodLabel({ kind: 'last-n', n: 1, unit: 'day' })).toBe('last-1-days');
    expect(periodLabel({ kind: 'year', year: 2026 })).toBe('2026');
    expect(periodLabel({ kind: 'quarter', year: 2026, quarter: 3 })).toBe('2026-Q3');
    expect(periodLabel({ kind: 'month', year: 2026, month: 3 })).toBe('2026-03');
    expect(periodLabel({ kind: 'month', year: 2026, month: 11 })).toBe('2026-11');
    expect(periodLabel({ kind: 'day', year: 2026, month: 3, day: 7 })).toBe('2026-03-07');
    expect(periodLabel({ kind: 'day', year: 2026, month: 12, day: 25 })).toBe('2026-12-25');
    expect(periodLabel({ kind: 'range', from: { year: 2026, month: 1, day: 2 }, to: { year: 2027, month: 3, day: 4 } })).toBe('2026-01-02..2027-03-04');
    expect(periodLabel(parsePeriod('2026-10-30..2026-11-12'))).toBe('2026-10-30..2026-11-12');
  });

  it('labels the resolved period with the canonical text and keeps the zone', () => {
    const p = resolvePeriod(parsePeriod('LAST-3-MONTH'), MADRID, new Date('2026-11-18T10:00:00Z'));
    expect(p.label).toBe('last-3-months');
    expect(p.timezone).toBe(MADRID);
    expect(p.from.zoneName).toBe(MADRID);
  });
});

describe('resolution at local midnights', () => {
  it('resolves days, weeks, months, quarters and years around an instant, in the instance zone', () => {
    // Sunday 2026-11-22 23:30 in Madrid (22:30 UTC): still Sunday locally, the week began Monday the 16th.
    const now = '2026-11-22T22:30:00Z';
    expect(range('today', MADRID, now)).toEqual(['2026-11-21 23:00:00.000', '2026-11-22 23:00:00.000']);
    expect(range('yesterday', MADRID, now)).toEqual(['2026-11-20 23:00:00.000', '2026-11-21 23:00:00.000']);
    expect(range('this-week', MADRID, now)).toEqual(['2026-11-15 23:00:00.000', '2026-11-22 23:00:00.000']);
    expect(range('last-week', MADRID, now)).toEqual(['2026-11-08 23:00:00.000', '2026-11-15 23:00:00.000']);
    expect(range('this-month', MADRID, now)).toEqual(['2026-10-31 23:00:00.000', '2026-11-30 23:00:00.000']);
    expect(range('this-quarter', MADRID, now)).toEqual(['2026-09-30 22:00:00.000', '2026-12-31 23:00:00.000']);
    expect(range('last-quarter', MADRID, now)).toEqual(['2026-06-30 22:00:00.000', '2026-09-30 22:00:00.000']);
    expect(range('this-year', MADRID, now)).toEqual(['2025-12-31 23:00:00.000', '2026-12-31 23:00:00.000']);
    expect(range('last-year', MADRID, now)).toEqual(['2024-12-31 23:00:00.000', '2025-12-31 23:00:00.000']);
    // One hour later it is Monday in Madrid: a new week and a new day.
    expect(range('this-week', MADRID, '2026-11-22T23:00:00Z')).toEqual(['2026-11-22 23:00:00.000', '2026-11-29 23:00:00.000']);
    expect(range('today', MADRID, '2026-11-22T23:00:00Z')).toEqual(['2026-11-22 23:00:00.000', '2026-11-23 23:00:00.000']);
  });

  it('counts last-N whole units before the current one', () => {
    const now = '2026-11-18T10:00:00Z'; // a Wednesday
    expect(range('last-1-day', 'UTC', now)).toEqual(['2026-11-17 00:00:00.000', '2026-11-18 00:00:00.000']);
    expect(range('last-2-weeks', 'UTC', now)).toEqual(['2026-11-02 00:00:00.000', '2026-11-16 00:00:00.000']);
    expect(range('last-1-month', 'UTC', now)).toEqual(['2026-10-01 00:00:00.000', '2026-11-01 00:00:00.000']);
    expect(range('last-12-months', MADRID, now)).toEqual(['2025-10-31 23:00:00.000', '2026-10-31 23:00:00.000']);
  });

  it('resolves explicit years, quarters, months, days and ranges at local midnight, across DST', () => {
    const now = '2026-11-18T10:00:00Z';
    expect(range('2026', MADRID, now)).toEqual(['2025-12-31 23:00:00.000', '2026-12-31 23:00:00.000']);
    expect(range('2026-Q1', MADRID, now)).toEqual(['2025-12-31 23:00:00.000', '2026-03-31 22:00:00.000']);
    expect(range('2026-Q3', MADRID, now)).toEqual(['2026-06-30 22:00:00.000', '2026-09-30 22:00:00.000']);
    expect(range('2026-Q4', 'UTC', now)).toEqual(['2026-10-01 00:00:00.000', '2027-01-01 00:00:00.000']);
    expect(range('2026-03', MADRID, now)).toEqual(['2026-02-28 23:00:00.000', '2026-03-31 22:00:00.000']);
    expect(range('2026-10-25', MADRID, now)).toEqual(['2026-10-24 22:00:00.000', '2026-10-25 23:00:00.000']); // 25 hours
    expect(range('2026-03-29', MADRID, now)).toEqual(['2026-03-28 23:00:00.000', '2026-03-29 22:00:00.000']); // 23 hours
    expect(range('2026-03-28..2026-03-29', MADRID, now)).toEqual(['2026-03-27 23:00:00.000', '2026-03-29 22:00:00.000']);
    expect(range('2026-10-31..2026-10-31', 'Australia/Melbourne', now)).toEqual(['2026-10-30 13:00:00.000', '2026-10-31 13:00:00.000']);
  });

  it('resolves a day whose midnight does not exist to its first instant', () => {
    // Santiago de Chile springs forward at midnight: 2026-09-06 starts at 01:00 local (04:00 UTC).
    // The next day still starts at its own midnight (03:00 UTC), not at 01:00 like the day before.
    expect(range('2026-09-06', 'America/Santiago')).toEqual(['2026-09-06 04:00:00.000', '2026-09-07 03:00:00.000']);
    expect(range('today', 'America/Santiago', '2026-09-06T15:00:00Z')).toEqual(['2026-09-06 04:00:00.000', '2026-09-07 03:00:00.000']);
    expect(range('2026-09-01..2026-09-06', 'America/Santiago')).toEqual(['2026-09-01 04:00:00.000', '2026-09-07 03:00:00.000']);
    expect(range('yesterday', 'America/Santiago', '2026-09-07T15:00:00Z')).toEqual(['2026-09-06 04:00:00.000', '2026-09-07 03:00:00.000']);
    const days = bucketsOf(resolvePeriod(parsePeriod('2026-09-05..2026-09-08'), 'America/Santiago', new Date('2026-09-20T00:00:00Z')), 'day');
    expect(days).toEqual({
      dates: ['2026-09-05', '2026-09-06', '2026-09-07', '2026-09-08'],
      utcBoundaries: ['2026-09-05 04:00:00.000', '2026-09-06 04:00:00.000', '2026-09-07 03:00:00.000', '2026-09-08 03:00:00.000', '2026-09-09 03:00:00.000'],
    });
  });

  it('knows a time zone from a typo', () => {
    expect(isValidTimeZone('Europe/Madrid')).toBe(true);
    expect(isValidTimeZone('Europe/Madird')).toBe(false);
  });
});

describe('buckets and the half-open end', () => {
  // Resolved inside each test, never at load time (Stryker would count those mutants as static).
  const october = () => resolvePeriod(parsePeriod('2026-10'), MADRID, new Date('2026-11-15T00:00:00Z'));

  it('gives each bucket that overlaps the period, and the UTC end of the last one', () => {
    expect(bucketsOf(october(), 'month')).toEqual({ dates: ['2026-10-01'], utcBoundaries: ['2026-09-30 22:00:00.000', '2026-10-31 23:00:00.000'] });
    const weeks = bucketsOf(october(), 'week');
    // Clipped to the period: the first week starts (and counts) from 1 Oct (issue 13).
    expect(weeks.dates).toEqual(['2026-10-01', '2026-10-05', '2026-10-12', '2026-10-19', '2026-10-26']);
    expect(weeks.utcBoundaries).toEqual(['2026-09-30 22:00:00.000', '2026-10-04 22:00:00.000', '2026-10-11 22:00:00.000', '2026-10-18 22:00:00.000', '2026-10-25 23:00:00.000', '2026-11-01 23:00:00.000']);
    const days = bucketsOf(october(), 'day');
    expect(days.dates).toHaveLength(31);
    expect(days.dates[0]).toBe('2026-10-01');
    expect(days.dates.at(-1)).toBe('2026-10-31');
    expect(days.utcBoundaries).toHaveLength(32);
    expect(days.utcBoundaries.slice(24, 27)).toEqual(['2026-10-24 22:00:00.000', '2026-10-25 23:00:00.000', '2026-10-26 23:00:00.000']);
    expect(days.utcBoundaries.at(-1)).toBe('2026-10-31 23:00:00.000');
  });

  it('has no bucket starting at the end of the period', () => {
    const day = resolvePeriod(parsePeriod('2026-10-31'), MADRID, new Date('2026-11-15T00:00:00Z'));
    expect(bucketsOf(day, 'day')).toEqual({ dates: ['2026-10-31'], utcBoundaries: ['2026-10-30 23:00:00.000', '2026-10-31 23:00:00.000'] });
    expect(bucketStarts(resolvePeriod(parsePeriod('2026-Q4'), MADRID, new Date('2026-11-15T00:00:00Z')), 'month')).toEqual(['2026-10-01', '2026-11-01', '2026-12-01']);
    expect(bucketStarts(day, 'month')).toEqual(['2026-10-31']); // clipped to the period
  });
});

describe('describeRange', () => {
  it('names one day once, a longer period by its first and last day, in the locale', () => {
    const now = new Date('2026-11-15T00:00:00Z');
    expect(describeRange(resolvePeriod(parsePeriod('2026-10'), MADRID, now))).toBe('1 Oct 2026 – 31 Oct 2026');
    expect(describeRange(resolvePeriod(parsePeriod('2026-10-25'), MADRID, now))).toBe('25 Oct 2026');
    expect(describeRange(resolvePeriod(parsePeriod('2026-10-25..2026-10-26'), MADRID, now))).toBe('25 Oct 2026 – 26 Oct 2026');
    expect(describeRange(resolvePeriod(parsePeriod('2026-10'), MADRID, now), 'es-ES', 'es')).toBe('1 oct 2026 – 31 oct 2026');
    // An English answer at a Spanish instance: English month names (never "1 oct" in English text).
    expect(describeRange(resolvePeriod(parsePeriod('2026-10'), MADRID, now), 'es-ES')).toBe('1 Oct 2026 – 31 Oct 2026');
    expect(describeRange(resolvePeriod(parsePeriod('2026-10'), MADRID, now), 'en-GB', 'fr')).toBe('1 oct. 2026 – 31 oct. 2026');
  });
});

describe('periods not over, and periods not started', () => {
  const resolve = (text: string, zone: string, now: string) => resolvePeriod(parsePeriod(text), zone, new Date(now));

  it('marks a period that is not over with the instant asked, in the instance zone', () => {
    const now = '2026-11-18T10:00:00Z';
    const thisMonth = resolve('this-month', MADRID, now);
    expect(thisMonth.asOf?.toMillis()).toBe(Date.parse(now));
    expect(thisMonth.asOf?.zoneName).toBe(MADRID);
    expect(thisMonth.future).toBeUndefined();
    const lastMonth = resolve('last-month', MADRID, now);
    expect('asOf' in lastMonth).toBe(false);
    expect('future' in lastMonth).toBe(false);
  });

  it('is over exactly at its end, and not a millisecond before', () => {
    // October in Madrid ends at 2026-10-31 23:00 UTC.
    expect(resolve('2026-10', MADRID, '2026-10-31T23:00:00Z').asOf).toBeUndefined();
    expect(resolve('2026-10', MADRID, '2026-10-31T22:59:59.999Z').asOf?.toMillis()).toBe(Date.parse('2026-10-31T22:59:59.999Z'));
  });

  it('has started exactly at its start, and not a millisecond before', () => {
    // December in Madrid starts at 2026-11-30 23:00 UTC.
    expect(resolve('2026-12', MADRID, '2026-11-30T23:00:00Z').future).toBeUndefined();
    expect(resolve('2026-12', MADRID, '2026-11-30T22:59:59.999Z').future).toBe(true);
    expect(resolve('2027', MADRID, '2026-11-18T10:00:00Z')).toMatchObject({ future: true });
  });

  it('describes a period to date up to the local day asked, and one not started as such', () => {
    // 20:00 UTC on 15 November is already the 16th in Melbourne.
    expect(describeRange(resolve('this-month', 'Australia/Melbourne', '2026-11-15T20:00:00Z'))).toBe('1 Nov 2026 – 16 Nov 2026, to date');
    expect(describeRange(resolve('this-month', MADRID, '2026-11-01T08:00:00Z'))).toBe('1 Nov 2026, to date');
    expect(describeRange(resolve('2027-01', MADRID, '2026-11-18T10:00:00Z'))).toBe('1 Jan 2027 – 31 Jan 2027, not started yet');
    expect(describeRange(resolve('2027-01-05', MADRID, '2026-11-18T10:00:00Z'), 'es-ES')).toBe('5 Jan 2027 – 5 Jan 2027, not started yet');
  });
});

describe('bucketContains: the bucket that is not over', () => {
  const madrid = (local: string) => DateTime.fromISO(local, { zone: MADRID });

  it('contains the instants from its local start, inclusive, to the next bucket, exclusive', () => {
    expect(bucketContains('2026-11-18', 'day', madrid('2026-11-18T10:00'))).toBe(true);
    expect(bucketContains('2026-11-18', 'day', madrid('2026-11-18T00:00'))).toBe(true);
    expect(bucketContains('2026-11-18', 'day', madrid('2026-11-19T00:00'))).toBe(false);
    expect(bucketContains('2026-11-18', 'day', madrid('2026-11-17T23:59:59.999'))).toBe(false);
    // Local midnight, not UTC's: 00:30 in Madrid is still the 17th in UTC.
    expect(bucketContains('2026-11-18', 'day', madrid('2026-11-18T00:30'))).toBe(true);
    expect(bucketContains('2026-11-17', 'day', madrid('2026-11-18T00:30'))).toBe(false);
  });

  it('runs weeks Monday to Monday and months to the 1st, also from a bucket clipped to the period', () => {
    expect(bucketContains('2026-11-16', 'week', madrid('2026-11-22T23:59'))).toBe(true);
    expect(bucketContains('2026-11-16', 'week', madrid('2026-11-23T00:00'))).toBe(false);
    // October's first week is labelled 1 Oct (a Thursday) and ends on Monday 5 Oct.
    expect(bucketContains('2026-10-01', 'week', madrid('2026-10-04T10:00'))).toBe(true);
    expect(bucketContains('2026-10-01', 'week', madrid('2026-10-05T00:00'))).toBe(false);
    expect(bucketContains('2026-11-01', 'month', madrid('2026-11-30T23:59'))).toBe(true);
    expect(bucketContains('2026-11-01', 'month', madrid('2026-12-01T00:00'))).toBe(false);
    expect(bucketContains('2026-10-01', 'month', madrid('2026-11-18T10:00'))).toBe(false);
  });
});

describe('periodLikeError and the periods people type (issue 18)', () => {
  const error = (word: string, options = {}) => {
    const e = periodLikeError(word, options);
    expect(e, word).toBeInstanceOf(OfnError);
    expect(e!.code).toBe('BadPeriod');
    return e!.message;
  };

  it('reads month names in English, Spanish, Catalan, French and German as the latest such month', () => {
    const cases: [string, number][] = [['january', 1], ['Dec', 12], ['sept', 9], ['enero', 1], ['Setiembre', 9], ['gener', 1], ['març', 3], ['janvier', 1], ['Fevrier', 2], ['février', 2], ['januar', 1], ['MÄRZ', 3], ['maerz', 3], ['dezember', 12], ['octubre', 10], ['Oktober', 10], ['août', 8]];
    for (const [word, month] of cases) {
      expect(parsePeriod(word), word).toEqual({ kind: 'recent-month', month });
      expect(periodLikeError(word), word).toBeUndefined();
    }
  });

  it('reads a bare quarter as the latest such quarter, and refuses Q5', () => {
    expect(parsePeriod('Q3')).toEqual({ kind: 'recent-quarter', quarter: 3 });
    expect(parsePeriod('t1')).toEqual({ kind: 'recent-quarter', quarter: 1 });
    expect(parsePeriod('2026Q3')).toEqual({ kind: 'quarter', year: 2026, quarter: 3 });
    expect(parsePeriod('2026-T4')).toEqual({ kind: 'quarter', year: 2026, quarter: 4 });
    expect(parsePeriod('q2-2025')).toEqual({ kind: 'quarter', year: 2025, quarter: 2 });
    expect(error('q5')).toBe('`q5` is not a period I understand. Quarters are Q1 to Q4.');
    expect(error('Q0')).toBe('`Q0` is not a period I understand. Quarters are Q1 to Q4.');
    for (const word of ['xq3', 'q3x', 'quarter', 'katuma']) expect(periodLikeError(word), word).toBeUndefined();
  });

  it('reads ytd, qtd, mtd and wtd as the current period, to date', () => {
    expect(parsePeriod('ytd')).toEqual({ kind: 'current', unit: 'year', offset: 0 });
    expect(parsePeriod('QTD')).toEqual({ kind: 'current', unit: 'quarter', offset: 0 });
    expect(parsePeriod('MTD')).toEqual({ kind: 'current', unit: 'month', offset: 0 });
    expect(parsePeriod('wtd')).toEqual({ kind: 'current', unit: 'week', offset: 0 });
    expect(parsePeriod('previous-month')).toEqual({ kind: 'current', unit: 'month', offset: -1 });
    // Named by their canonical form.
    expect(periodLabel(parsePeriod('ytd'))).toBe('this-year');
    expect(periodLabel(parsePeriod('previous-month'))).toBe('last-month');
  });

  it('reads dates as written locally: day first, month first only in en-US', () => {
    expect(parsePeriod('31/10/2026')).toEqual({ kind: 'day', year: 2026, month: 10, day: 31 });
    expect(parsePeriod('05/10/2026')).toEqual({ kind: 'day', year: 2026, month: 10, day: 5 });
    expect(parsePeriod('31.12.2026')).toEqual({ kind: 'day', year: 2026, month: 12, day: 31 });
    expect(parsePeriod('5-1-2026')).toEqual({ kind: 'day', year: 2026, month: 1, day: 5 });
    expect(parsePeriod('05/10/2026', { dateOrder: 'mdy' })).toEqual({ kind: 'day', year: 2026, month: 5, day: 10 });
    expect(parsePeriod('10/31/2026', { dateOrder: 'mdy' })).toEqual({ kind: 'day', year: 2026, month: 10, day: 31 });
    // Dots and dashes are never month first.
    expect(parsePeriod('05.10.2026', { dateOrder: 'mdy' })).toEqual({ kind: 'day', year: 2026, month: 10, day: 5 });
    expect(error('10/31/2026')).toBe('`10/31/2026` is not a period I understand. Dates here are day/month/year, as in 31/10/2026: did you mean 31/10/2026?');
    expect(error('31/10/2026', { dateOrder: 'mdy' })).toBe('`31/10/2026` is not a period I understand. Dates here are month/day/year, as in 10/31/2026: did you mean 10/31/2026?');
    expect(error('31/02/2026')).toBe('`31/02/2026` is not a period I understand. Dates here are day/month/year, as in 31/10/2026.');
    expect(parsePeriod('2026/10')).toEqual({ kind: 'month', year: 2026, month: 10 });
    expect(parsePeriod('2026.1')).toEqual({ kind: 'month', year: 2026, month: 1 });
    expect(parsePeriod('10/2026')).toEqual({ kind: 'month', year: 2026, month: 10 });
    expect(parsePeriod('2026/10/05')).toEqual({ kind: 'day', year: 2026, month: 10, day: 5 });
    expect(parsePeriod('oct-2026')).toEqual({ kind: 'month', year: 2026, month: 10 });
    expect(parsePeriod('01/10/2026..31/10/2026')).toEqual({ kind: 'range', from: { year: 2026, month: 10, day: 1 }, to: { year: 2026, month: 10, day: 31 } });
    expect(error('13/2026')).toBe('`13/2026` is not a period I understand. Months are 01 to 12.');
    for (const word of ['2026/100', '12026/10', 'x2026/10', '2026/10x', '2026/10/055', '2026/10-05', '123/10/2026', '5/10/20266', 'x5/10/2026', '5/10/2026x', '5/100/2026', 'katuma', 'last-month']) {
      expect(periodLikeError(word), word).toBeUndefined();
    }
  });

  it('reads since and until as one span, and refuses a fixed one that ends before it starts', () => {
    expect(parsePeriod('since-2026-01-01')).toEqual({ kind: 'span', from: { kind: 'day', year: 2026, month: 1, day: 1 } });
    expect(parsePeriod('until-2026-10')).toEqual({ kind: 'span', to: { kind: 'month', year: 2026, month: 10 } });
    expect(periodLabel(parsePeriod('since-october'))).toBe('since-october');
    expect(spanOf('x', { kind: 'month', year: 2026, month: 10 }, { kind: 'day', year: 2026, month: 11, day: 15 })).toEqual({ kind: 'range', from: { year: 2026, month: 10, day: 1 }, to: { year: 2026, month: 11, day: 15 } });
    expect(() => spanOf('x', { kind: 'month', year: 2026, month: 11 }, { kind: 'month', year: 2026, month: 10 })).toThrow('The range ends before it starts.');
  });

  it('resolves a month or quarter without a year to the latest one that has begun, in the instance zone', () => {
    // 1 Nov 2026 00:30 in Madrid is still 31 Oct in UTC: `november` is this November in Madrid, last year's in UTC.
    const now = '2026-10-31T23:30:00Z';
    expect(range('november', 'Europe/Madrid', now)).toEqual(['2026-10-31 23:00:00.000', '2026-11-30 23:00:00.000']);
    expect(range('november', 'UTC', now)).toEqual(['2025-11-01 00:00:00.000', '2025-12-01 00:00:00.000']);
    expect(range('october', 'UTC', now)).toEqual(['2026-10-01 00:00:00.000', '2026-11-01 00:00:00.000']);
    expect(range('Q4', 'Europe/Madrid', now)).toEqual(['2026-09-30 22:00:00.000', '2026-12-31 23:00:00.000']);
    expect(range('Q4', 'UTC', '2026-09-30T12:00:00Z')).toEqual(['2025-10-01 00:00:00.000', '2026-01-01 00:00:00.000']);
    expect(resolvePeriod(parsePeriod('october'), 'UTC', new Date(now)).label).toBe('2026-10');
  });

  it('resolves since to today (to date) and until from 1 Jan 2000', () => {
    const since = resolvePeriod(parsePeriod('since-2026-11-01'), 'Europe/Madrid', new Date('2026-11-18T10:00:00Z'));
    expect([since.from.toISO(), since.to.toISO()]).toEqual(['2026-11-01T00:00:00.000+01:00', '2026-11-19T00:00:00.000+01:00']);
    expect(since.asOf).toBeDefined();
    expect(since.label).toBe('since-2026-11-01');
    const until = resolvePeriod(parsePeriod('until-2026-10-31'), 'UTC', new Date('2026-11-18T10:00:00Z'));
    expect([until.from.toISO(), until.to.toISO(), until.asOf]).toEqual(['2000-01-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', undefined]);
  });
});
