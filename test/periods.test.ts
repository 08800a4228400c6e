import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { bucketsOf, bucketStarts, parsePeriod, resolvePeriod, toUtcTimestamp, periodLabel, type Grain, type ResolvedPeriod } from '../src/core/periods.js';
import { OfnError } from '../src/core/errors.js';

const MADRID = 'Europe/Madrid';
const at = (iso: string) => new Date(iso);
const utcRange = (text: string, zone: string, now: string) => {
  const p = resolvePeriod(parsePeriod(text), zone, at(now));
  return [toUtcTimestamp(p.from), toUtcTimestamp(p.to)];
};

describe('periods resolve at local midnight, converted to UTC', () => {
  it('last-month in Madrid spans a DST change (CEST start, CET end)', () => {
    expect(utcRange('last-month', MADRID, '2026-11-15T12:00:00Z')).toEqual(['2026-09-30 22:00:00.000', '2026-10-31 23:00:00.000']);
  });

  it('early on the 1st local time is already the new month, while UTC still says the old one', () => {
    // 2026-11-01 00:30 in Madrid is 2026-10-31 23:30 UTC: "this-month" must be November.
    expect(utcRange('this-month', MADRID, '2026-10-31T23:30:00Z')).toEqual(['2026-10-31 23:00:00.000', '2026-11-30 23:00:00.000']);
  });

  it('Melbourne months start the previous UTC day (+11 in summer, +10 in winter)', () => {
    expect(utcRange('2026-10', 'Australia/Melbourne', '2026-11-15T00:00:00Z')).toEqual(['2026-09-30 14:00:00.000', '2026-10-31 13:00:00.000']);
  });

  it('the spring-forward day in Madrid lasts 23 hours', () => {
    const p = resolvePeriod(parsePeriod('2026-03-29'), MADRID, at('2026-04-01T00:00:00Z'));
    expect(p.to.diff(p.from, 'hours').hours).toBe(23);
  });

  it('weeks start on Monday and last-N counts whole units before the current one', () => {
    // 2026-11-18 is a Wednesday.
    expect(utcRange('this-week', 'UTC', '2026-11-18T10:00:00Z')).toEqual(['2026-11-16 00:00:00.000', '2026-11-23 00:00:00.000']);
    expect(utcRange('last-week', 'UTC', '2026-11-18T10:00:00Z')).toEqual(['2026-11-09 00:00:00.000', '2026-11-16 00:00:00.000']);
    expect(utcRange('last-7-days', 'UTC', '2026-11-18T10:00:00Z')).toEqual(['2026-11-11 00:00:00.000', '2026-11-18 00:00:00.000']);
    expect(utcRange('last-3-months', 'UTC', '2026-11-18T10:00:00Z')).toEqual(['2026-08-01 00:00:00.000', '2026-11-01 00:00:00.000']);
  });

  it('resolves the other named and explicit forms', () => {
    const now = '2026-11-18T10:00:00Z';
    expect(utcRange('today', 'UTC', now)).toEqual(['2026-11-18 00:00:00.000', '2026-11-19 00:00:00.000']);
    expect(utcRange('yesterday', 'UTC', now)).toEqual(['2026-11-17 00:00:00.000', '2026-11-18 00:00:00.000']);
    expect(utcRange('last-quarter', 'UTC', now)).toEqual(['2026-07-01 00:00:00.000', '2026-10-01 00:00:00.000']);
    expect(utcRange('this-year', 'UTC', now)).toEqual(['2026-01-01 00:00:00.000', '2027-01-01 00:00:00.000']);
    expect(utcRange('last-year', 'UTC', now)).toEqual(['2025-01-01 00:00:00.000', '2026-01-01 00:00:00.000']);
    expect(utcRange('2026-Q2', 'UTC', now)).toEqual(['2026-04-01 00:00:00.000', '2026-07-01 00:00:00.000']);
    expect(utcRange('2025', 'UTC', now)).toEqual(['2025-01-01 00:00:00.000', '2026-01-01 00:00:00.000']);
    // A range includes its last day.
    expect(utcRange('2026-10-30..2026-11-02', MADRID, now)).toEqual(['2026-10-29 23:00:00.000', '2026-11-02 23:00:00.000']);
  });

  it('refuses impossible periods with the accepted forms', () => {
    for (const bad of ['2026-13', '2026-02-30', '2026-Q5', 'last-0-days', 'last-99999-months', '1999', '2026-11-02..2026-11-01', 'last-fortnight']) {
      let error: unknown;
      try {
        parsePeriod(bad);
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(OfnError);
      expect((error as OfnError).code).toBe('BadPeriod');
      // The accepted forms when nothing more specific can be said; otherwise the specific reason (issue 13).
      const e = error as OfnError;
      if (e.hint === undefined) expect(e.message, bad).toMatch(/is not a period I understand\. \S/);
      else expect(e.hint, bad).toContain('YYYY-MM-DD..YYYY-MM-DD');
    }
    expect(() => parsePeriod('last-fortnight')).toThrow(expect.objectContaining({ hint: expect.stringContaining('YYYY-MM-DD..YYYY-MM-DD') }));
  });

  it('gives canonical labels', () => {
    expect(periodLabel(parsePeriod('LAST-3-MONTH'))).toBe('last-3-months');
    expect(periodLabel(parsePeriod('2026-q1'))).toBe('2026-Q1');
  });

  it('lists local bucket starts, weeks on Mondays', () => {
    const p = resolvePeriod(parsePeriod('2026-10'), MADRID, at('2026-11-15T00:00:00Z'));
    expect(bucketStarts(p, 'month')).toEqual(['2026-10-01']);
    expect(bucketStarts(p, 'day')).toHaveLength(31);
    // Weeks start on Mondays, clipped to the period: the first week of October starts on 1 Oct (issue 13).
    expect(bucketStarts(p, 'week').slice(0, 2)).toEqual(['2026-10-01', '2026-10-05']);
  });
});

describe('bucketsOf steps on calendar dates and places each boundary at its local day start', () => {
  /**
   * The first instant whose local date is `date`, found by bisection on the UTC clock (to the
   * millisecond): slow, and independent of how luxon resolves a midnight that is skipped or repeated.
   */
  function dayStart(zone: string, date: string): DateTime {
    const localDate = (ms: number) => DateTime.fromMillis(ms, { zone }).toISODate()!;
    let lo = Date.parse(`${date}T00:00:00Z`) - 26 * 3_600_000; // before the day, in every zone (-12 h to +14 h)
    let hi = lo + 52 * 3_600_000; // after its start
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (localDate(mid) >= date) hi = mid;
      else lo = mid;
    }
    return DateTime.fromMillis(hi, { zone });
  }
  /** The obvious loop: steps by luxon's plus() in the zone, each boundary at its day's first instant. */
  function reference(period: ResolvedPeriod, grain: Grain) {
    const dates: string[] = [];
    const utcBoundaries: string[] = [];
    let cursor = period.from.startOf(grain, { useLocaleWeeks: false });
    while (cursor < period.to) {
      const start = cursor < period.from ? period.from : cursor;
      dates.push(start.toISODate()!);
      utcBoundaries.push(start.toUTC().toFormat('yyyy-LL-dd HH:mm:ss.SSS'));
      cursor = dayStart(period.timezone, cursor.plus({ [grain]: 1 }).toISODate()!);
    }
    utcBoundaries.push(cursor.toUTC().toFormat('yyyy-LL-dd HH:mm:ss.SSS'));
    return { dates, utcBoundaries };
  }
  // Zones with DST at midnight (Santiago, Havana), half-hour DST (Lord Howe), a skipped day (Apia, 30 Dec 2011), none (UTC).
  const ZONES = ['Europe/Madrid', 'America/Santiago', 'America/Havana', 'Australia/Lord_Howe', 'Pacific/Apia', 'Asia/Kathmandu', 'UTC'];

  it('equals the step-by-step loop for any zone, start, length and grain', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.date({ min: new Date('2009-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 400 }),
        fc.constantFrom<Grain>('day', 'week', 'month'),
        (zone, at, days, grain) => {
          const from = dayStart(zone, DateTime.fromJSDate(at, { zone }).toISODate()!);
          const to = dayStart(zone, from.plus({ days }).toISODate()!);
          const period: ResolvedPeriod = { label: 'test', from, to, timezone: zone };
          expect(bucketsOf(period, grain)).toEqual(reference(period, grain));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('starts a day at its first midnight where clocks fall back at 01:00 (Havana), and where luxon guesses an hour off (Apia, 2011)', () => {
    // Havana, 25 Oct 2009: 01:00 CDT (-4) became 00:00 CST (-5), so midnight came twice: 04:00 and 05:00 UTC. The day starts at the first.
    const havana = resolvePeriod(parsePeriod('2009-10-25'), 'America/Havana', new Date('2026-01-01T00:00:00Z'));
    expect(toUtcTimestamp(havana.from)).toBe('2009-10-25 04:00:00.000');
    // Apia, 25 Sep 2011: already on -10 since the night before, so the day starts at 10:00 UTC (luxon's guess from today's +13 says 11:00).
    const apia = resolvePeriod(parsePeriod('2011-09-25'), 'Pacific/Apia', new Date('2026-01-01T00:00:00Z'));
    expect(toUtcTimestamp(apia.from)).toBe('2011-09-25 10:00:00.000');
    expect(bucketsOf({ label: 'test', from: DateTime.fromISO('2011-09-24T12:00:00Z').setZone('Pacific/Apia').startOf('day'), to: apia.to, timezone: 'Pacific/Apia' }, 'day').utcBoundaries.at(-2)).toBe('2011-09-25 10:00:00.000');
  });

  it('crosses the day Samoa skipped once, without a repeated bucket', () => {
    const from = DateTime.fromISO('2011-12-28', { zone: 'Pacific/Apia' });
    const period: ResolvedPeriod = { label: 'test', from, to: DateTime.fromISO('2012-01-02', { zone: 'Pacific/Apia' }), timezone: 'Pacific/Apia' };
    expect(bucketsOf(period, 'day').dates).toEqual(['2011-12-28', '2011-12-29', '2011-12-31', '2012-01-01']);
  });
});
