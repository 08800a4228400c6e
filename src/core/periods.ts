import { DateTime, IANAZone, type Zone } from 'luxon';
import { OfnError } from './errors.js';
import { t, type MessageKey } from './i18n.js';
import { fold, type Language } from './vocabulary.js';
import { cached } from './memo.js';

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
  | { kind: 'range'; from: LocalDate; to: LocalDate }
  // `octubre`, `Q3`: the most recent such month or quarter that has begun, in the instance's zone.
  | { kind: 'recent-month'; month: number }
  | { kind: 'recent-quarter'; quarter: number }
  // `since 2026-01-01`, `until 31/10/2026`, `since october until 2026-11-15`: from the start of one
  // period (else 1 Jan 2000) to the end of another (else today, "to date").
  | { kind: 'span'; from?: BoundSpec; to?: BoundSpec };

/** What `since` and `until` take: any period but another span. */
export type BoundSpec = Exclude<PeriodSpec, { kind: 'span' }>;

/** How a numeric date is read: 31/10/2026 (es, ca, fr, de, en-GB …) or 10/31/2026 (en-US only). */
export type DateOrder = 'dmy' | 'mdy';
export interface PeriodOptions {
  dateOrder?: DateOrder;
}

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
  'ytd',
  'october',
  'oct 2026',
  'Q3',
  '2026Q3',
  'since <date>',
  'until <date>',
  'DD/MM/YYYY',
] as const;

/** The catalogs' `hint.periods` in `lang`: what `help` and refused periods show. */
export function periodHelp(lang: Language): string {
  return t(lang, 'hint.periods', { forms: PERIOD_FORMS.join(', ') });
}

// The English of it, which refused periods also show in the reader's language.
export const PERIOD_HELP = periodHelp('en');

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
  // Other names of the same periods; periodLabel names each by its first entry above.
  'previous-week': { kind: 'current', unit: 'week', offset: -1 },
  'previous-month': { kind: 'current', unit: 'month', offset: -1 },
  'previous-quarter': { kind: 'current', unit: 'quarter', offset: -1 },
  'previous-year': { kind: 'current', unit: 'year', offset: -1 },
  ytd: { kind: 'current', unit: 'year', offset: 0 },
  qtd: { kind: 'current', unit: 'quarter', offset: 0 },
  mtd: { kind: 'current', unit: 'month', offset: 0 },
  wtd: { kind: 'current', unit: 'week', offset: 0 },
} satisfies Record<string, PeriodSpec>));

/**
 * Month names and abbreviations people type, folded (no accents): English, Spanish, Catalan, French,
 * German. `mar` and `mai` are March and May wherever they are typed. The first word is the month's label.
 */
const MONTHS = new Map<string, number>();
for (const [month, words] of [
  [1, 'january jan enero ene gener gen janvier janv januar'],
  [2, 'february feb febrero febrer fevrier fev fevr februar'],
  [3, 'march mar marzo marc mars marz maerz'],
  [4, 'april apr abril abr avril avr'],
  [5, 'may mayo maig mai'],
  [6, 'june jun junio juny juin juni'],
  [7, 'july jul julio juliol juillet juil juli'],
  [8, 'august aug agosto ago agost aout'],
  [9, 'september sep sept septiembre setiembre set setembre septembre'],
  [10, 'october oct octubre octobre oktober okt'],
  [11, 'november nov noviembre novembre'],
  [12, 'december dec diciembre dic desembre decembre dezember dez'],
] as const) {
  for (const word of words.split(' ')) MONTHS.set(word, month);
}

/** Every month word, for did-you-mean (`octubr` → `octubre`). */
export function monthWords(): string[] {
  return [...MONTHS.keys()];
}

/** The month a folded word names (`octubre`, `oct`, `märz` as `marz`), or undefined. */
export function monthOfWord(folded: string): number | undefined {
  return MONTHS.get(folded.endsWith('.') ? folded.slice(0, -1) : folded);
}

// Bounds keep arithmetic sane and stop "last-99999999-months" from reaching the database.
const MIN_YEAR = 2000;
const MAX_YEAR = 2100;
const MAX_N: Record<'day' | 'week' | 'month', number> = { day: 3660, week: 520, month: 240 };

