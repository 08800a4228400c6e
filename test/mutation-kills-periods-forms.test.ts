/**
 * The period forms people type (src/core/periods.ts), pinned at their near misses: which words are
 * taken for a period (looksLikePeriod, isCanonicalPeriodWord, periodLikeError) and which parse, with
 * the exact spec, label and refusal; spans (since/until) resolved at their edges, the month-name labels
 * and the locale dates are written in. Written for `npm run mutate` against the mutants that survived
 * the run at 6c75536; every expected value is worked out by hand in the comments.
 */
import { describe, expect, it } from 'vitest';
import {
  dateLocale,
  isCanonicalPeriodWord,
  looksLikePeriod,
  monthOfWord,
  parsePeriod,
  periodLabel,
  periodLikeError,
  resolvePeriod,
  spanOf,
  toUtcTimestamp,
  type PeriodOptions,
  type PeriodSpec,
} from '../src/core/periods.js';
import { OfnError } from '../src/core/errors.js';

function refusal(text: string, options: PeriodOptions = {}): OfnError {
  let caught: unknown;
  try {
    parsePeriod(text, options);
  } catch (error) {
    caught = error;
  }
  if (caught === undefined) throw new Error(`${text} was accepted`);
  expect(caught, text).toBeInstanceOf(OfnError);
  expect((caught as OfnError).code, text).toBe('BadPeriod');
  return caught as OfnError;
}

/** Refused with nothing more specific to say than "not a period". */
const notUnderstood = (text: string) => expect(refusal(text).message, text).toBe(`\`${text}\` is not a period I understand.`);
/** Refused with a reason. */
const refusedBecause = (text: string, why: string, options: PeriodOptions = {}) =>
  expect(refusal(text, options).message, text).toBe(`\`${text}\` is not a period I understand. ${why}`);

/** A span resolved in a zone at an instant, as UTC text and flags. */
function spanAt(spec: PeriodSpec, zone: string, now: string) {
  const p = resolvePeriod(spec, zone, new Date(now));
  return { label: p.label, from: toUtcTimestamp(p.from), to: toUtcTimestamp(p.to), asOf: p.asOf !== undefined, future: p.future === true };
}

describe('which words are taken for a period', () => {
  it('takes the typed forms for periods', () => {
    for (const word of [
      'q3-2026', 'Q3-2026', 'q32026', 't4-2025', // quarter first, with or without the dash
      '2026q3', '2026T4', // year first, no dash
      'oct2026', 'oct.2026', 'Oct-2026', 'octubre2026', 'sept.2026', // month word and year
      '2026/10', '2026.1', '2026/10/31', '2026.1.5', '10/2026', '1.2026', // numeric months and days
      '01/10/2026..31/10/2026', '01/10/2026..2026-10-31', '2026/10/01..2026/10/31', '1.10.2026..31.10.2026', // ranges of local dates
    ]) {
      expect(looksLikePeriod(word), word).toBe(true);
    }
  });

  it('does not take near misses for periods', () => {
    for (const word of [
      'x2026q3', '2026q3x', // year-first quarter with something before or after
      'xq3-2026', 'q3-2026x', 's3-2026', 'qx-2026', 'q3-26', // quarter-first near misses
      'katuma2026', 'oct2026x', 'xoct2026', // a word that is not a month, or more than month and year
      '10/2026x', '10/20261', // month/year with a tail
      '01/10/2026..02/10/2026..03/10/2026', // three dates are not a range
      '01/10/2026..katuma', 'katuma..01/10/2026', // one side is not a date
    ]) {
      expect(looksLikePeriod(word), word).toBe(false);
    }
  });

  it('knows the canonical words that need no other word', () => {
    for (const word of ['today', 'ytd', 'previous-month', 'last-month', 'this-year', 'last-3-months', '2026', '2026-10', '2026-q3']) {
      expect(isCanonicalPeriodWord(word), word).toBe(true);
    }
    for (const word of ['october', 'q3', 'the-last-week', 'xthis-month', '12026', 'x2026', '20261', 'since-2026']) {
      expect(isCanonicalPeriodWord(word), word).toBe(false);
    }
  });

  it('reports Q followed by any number as a malformed quarter, not as something else', () => {
    // `q12` is no form looksLikePeriod knows, but it is meant as a quarter: the period error, not "unknown instance".
    for (const word of ['q12', 'T12', 'q2026']) {
      const error = periodLikeError(word);
      expect(error, word).toBeInstanceOf(OfnError);
      expect(error!.code).toBe('BadPeriod');
      expect(error!.message).toBe(`\`${word}\` is not a period I understand.`);
    }
    for (const word of ['s12', 'q', 'qq12']) expect(periodLikeError(word), word).toBeUndefined();
  });

  it('reads a month word with a trailing dot', () => {
    expect(monthOfWord('oct.')).toBe(10);
    expect(monthOfWord('sept.')).toBe(9);
    expect(monthOfWord('oct')).toBe(10);
    expect(monthOfWord('.oct')).toBeUndefined();
    expect(monthOfWord('katuma.')).toBeUndefined();
  });
});

