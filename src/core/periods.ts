import { DateTime, IANAZone } from 'luxon';
import { OfnError } from './errors.js';

/**
 * A period as typed, independent of any time zone: `last-month` means each instance's own last month,
 * so the same spec resolves differently per instance (see resolvePeriod).
 */
export type PeriodSpec =
  | { kind: 'current'; unit: CalendarUnit; offset: 0 | -1 } // today, yesterday, this-week, last-month, ...
  | { kind: 'last-n'; n: number; unit: 'day' | 'week' | 'month' }
  | { kind: 'year'; year: number }
  | { kind: 'quarter'; year: number; quarter: number }
  | { kind: 'month'; year: number; month: number }
  | { kind: 'day'; year: number; month: number; day: number }
  | { kind: 'range'; from: LocalDate; to: LocalDate };

export type CalendarUnit = 'day' | 'week' | 'month' | 'quarter' | 'year';
export type Grain = 'day' | 'week' | 'month';
interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** A period resolved in one instance's time zone: half-open [from, to), both local midnights. */
export interface ResolvedPeriod {
  label: string;
  from: DateTime;
  to: DateTime;
  timezone: string;
  /** Set when the period is not over: the instant it was asked (`this-year` is "to date"). */
  asOf?: DateTime;
  /** The period has not started yet: there can be no data. */
  future?: boolean;
}

export const PERIOD_FORMS = [
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
] as const;

export const PERIOD_HELP = `Periods: ${PERIOD_FORMS.join(', ')}. Weeks start on Monday; last-N-… counts complete days/weeks/months before the current one.`;

// A Map, not an object: `__proto__` or `constructor` typed as a period must not find a prototype.
const NAMED = new Map<string, PeriodSpec>(Object.entries({
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
} satisfies Record<string, PeriodSpec>));

// Bounds keep arithmetic sane and stop "last-99999999-months" from reaching the database.
const MIN_YEAR = 2000;
const MAX_YEAR = 2100;
const MAX_N: Record<'day' | 'week' | 'month', number> = { day: 3660, week: 520, month: 240 };

/** True when the word is meant as a period (even a malformed one), so the parser can report it as such. */
export function looksLikePeriod(word: string): boolean {
  const w = word.toLowerCase();
  return NAMED.has(w) || /^\d{4}(-|$)/.test(w) || /^(last|this|next)-/.test(w);
}

/** Parses one period word. Throws BadPeriod with the accepted forms. */
export function parsePeriod(text: string): PeriodSpec {
  const w = text.trim().toLowerCase();
  const named = NAMED.get(w);
  if (named) return named;
  let m = /^last-(\d{1,9})-(day|week|month)s?$/.exec(w);
  if (m) {
    const n = Number(m[1]);
    const unit = m[2] as 'day' | 'week' | 'month';
    if (n < 1 || n > MAX_N[unit]) throw badPeriod(text, `N must be between 1 and ${MAX_N[unit]} for ${unit}s.`);
    return { kind: 'last-n', n, unit };
  }
  m = /^(\d{4})$/.exec(w);
  if (m) return { kind: 'year', year: checkYear(text, Number(m[1])) };
  m = /^(\d{4})-q(\d)$/.exec(w);
  if (m) {
    const quarter = Number(m[2]);
    if (quarter < 1 || quarter > 4) throw badPeriod(text, 'Quarters are Q1 to Q4.');
    return { kind: 'quarter', year: checkYear(text, Number(m[1])), quarter };
  }
  m = /^(\d{4})-(\d{2})$/.exec(w);
  if (m) {
    const month = Number(m[2]);
    if (month < 1 || month > 12) throw badPeriod(text, 'Months are 01 to 12.');
    return { kind: 'month', year: checkYear(text, Number(m[1])), month };
  }
  m = /^(\d{4}-\d{2}-\d{2})$/.exec(w);
  if (m) return { kind: 'day', ...parseLocalDate(text, m[1]!) };
  m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(w);
  if (m) {
    const from = parseLocalDate(text, m[1]!);
    const to = parseLocalDate(text, m[2]!);
    if (compareDates(from, to) > 0) throw badPeriod(text, 'The range ends before it starts.');
    return { kind: 'range', from, to };
  }
  throw badPeriod(text);
}