/** A canonical period word that needs no other word (`last-month`, `2026-10`, `this-year`): the parser's fast path. */
export function isCanonicalPeriodWord(lower: string): boolean {
  return NAMED.has(lower) || /^(last|this)-|^\d{4}(-|$)/.test(lower);
}

/** True when the word is meant as a period (even a malformed one), so the parser can report it as such. */
export function looksLikePeriod(word: string): boolean {
  const w = word.toLowerCase();
  if (NAMED.has(w) || /^\d{4}(-|$)/.test(w) || /^(last|this|next|since|until)-/.test(w)) return true;
  return looksLikeTypedPeriod(fold(w));
}

/** The forms people type besides the canonical ones: month names, Q3/T3, 2026Q3, 31/10/2026, 2026/10. */
function looksLikeTypedPeriod(w: string): boolean {
  return (
    MONTHS.has(w) ||
    /^[qt]\d$/.test(w) ||
    /^\d{4}-?[qt]\d$/.test(w) ||
    /^[qt]\d-?\d{4}$/.test(w) ||
    /^[a-z]{3,10}\.?-?\d{4}$/.test(w) && MONTHS.has(w.replace(/\.?-?\d{4}$/, '')) ||
    /^\d{4}[/.]\d{1,2}([/.]\d{1,2})?$/.test(w) ||
    /^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$/.test(w) ||
    /^\d{1,2}[/.]\d{4}$/.test(w) ||
    (w.includes('..') && w.split('..').length === 2 && w.split('..').every((part) => DATE_FORM.test(part)))
  );
}

/** Parses one period word. Throws BadPeriod with the accepted forms. */
export function parsePeriod(text: string, options: PeriodOptions = {}): PeriodSpec {
  const w = text.trim().toLowerCase();
  const named = NAMED.get(w);
  if (named) return named;
  if (w.startsWith('since-') || w.startsWith('until-')) return spanOf(text, w.startsWith('since-') ? parseBound(text, w.slice(6), options) : undefined, w.startsWith('until-') ? parseBound(text, w.slice(6), options) : undefined);
  let m = /^last-(\d{1,9})-(day|week|month)s?$/.exec(w);
  if (m) {
    const n = Number(m[1]);
    const unit = m[2] as 'day' | 'week' | 'month';
    if (n < 1 || n > MAX_N[unit]) throw badPeriod(text, 'error.period.n', { max: String(MAX_N[unit]), unit });
    return { kind: 'last-n', n, unit };
  }
  m = /^(\d{4})$/.exec(w);
  if (m) return { kind: 'year', year: checkYear(text, Number(m[1])) };
  m = /^(\d{4})-q(\d)$/.exec(w);
  if (m) {
    const quarter = checkQuarter(text, Number(m[2]));
    return { kind: 'quarter', year: checkYear(text, Number(m[1])), quarter };
  }
  m = /^(\d{4})-(\d{2})$/.exec(w);
  if (m) {
    const month = Number(m[2]);
    if (month < 1 || month > 12) throw badPeriod(text, 'error.period.month');
    return { kind: 'month', year: checkYear(text, Number(m[1])), month };
  }
  m = /^(\d{4}-\d{2}-\d{2})$/.exec(w);
  if (m) return { kind: 'day', ...parseLocalDate(text, m[1]!) };
  // Ranges (`2026-10-01..2026-10-31`) are read with the typed forms.
  const typed = parseTypedPeriod(text, fold(w), options);
  if (typed) return typed;
  throw badPeriod(text);
}