describe('year and quarter', () => {
  it('checks the quarter before the year in YYYY-QN', () => {
    refusedBecause('2101-q5', 'Quarters are Q1 to Q4.');
    refusedBecause('1999-Q0', 'Quarters are Q1 to Q4.');
    refusedBecause('2101-q4', 'Years go from 2000 to 2100.');
  });

  it('needs four digits for the year and one for the quarter', () => {
    for (const word of ['2-q3', 'abcd-q5', 'abcd-q3', '2026-qx', '2026-q']) notUnderstood(word);
  });

  it('reads a quarter before its year, with or without a dash, and nothing around it', () => {
    expect(parsePeriod('q32026')).toEqual({ kind: 'quarter', year: 2026, quarter: 3 });
    expect(parsePeriod('T42025')).toEqual({ kind: 'quarter', year: 2025, quarter: 4 });
    expect(parsePeriod('Q1-2027')).toEqual({ kind: 'quarter', year: 2027, quarter: 1 });
    expect(periodLabel(parsePeriod('q32026'))).toBe('2026-Q3');
    for (const word of ['xq3-2026', 'q3-2026x', '1q3-2026', 'q3-20266', 's3-2026', 'q3-26']) notUnderstood(word);
  });
});

describe('month words with a year', () => {
  it('reads a month word and a year, joined, dotted or dashed', () => {
    expect(parsePeriod('oct2026')).toEqual({ kind: 'month', year: 2026, month: 10 });
    expect(parsePeriod('Oct.2026')).toEqual({ kind: 'month', year: 2026, month: 10 });
    expect(parsePeriod('octubre-2026')).toEqual({ kind: 'month', year: 2026, month: 10 });
    expect(parsePeriod('sept.-2025')).toEqual({ kind: 'month', year: 2025, month: 9 });
    expect(periodLabel(parsePeriod('oct2026'))).toBe('2026-10');
  });

  it('refuses a month word with something before or after it', () => {
    for (const word of ['1oct2026', 'x-oct-2026', '.oct2026', 'oct2026x', 'oct-20266', 'katuma2026']) notUnderstood(word);
  });
});

describe('numeric months and days', () => {
  it('reads months 1 to 12, year first or last', () => {
    expect(parsePeriod('12/2026')).toEqual({ kind: 'month', year: 2026, month: 12 });
    expect(parsePeriod('2026.12')).toEqual({ kind: 'month', year: 2026, month: 12 });
    expect(parsePeriod('1/2026')).toEqual({ kind: 'month', year: 2026, month: 1 });
    expect(periodLabel(parsePeriod('1/2026'))).toBe('2026-01');
    refusedBecause('2026/0', 'Months are 01 to 12.');
    refusedBecause('00/2026', 'Months are 01 to 12.');
    refusedBecause('2026/13', 'Months are 01 to 12.');
  });

  it('refuses a numeric month with a digit too many on either side', () => {
    for (const word of ['12026/10', '12026.1', '10/20261', '1/2026x']) notUnderstood(word);
  });

  it('reads year-first days and checks them against the calendar', () => {
    expect(parsePeriod('2024/2/29')).toEqual({ kind: 'day', year: 2024, month: 2, day: 29 });
    expect(parsePeriod('2026.12.31')).toEqual({ kind: 'day', year: 2026, month: 12, day: 31 });
    expect(periodLabel(parsePeriod('2026/3/7'))).toBe('2026-03-07');
    // Named in ISO form, padded.
    refusedBecause('2026/2/29', '2026-02-29 is not a date.');
    refusedBecause('2026/4/31', '2026-04-31 is not a date.');
    refusedBecause('2026/1/32', '2026-01-32 is not a date.');
    refusedBecause('2026/13/1', '2026-13-01 is not a date.');
    refusedBecause('1999/12/31', 'Years go from 2000 to 2100.');
    for (const word of ['12026/10/05', '2026/10/055', '2026/10/05x']) notUnderstood(word);
  });

  it('offers the swapped date with both parts padded', () => {
    // 5/13/2026 read day first is day 5 of month 13; swapped it is 13 May.
    refusedBecause('5/13/2026', 'Dates here are day/month/year, as in 31/10/2026: did you mean 13/05/2026?');
    // 13/5/2026 read month first (en-US) is month 13; swapped it is 13 May, written 05/13/2026.
    refusedBecause('13/5/2026', 'Dates here are month/day/year, as in 10/31/2026: did you mean 05/13/2026?', { dateOrder: 'mdy' });
    refusedBecause('29/2/2026', 'Dates here are day/month/year, as in 31/10/2026.');
    refusedBecause('32/10/2026', 'Dates here are day/month/year, as in 31/10/2026.');
  });
});