function badPeriod(text: string, why?: string): OfnError {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  // The list of accepted forms only when nothing more specific can be said.
  return new OfnError('BadPeriod', `\`${shown}\` is not a period I understand.${why ? ` ${why}` : ''}`, why ? undefined : PERIOD_HELP);
}

function checkYear(text: string, year: number): number {
  if (year < MIN_YEAR || year > MAX_YEAR) throw badPeriod(text, `Years go from ${MIN_YEAR} to ${MAX_YEAR}.`);
  return year;
}

function parseLocalDate(text: string, iso: string): LocalDate {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  checkYear(text, year);
  // Validate in UTC: only the calendar matters here, not a zone.
  const date = DateTime.fromObject({ year, month, day }, { zone: 'UTC' });
  if (!date.isValid) throw badPeriod(text, `${iso} is not a date.`);
  return { year, month, day };
}

function compareDates(a: LocalDate, b: LocalDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Canonical text of a spec, e.g. `last-3-months`, `2026-Q1`. */
export function periodLabel(spec: PeriodSpec): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  switch (spec.kind) {
    case 'current':
      return [...NAMED].find(([, s]) => s.kind === 'current' && s.unit === spec.unit && s.offset === spec.offset)![0];
    case 'last-n':
      return `last-${spec.n}-${spec.unit}s`;
    case 'year':
      return String(spec.year);
    case 'quarter':
      return `${spec.year}-Q${spec.quarter}`;
    case 'month':
      return `${spec.year}-${pad(spec.month)}`;
    case 'day':
      return `${spec.year}-${pad(spec.month)}-${pad(spec.day)}`;
    case 'range':
      return `${spec.from.year}-${pad(spec.from.month)}-${pad(spec.from.day)}..${spec.to.year}-${pad(spec.to.month)}-${pad(spec.to.day)}`;
  }
}

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** Local midnight of a calendar date in `zone` (luxon moves a midnight that DST skips to the first valid instant). */
function localMidnight(date: LocalDate, zone: string): DateTime {
  return DateTime.fromObject({ ...date, hour: 0 }, { zone });
}

/**
 * Resolves a spec in the instance's time zone at instant `now`. Boundaries are local midnights, so a
 * month in Madrid starts at 23:00 or 22:00 UTC the day before depending on DST.
 */
export function resolvePeriod(spec: PeriodSpec, timezone: string, now: Date): ResolvedPeriod {
  const today = DateTime.fromJSDate(now, { zone: timezone }).startOf('day');
  const label = periodLabel(spec);
  // plus() keeps the wall-clock time: where DST skips a midnight (America/Santiago in September) a day
  // starts at 01:00, and the next day's boundary would then be 01:00 too. startOf('day') is each date's first instant.
  const at = DateTime.fromJSDate(now, { zone: timezone });
  const make = (start: DateTime, end: DateTime): ResolvedPeriod => {
    const from = start.startOf('day');
    const to = end.startOf('day');
    return { label, from, to, timezone, ...(to > at ? { asOf: at } : {}), ...(from > at ? { future: true } : {}) };
  };
  switch (spec.kind) {
    case 'current': {
      const start = today.startOf(spec.unit, { useLocaleWeeks: false }).plus({ [spec.unit]: spec.offset });
      return make(start, start.plus({ [spec.unit]: 1 }));
    }
    case 'last-n': {
      const end = today.startOf(spec.unit, { useLocaleWeeks: false });
      return make(end.minus({ [spec.unit]: spec.n }), end);
    }
    case 'year': {
      const from = localMidnight({ year: spec.year, month: 1, day: 1 }, timezone);
      return make(from, from.plus({ years: 1 }));
    }
    case 'quarter': {
      const from = localMidnight({ year: spec.year, month: (spec.quarter - 1) * 3 + 1, day: 1 }, timezone);
      return make(from, from.plus({ months: 3 }));
    }
    case 'month': {
      const from = localMidnight({ year: spec.year, month: spec.month, day: 1 }, timezone);
      return make(from, from.plus({ months: 1 }));
    }
    case 'day': {
      const from = localMidnight({ year: spec.year, month: spec.month, day: spec.day }, timezone);
      return make(from, from.plus({ days: 1 }));
    }
    case 'range':
      return make(localMidnight(spec.from, timezone), localMidnight(spec.to, timezone).plus({ days: 1 }));
  }
}