/** The forms people type (see looksLikeTypedPeriod); undefined when the word is none of them. */
function parseTypedPeriod(text: string, w: string, options: PeriodOptions): PeriodSpec | undefined {
  const month = monthOfWord(w);
  if (month) return { kind: 'recent-month', month };
  let m = /^[qt](\d)$/.exec(w);
  if (m) return { kind: 'recent-quarter', quarter: checkQuarter(text, Number(m[1])) };
  m = /^(\d{4})-?[qt](\d)$/.exec(w);
  if (m) return { kind: 'quarter', year: checkYear(text, Number(m[1])), quarter: checkQuarter(text, Number(m[2])) };
  m = /^[qt](\d)-?(\d{4})$/.exec(w);
  if (m) return { kind: 'quarter', year: checkYear(text, Number(m[2])), quarter: checkQuarter(text, Number(m[1])) };
  m = /^([a-z]{3,10})\.?-?(\d{4})$/.exec(w);
  if (m && MONTHS.has(m[1]!)) return { kind: 'month', year: checkYear(text, Number(m[2])), month: MONTHS.get(m[1]!)! };
  m = /^(\d{4})[/.](\d{1,2})$/.exec(w) ?? /^(\d{1,2})[/.](\d{4})$/.exec(w);
  if (m) {
    const [year, month] = m[1]!.length === 4 ? [Number(m[1]), Number(m[2])] : [Number(m[2]), Number(m[1])];
    if (month < 1 || month > 12) throw badPeriod(text, 'error.period.month');
    return { kind: 'month', year: checkYear(text, year), month };
  }
  m = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$/.exec(w);
  if (m) return { kind: 'day', ...calendarDate(text, Number(m[1]), Number(m[2]), Number(m[3])) };
  m = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/.exec(w);
  if (m) {
    const [a, b, year] = [Number(m[1]), Number(m[3]), Number(m[4])];
    const usOrder = options.dateOrder === 'mdy' && m[2] === '/';
    const [month, day] = usOrder ? [a, b] : [b, a];
    if (!validDate(year, month, day)) {
      const swapped = validDate(year, day, month);
      const order = usOrder ? 'mdy' : 'dmy';
      throw swapped
        ? badPeriod(text, 'error.period.dateOrderGuess', { order, guess: `${usOrder ? `${pad2(day)}/${pad2(month)}` : `${pad2(b)}/${pad2(a)}`}/${year}` })
        : badPeriod(text, 'error.period.dateOrder', { order });
    }
    return { kind: 'day', ...calendarDate(text, year, month, day) };
  }
  const parts = w.split('..');
  if (parts.length === 2 && parts.every((part) => DATE_FORM.test(part))) {
    const [from, to] = parts.map((part) => (/^\d{4}-\d{2}-\d{2}$/.test(part) ? parseLocalDate(text, part) : (parseTypedPeriod(text, part, options) as LocalDate & { kind: 'day' })));
    const range = { kind: 'range' as const, from: dateOf(from!), to: dateOf(to!) };
    if (compareDates(range.from, range.to) > 0) throw badPeriod(text, 'error.period.reversed');
    return range;
  }
  return undefined;
}

/** A day as written in a range: ISO, 2026/10/31, or 31/10/2026 (10/31/2026 in en-US). */
const DATE_FORM = /^(\d{4}-\d{2}-\d{2}|\d{4}[/.]\d{1,2}[/.]\d{1,2}|\d{1,2}([/.-])\d{1,2}\2\d{4})$/;

const pad2 = (n: number) => String(n).padStart(2, '0');

function validDate(year: number, month: number, day: number): boolean {
  // In UTC: only the calendar matters here, not a zone.
  return month >= 1 && month <= 12 && day >= 1 && DateTime.fromObject({ year, month, day }, { zone: 'UTC' }).isValid;
}

function calendarDate(text: string, year: number, month: number, day: number): LocalDate {
  checkYear(text, year);
  if (!validDate(year, month, day)) throw badPeriod(text, 'error.period.notDate', { date: `${year}-${pad2(month)}-${pad2(day)}` });
  return { year, month, day };
}

function checkQuarter(text: string, quarter: number): number {
  if (quarter < 1 || quarter > 4) throw badPeriod(text, 'error.period.quarter');
  return quarter;
}

function parseBound(text: string, word: string, options: PeriodOptions): BoundSpec {
  const spec = parsePeriod(word, options);
  if (spec.kind === 'span') throw badPeriod(text, 'error.period.span');
  return spec;
}