describe('ranges of dates', () => {
  const october = { kind: 'range', from: { year: 2026, month: 10, day: 1 }, to: { year: 2026, month: 10, day: 31 } };

  it('reads a range written with any mix of date forms', () => {
    for (const text of ['01/10/2026..2026-10-31', '2026-10-01..31/10/2026', '2026/10/01..2026/10/31', '2026.10.1..31.10.2026', '1-10-2026..31-10-2026']) {
      expect(parsePeriod(text), text).toEqual(october);
      expect(periodLabel(parsePeriod(text)), text).toBe('2026-10-01..2026-10-31');
    }
    expect(parsePeriod('15/10/2026..15/10/2026')).toEqual({ kind: 'range', from: { year: 2026, month: 10, day: 15 }, to: { year: 2026, month: 10, day: 15 } });
  });

  it('refuses a range of local dates that ends before it starts', () => {
    refusedBecause('31/10/2026..01/10/2026', 'The range ends before it starts.');
    refusedBecause('2026-10-02..01/10/2026', 'The range ends before it starts.');
    refusedBecause('01/10/2026..31/02/2026', 'Dates here are day/month/year, as in 31/10/2026.');
  });

  it('refuses three dates, or a side that is no date', () => {
    for (const text of ['01/10/2026..02/10/2026..03/10/2026', '01/10/2026..katuma', 'katuma..01/10/2026', '01/10/2026..', '..01/10/2026']) notUnderstood(text);
  });

  it('needs four-digit years and two-digit months and days in an ISO range', () => {
    for (const text of [
      '2026-1-01..2026-10-02', '2026-10-1..2026-10-02', '2026-10-01..2026-1-02', '2026-10-01..2026-10-3',
      '2-10-01..2026-10-02', '2026-10-01..2-10-02',
      '2026-ab-01..2026-10-02', '2026-10-ab..2026-10-02', '2026-10-01..2026-ab-02', '2026-10-01..2026-10-ab',
      // A run of dashes is no year (split on `-` it would read as year 0).
      '-----10-01..2026-10-02', '2026-10-01..-----10-02',
    ]) {
      notUnderstood(text);
    }
  });
});