/** A UTC instant as OFN stores it: `timestamp without time zone` text in UTC. */
export function toUtcTimestamp(instant: DateTime): string {
  return instant.toUTC().toFormat('yyyy-LL-dd HH:mm:ss.SSS');
}

/**
 * Every bucket of `grain` that overlaps the period: its local start, as a date and as a UTC instant.
 * Buckets are clipped to the period: the first week of October starts (and is labelled) on 1 Oct.
 */
export function bucketsOf(period: ResolvedPeriod, grain: Grain): { dates: string[]; utcBoundaries: string[] } {
  const dates: string[] = [];
  const utcBoundaries: string[] = [];
  let cursor = period.from.startOf(grain, { useLocaleWeeks: false });
  // 400 years of days is the hard ceiling; the period parser's bounds keep us far below it.
  for (let guard = 0; cursor < period.to && guard < 150_000; guard++) {
    const start = cursor < period.from ? period.from : cursor;
    dates.push(start.toISODate()!);
    utcBoundaries.push(toUtcTimestamp(start));
    cursor = cursor.plus({ [grain]: 1 }).startOf('day'); // a bucket after a skipped midnight still starts at 00:00
  }
  utcBoundaries.push(toUtcTimestamp(cursor));
  return { dates, utcBoundaries };
}

/** The local start dates (YYYY-MM-DD) of every bucket of `grain` that overlaps the period. */
export function bucketStarts(period: ResolvedPeriod, grain: Grain): string[] {
  return bucketsOf(period, grain).dates;
}

/** A short human description: "1 Oct 2026 – 31 Oct 2026", "1 Jan 2026 – 29 Nov 2026, to date". */
export function describeRange(period: ResolvedPeriod, locale = 'en-GB'): string {
  const fmt = (d: DateTime) => d.setLocale(locale).toLocaleString({ day: 'numeric', month: 'short', year: 'numeric' });
  if (period.future) return `${fmt(period.from)} – ${fmt(period.to.minus({ days: 1 }))}, not started yet`;
  const lastDay = period.asOf ? period.asOf.startOf('day') : period.to.minus({ days: 1 });
  const range = lastDay.hasSame(period.from, 'day') ? fmt(period.from) : `${fmt(period.from)} – ${fmt(lastDay)}`;
  return period.asOf ? `${range}, to date` : range;
}

/** Whether the bucket starting at `date` (local YYYY-MM-DD) contains `asOf`: it is not over. */
export function bucketContains(date: string, grain: Grain, asOf: DateTime): boolean {
  const start = DateTime.fromISO(date, { zone: asOf.zone });
  return start <= asOf && asOf < start.startOf(grain, { useLocaleWeeks: false }).plus({ [grain]: 1 }).startOf('day');
}

// Month names people type (English, Spanish, Catalan, French, German), full and short.
const MONTH_WORDS = [
  'january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec',
  'enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre ene abr ago dic',
  'gener febrer març abril maig juny juliol agost setembre octubre novembre desembre',
  'janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre décembre decembre',
  'januar februar märz maerz april mai juni juli august september oktober november dezember',
].join(' ').split(' ');

/**
 * Words that look like a period but are not one of the accepted forms (`octubre`, `Q3`, `ytd`,
 * `2026/10`): the error then says how to write the period, with the code BadPeriod, not "unknown instance".
 */
export function periodLikeError(word: string): OfnError | undefined {
  const w = word.toLowerCase();
  if (MONTH_WORDS.includes(w)) return new OfnError('BadPeriod', `\`${word.slice(0, 20)}\` looks like a month: write it as YYYY-MM, e.g. ${new Date().getUTCFullYear()}-10, or say last-month or this-month.`);
  if (/^q[1-4]$/.test(w)) return new OfnError('BadPeriod', `\`${word}\` needs its year: write YYYY-${word.toUpperCase()}, e.g. ${new Date().getUTCFullYear()}-${word.toUpperCase()}.`);
  if (['ytd', 'mtd', 'wtd'].includes(w)) return new OfnError('BadPeriod', `\`${word}\`: write this-year, this-month or this-week (each is "to date").`);
  if (/^\d{4}[/.]\d{1,2}([/.]\d{1,2})?$/.test(w) || /^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$/.test(w)) return new OfnError('BadPeriod', `\`${word.slice(0, 20)}\`: write dates as YYYY-MM-DD and months as YYYY-MM.`);
  return undefined;
}