/** The first and last day of a period that does not depend on when it is asked; undefined for relative ones. */
function fixedDays(spec: BoundSpec): { first: LocalDate; last: LocalDate } | undefined {
  const lastOfMonth = (year: number, month: number) => ({ year, month, day: DateTime.fromObject({ year, month }, { zone: 'UTC' }).daysInMonth! });
  switch (spec.kind) {
    case 'year':
      return { first: { year: spec.year, month: 1, day: 1 }, last: { year: spec.year, month: 12, day: 31 } };
    case 'quarter':
      return { first: { year: spec.year, month: spec.quarter * 3 - 2, day: 1 }, last: lastOfMonth(spec.year, spec.quarter * 3) };
    case 'month':
      return { first: { year: spec.year, month: spec.month, day: 1 }, last: lastOfMonth(spec.year, spec.month) };
    case 'day':
      return { first: dateOf(spec), last: dateOf(spec) };
    case 'range':
      return { first: spec.from, last: spec.to };
    default:
      return undefined;
  }
}

/** `since X`, `until Y` or both; both fixed and in the wrong order is refused here, a relative pair when resolved. */
export function spanOf(text: string, from: BoundSpec | undefined, to: BoundSpec | undefined): PeriodSpec {
  if (from && to) {
    const a = fixedDays(from);
    const b = fixedDays(to);
    if (a && b && compareDates(a.first, b.last) > 0) throw badPeriod(text, 'error.period.reversed');
    // Two fixed ends are a plain range, named as one: `del 1/10/2026 al 31/10/2026` is 2026-10-01..2026-10-31.
    if (a && b) return { kind: 'range', from: a.first, to: b.last };
  }
  return { kind: 'span', ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** A period refused, in the catalogs' words: why when something specific can be said, else the forms accepted. */
function badPeriod(text: string, why?: MessageKey, values: Record<string, string> = {}): OfnError {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  if (!why) return OfnError.say('BadPeriod', 'error.badPeriod', { text: shown, forms: PERIOD_FORMS.join(', ') }, 'hint.periods');
  return OfnError.say('BadPeriod', why, { ...values, text: shown });
}

function checkYear(text: string, year: number): number {
  if (!Number.isFinite(year)) throw badPeriod(text);
  if (year < MIN_YEAR || year > MAX_YEAR) throw badPeriod(text, 'error.period.years', { min: String(MIN_YEAR), max: String(MAX_YEAR) });
  return year;
}

function parseLocalDate(text: string, iso: string): LocalDate {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  return calendarDate(text, year, month, day);
}

/** The calendar date alone (a `day` spec without its kind). */
const dateOf = ({ year, month, day }: LocalDate): LocalDate => ({ year, month, day });

function compareDates(a: LocalDate, b: LocalDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Canonical text of a spec, e.g. `last-3-months`, `2026-Q1`. */
export function periodLabel(spec: PeriodSpec): string {
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
      return `${spec.year}-${pad2(spec.month)}`;
    case 'day':
      return `${spec.year}-${pad2(spec.month)}-${pad2(spec.day)}`;
    case 'range':
      return `${spec.from.year}-${pad2(spec.from.month)}-${pad2(spec.from.day)}..${spec.to.year}-${pad2(spec.to.month)}-${pad2(spec.to.day)}`;
    case 'recent-month':
      return [...MONTHS].find(([, month]) => month === spec.month)![0];
    case 'recent-quarter':
      return `Q${spec.quarter}`;
    case 'span':
      return [spec.from ? `since-${periodLabel(spec.from)}` : '', spec.to ? `until-${periodLabel(spec.to)}` : ''].filter(Boolean).join(' ');
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
  if (spec.kind === 'recent-month' || spec.kind === 'recent-quarter') return resolvePeriod(latestBegun(spec, today), timezone, now);
  if (spec.kind === 'span') return resolveSpan(spec, timezone, now);
  const label = periodLabel(spec);
  // plus() keeps the wall-clock time: where DST skips a midnight (America/Santiago in September) a day
  // starts at 01:00, and the next day's boundary would then be 01:00 too. Each boundary is its date's first instant.
  const at = DateTime.fromJSDate(now, { zone: timezone });
  const make = (start: DateTime, end: DateTime): ResolvedPeriod => {
    const from = localDayStart(start.zone, start.toISODate()!);
    const to = localDayStart(end.zone, end.toISODate()!);
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
  }
  const { first, last } = fixedDays(spec)!;
  return make(localMidnight(first, timezone), localMidnight(last, timezone).plus({ days: 1 }));
}

/** `october` asked in November 2026 is October 2026; asked in September 2026, October 2025. */
function latestBegun(spec: { kind: 'recent-month'; month: number } | { kind: 'recent-quarter'; quarter: number }, today: DateTime): BoundSpec {
  if (spec.kind === 'recent-month') return { kind: 'month', year: spec.month <= today.month ? today.year : today.year - 1, month: spec.month };
  return { kind: 'quarter', year: spec.quarter <= Math.ceil(today.month / 3) ? today.year : today.year - 1, quarter: spec.quarter };
}

/** From the start of `from` (else 1 Jan 2000) to the end of `to` (else today): never empty, never reversed. */
function resolveSpan(spec: { kind: 'span'; from?: BoundSpec; to?: BoundSpec }, timezone: string, now: Date): ResolvedPeriod {
  const from = spec.from ? resolvePeriod(spec.from, timezone, now) : undefined;
  let to = spec.to ? resolvePeriod(spec.to, timezone, now) : undefined;
  // `between July and September` asked in August: the September after July, not the one before.
  if (to && from && to.to <= from.from && (spec.to!.kind === 'recent-month' || spec.to!.kind === 'recent-quarter')) {
    const next: BoundSpec = spec.to!.kind === 'recent-month' ? { kind: 'month', year: to.from.year + 1, month: spec.to!.month } : { kind: 'quarter', year: to.from.year + 1, quarter: (spec.to as { quarter: number }).quarter };
    to = resolvePeriod(next, timezone, now);
  }
  const start = from?.from ?? localMidnight({ year: MIN_YEAR, month: 1, day: 1 }, timezone);
  let end = to?.to ?? localDayStart(start.zone, DateTime.fromJSDate(now, { zone: timezone }).plus({ days: 1 }).toISODate()!);
  if (end <= start) end = localDayStart(start.zone, start.plus({ days: 1 }).toISODate()!);
  const at = DateTime.fromJSDate(now, { zone: timezone });
  const label = [from ? `since-${from.label}` : '', to ? `until-${to.label}` : ''].filter(Boolean).join(' ');
  return { label, from: start, to: end, timezone, ...(end > at ? { asOf: at } : {}), ...(start > at ? { future: true } : {}) };
}

/** A UTC instant as OFN stores it: `timestamp without time zone` text in UTC. */
export function toUtcTimestamp(instant: DateTime): string {
  // Date's ISO form is this one with a T and a Z (years 0000–9999), and costs a microsecond where luxon's toFormat costs forty.
  return new Date(instant.toMillis()).toISOString().replace('T', ' ').slice(0, 23);
}

/**
 * The first instant of a local day (its first midnight, or 01:00 where DST skips midnight),
 * remembered: the same month and week boundaries come back in every answer, and placing one in a
 * named zone costs luxon several offset look-ups.
 */
const localDayStarts = new Map<string, DateTime>();
function localDayStart(zone: Zone, date: string): DateTime {
  const key = `${zone.name}|${date}`;
  return cached(
    localDayStarts,
    key,
    () => {
      const start = DateTime.fromISO(date, { zone });
      // luxon places a local time by guessing today's offset first: where midnight came twice (Havana,
      // clocks back at 01:00) or the zone's offset has since moved (Apia), it can land an hour off.
      return start.toISODate() !== date || start.minus({ milliseconds: 1 }).toISODate() === date ? firstInstantOf(zone, date) : start;
    },
    50_000,
  );
}

/** The first instant whose local date is `date` (or a later date, for a day the zone skipped), by bisection on the UTC clock. */
function firstInstantOf(zone: Zone, date: string): DateTime {
  let before = Date.parse(`${date}T00:00:00Z`) - 26 * 3_600_000; // offsets span -12 h to +14 h
  let inside = before + 52 * 3_600_000;
  while (inside - before > 1) {
    const mid = Math.floor((before + inside) / 2);
    if (DateTime.fromMillis(mid, { zone }).toISODate()! >= date) inside = mid;
    else before = mid;
  }
  return DateTime.fromMillis(inside, { zone });
}

/**
 * Every bucket of `grain` that overlaps the period: its local start, as a date and as a UTC instant.
 * Buckets are clipped to the period: the first week of October starts (and is labelled) on 1 Oct.
 * The steps are taken on plain calendar dates (a UTC Date has no offsets to look up) and each
 * boundary placed at its local day start; this runs for every breakdown (a year by day is 366 steps).
 */
export function bucketsOf(period: ResolvedPeriod, grain: Grain): { dates: string[]; utcBoundaries: string[] } {
  const dates: string[] = [];
  const utcBoundaries: string[] = [];
  const zone = period.from.zone;
  const fromMs = period.from.toMillis();
  const toMs = period.to.toMillis();
  const first = period.from.startOf(grain, { useLocaleWeeks: false });
  const day = new Date(Date.UTC(first.year, first.month - 1, first.day));
  let cursor = first;
  // 400 years of days is the hard ceiling; the period parser's bounds keep us far below it.
  for (let guard = 0; cursor.toMillis() < toMs && guard < 150_000; guard++) {
    const start = cursor.toMillis() < fromMs ? period.from : cursor;
    dates.push(start.toISODate()!);
    utcBoundaries.push(toUtcTimestamp(start));
    if (grain === 'month') day.setUTCMonth(day.getUTCMonth() + 1);
    else day.setUTCDate(day.getUTCDate() + (grain === 'week' ? 7 : 1));
    const date = day.toISOString().slice(0, 10);
    cursor = localDayStart(zone, date);
    // A whole day skipped (Samoa, 30 Dec 2011) lands on the next: step on from there.
    if (cursor.toISODate() !== date) day.setTime(Date.UTC(cursor.year, cursor.month - 1, cursor.day));
  }
  utcBoundaries.push(toUtcTimestamp(cursor));
  return { dates, utcBoundaries };
}

/** The local start dates (YYYY-MM-DD) of every bucket of `grain` that overlaps the period. */
export function bucketStarts(period: ResolvedPeriod, grain: Grain): string[] {
  return bucketsOf(period, grain).dates;
}

/**
 * The locale dates are written in for an answer in `lang` at an instance whose conventions are `locale`:
 * the language's words (month names) with the region's customs, so an English answer at a Spanish
 * instance says "1 Oct 2026", never "1 oct 2026" (`en-ES`); the locale itself when it is in that language.
 */
export function dateLocale(locale: string, lang: Language): string {
  const [language, ...rest] = locale.split('-');
  if (language?.toLowerCase() === lang) return locale;
  const region = rest.find((part) => /^[A-Z]{2}$|^\d{3}$/.test(part));
  return region ? `${lang}-${region}` : lang;
}

/** A short human description: "1 Oct 2026 – 31 Oct 2026", "1 Jan 2026 – 29 Nov 2026, to date". */
export function describeRange(period: ResolvedPeriod, locale = 'en-GB', lang: Language = 'en'): string {
  const fmt = (d: DateTime) => d.setLocale(dateLocale(locale, lang)).toLocaleString({ day: 'numeric', month: 'short', year: 'numeric' });
  if (period.future) return t(lang, 'period.notStarted', { range: `${fmt(period.from)} – ${fmt(period.to.minus({ days: 1 }))}` });
  const lastDay = period.asOf ? period.asOf.startOf('day') : period.to.minus({ days: 1 });
  const range = lastDay.hasSame(period.from, 'day') ? fmt(period.from) : `${fmt(period.from)} – ${fmt(lastDay)}`;
  return period.asOf ? t(lang, 'period.toDate', { range }) : range;
}

/** Whether the bucket starting at `date` (local YYYY-MM-DD) contains `asOf`: it is not over. */
export function bucketContains(date: string, grain: Grain, asOf: DateTime): boolean {
  const start = DateTime.fromISO(date, { zone: asOf.zone });
  return start <= asOf && asOf < start.startOf(grain, { useLocaleWeeks: false }).plus({ [grain]: 1 }).startOf('day');
}

/**
 * A word that looks like a period but is not one that can be read (`2026-13`, `q5`, `10/31/2026`
 * where dates are day/month/year): the error then says how to write it, with the code BadPeriod,
 * not "unknown instance". Month names, Q3, ytd and local dates are periods now (issue 18).
 */
export function periodLikeError(word: string, options: PeriodOptions = {}): OfnError | undefined {
  if (!looksLikePeriod(word) && !/^[qt]\d+$/i.test(word)) return undefined;
  try {
    parsePeriod(word, options);
    return undefined;
  } catch (error) {
    return error instanceof OfnError ? error : undefined;
  }
}