describe('since and until', () => {
  it('takes since or until once', () => {
    refusedBecause('since-since-2026', '`since` and `until` take a date or a period, once each.');
    refusedBecause('until-since-2026-10', '`since` and `until` take a date or a period, once each.');
    refusedBecause('since-until-2026', '`since` and `until` take a date or a period, once each.');
  });

  it('names a span by its sides', () => {
    expect(periodLabel(parsePeriod('until-2026-10'))).toBe('until-2026-10');
    expect(periodLabel(parsePeriod('since-2026-10'))).toBe('since-2026-10');
    expect(periodLabel(spanOf('x', { kind: 'recent-month', month: 7 }, { kind: 'recent-month', month: 9 }))).toBe('since-july until-september');
    expect(periodLabel(spanOf('x', { kind: 'current', unit: 'month', offset: -1 }, { kind: 'day', year: 2026, month: 11, day: 15 }))).toBe('since-last-month until-2026-11-15');
  });

  it('makes two fixed sides a plain range, from the first day of one to the last day of the other', () => {
    // Last days: November has 30, a leap February 29, March (end of Q1) 31, September (end of Q3) 30, December 31.
    expect(spanOf('x', { kind: 'day', year: 2026, month: 10, day: 5 }, { kind: 'month', year: 2026, month: 11 })).toEqual({ kind: 'range', from: { year: 2026, month: 10, day: 5 }, to: { year: 2026, month: 11, day: 30 } });
    expect(spanOf('x', { kind: 'month', year: 2024, month: 1 }, { kind: 'month', year: 2024, month: 2 })).toEqual({ kind: 'range', from: { year: 2024, month: 1, day: 1 }, to: { year: 2024, month: 2, day: 29 } });
    expect(spanOf('x', { kind: 'quarter', year: 2026, quarter: 1 }, { kind: 'quarter', year: 2026, quarter: 1 })).toEqual({ kind: 'range', from: { year: 2026, month: 1, day: 1 }, to: { year: 2026, month: 3, day: 31 } });
    expect(spanOf('x', { kind: 'quarter', year: 2026, quarter: 2 }, { kind: 'quarter', year: 2026, quarter: 3 })).toEqual({ kind: 'range', from: { year: 2026, month: 4, day: 1 }, to: { year: 2026, month: 9, day: 30 } });
    expect(spanOf('x', { kind: 'quarter', year: 2026, quarter: 4 }, { kind: 'quarter', year: 2026, quarter: 4 })).toEqual({ kind: 'range', from: { year: 2026, month: 10, day: 1 }, to: { year: 2026, month: 12, day: 31 } });
    // A range as one side: its own first or last day.
    const firstWeek = { kind: 'range' as const, from: { year: 2026, month: 10, day: 1 }, to: { year: 2026, month: 10, day: 5 } };
    expect(spanOf('x', firstWeek, { kind: 'day', year: 2026, month: 10, day: 20 })).toEqual({ kind: 'range', from: { year: 2026, month: 10, day: 1 }, to: { year: 2026, month: 10, day: 20 } });
    expect(spanOf('x', { kind: 'day', year: 2026, month: 10, day: 3 }, firstWeek)).toEqual({ kind: 'range', from: { year: 2026, month: 10, day: 3 }, to: { year: 2026, month: 10, day: 5 } });
    // One day from and to itself is a range of that day; a day after the end is refused.
    expect(spanOf('x', { kind: 'day', year: 2026, month: 10, day: 5 }, { kind: 'day', year: 2026, month: 10, day: 5 })).toEqual({ kind: 'range', from: { year: 2026, month: 10, day: 5 }, to: { year: 2026, month: 10, day: 5 } });
    expect(() => spanOf('x', { kind: 'day', year: 2026, month: 10, day: 6 }, { kind: 'day', year: 2026, month: 10, day: 5 })).toThrow('`x` is not a period I understand. The range ends before it starts.');
    expect(() => spanOf('x', { kind: 'day', year: 2026, month: 10, day: 6 }, firstWeek)).toThrow('The range ends before it starts.');
  });
});

describe('spans resolved', () => {
  it('takes the month after the start when a month name would end before it (asked in August)', () => {
    // July is July 2026; September alone would be September 2025 (not begun in 2026), so it moves to 2026.
    const july = spanAt(spanOf('x', { kind: 'recent-month', month: 7 }, { kind: 'recent-month', month: 9 }), 'UTC', '2026-08-15T12:00:00Z');
    expect(july).toEqual({ label: 'since-2026-07 until-2026-09', from: '2026-07-01 00:00:00.000', to: '2026-10-01 00:00:00.000', asOf: true, future: false });
  });

  it('keeps a month name that already ends after the start', () => {
    // March and July 2026, both over by 15 August: no move, not to date.
    const spring = spanAt(spanOf('x', { kind: 'recent-month', month: 3 }, { kind: 'recent-month', month: 7 }), 'UTC', '2026-08-15T12:00:00Z');
    expect(spring).toEqual({ label: 'since-2026-03 until-2026-07', from: '2026-03-01 00:00:00.000', to: '2026-08-01 00:00:00.000', asOf: false, future: false });
  });

  it('moves the end month when it ends exactly where the start begins', () => {
    // Asked in November: October 2026, and September 2026 ends on 1 October, where October begins: September 2027.
    const octToSep = spanAt(spanOf('x', { kind: 'recent-month', month: 10 }, { kind: 'recent-month', month: 9 }), 'UTC', '2026-11-15T12:00:00Z');
    expect(octToSep).toEqual({ label: 'since-2026-10 until-2027-09', from: '2026-10-01 00:00:00.000', to: '2027-10-01 00:00:00.000', asOf: true, future: false });
  });

  it('moves a quarter name the same way', () => {
    // August is in Q3: Q3 is Q3 2026, Q1 alone Q1 2026 (over before Q3 starts), so Q1 2027.
    const quarters = spanAt(spanOf('x', { kind: 'recent-quarter', quarter: 3 }, { kind: 'recent-quarter', quarter: 1 }), 'UTC', '2026-08-15T12:00:00Z');
    expect(quarters).toEqual({ label: 'since-2026-Q3 until-2027-Q1', from: '2026-07-01 00:00:00.000', to: '2027-04-01 00:00:00.000', asOf: true, future: false });
  });

  it('never moves an end that has a year, and never gives an empty or reversed period', () => {
    // From October 2026 to September 2026 (fixed): no move; the end is put one day after the start.
    const reversed = spanAt(spanOf('x', { kind: 'recent-month', month: 10 }, { kind: 'month', year: 2026, month: 9 }), 'UTC', '2026-11-15T12:00:00Z');
    expect(reversed).toEqual({ label: 'since-2026-10 until-2026-09', from: '2026-10-01 00:00:00.000', to: '2026-10-02 00:00:00.000', asOf: false, future: false });
  });

  it('resolves since a future date to its first day, not started', () => {
    // Open end would be tomorrow (19 Nov 2026), before the start: one day from 1 Jan 2030 instead.
    expect(spanAt(parsePeriod('since-2030'), 'UTC', '2026-11-18T10:00:00Z')).toEqual({ label: 'since-2030', from: '2030-01-01 00:00:00.000', to: '2030-01-02 00:00:00.000', asOf: true, future: true });
    // Since tomorrow: the open end (tomorrow's start) equals the start, so it too becomes one day.
    expect(spanAt(parsePeriod('since-2026-11-19'), 'UTC', '2026-11-18T10:00:00Z')).toEqual({ label: 'since-2026-11-19', from: '2026-11-19 00:00:00.000', to: '2026-11-20 00:00:00.000', asOf: true, future: true });
  });

  it('has started exactly at its start, and is over exactly at its end', () => {
    expect(spanAt(parsePeriod('since-2026-11-18'), 'UTC', '2026-11-18T00:00:00Z')).toEqual({ label: 'since-2026-11-18', from: '2026-11-18 00:00:00.000', to: '2026-11-19 00:00:00.000', asOf: true, future: false });
    expect(spanAt(parsePeriod('since-2026-11-18'), 'UTC', '2026-11-17T23:59:59.999Z').future).toBe(true);
    expect(spanAt(parsePeriod('until-2026-10-31'), 'UTC', '2026-11-01T00:00:00Z')).toEqual({ label: 'until-2026-10-31', from: '2000-01-01 00:00:00.000', to: '2026-11-01 00:00:00.000', asOf: false, future: false });
    expect(spanAt(parsePeriod('until-2026-10-31'), 'UTC', '2026-10-31T23:59:59.999Z').asOf).toBe(true);
  });

  it('gives the instant asked in the instance zone', () => {
    const since = resolvePeriod(parsePeriod('since-2026-11-01'), 'Australia/Melbourne', new Date('2026-11-18T10:00:00Z'));
    expect(since.asOf?.zoneName).toBe('Australia/Melbourne');
    expect(since.asOf?.toMillis()).toBe(Date.parse('2026-11-18T10:00:00Z'));
    expect(since.future).toBeUndefined();
  });
});

describe('labels', () => {
  it('names a month without a year by its English name, and a quarter without a year as Qn', () => {
    const names = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
    names.forEach((name, i) => expect(periodLabel({ kind: 'recent-month', month: i + 1 })).toBe(name));
    expect(periodLabel(parsePeriod('mai'))).toBe('may');
    expect(periodLabel(parsePeriod('Q3'))).toBe('Q3');
    expect(periodLabel({ kind: 'recent-quarter', quarter: 1 })).toBe('Q1');
  });
});

describe('the locale dates are written in', () => {
  it('keeps the locale whole when it is in the answer’s language, variants included', () => {
    expect(dateLocale('ca-ES-valencia', 'ca')).toBe('ca-ES-valencia');
    expect(dateLocale('ES-es', 'es')).toBe('ES-es');
  });

  it('keeps only a region: two capitals or three digits', () => {
    expect(dateLocale('es-419', 'en')).toBe('en-419');
    expect(dateLocale('ca-ES-valencia', 'en')).toBe('en-ES');
    // A script in capitals is not a region, nor is a variant of digits.
    expect(dateLocale('zh-HANT-TW', 'en')).toBe('en-TW');
    expect(dateLocale('de-1996', 'en')).toBe('en');
    expect(dateLocale('fr', 'en')).toBe('en');
  });
});
