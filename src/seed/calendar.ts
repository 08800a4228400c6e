import { DateTime } from 'luxon';

/**
 * The instance's local days, from the start of the history to a little after `until`, with the UTC
 * instant of each local midnight. OFN stores UTC in `timestamp without time zone` columns while
 * people (and billing) think in local days and months, so the generator picks local days and local
 * clock times and converts them here. Converting through the precomputed midnights keeps a million
 * orders fast; days whose length is not 24 h (DST changes) go through luxon.
 */
export class LocalCalendar {
  readonly zone: string;
  /** First local day of the history (index 0). */
  readonly startMs: number;
  /** Data ends strictly before this instant. */
  readonly untilMs: number;
  /** Index of the local day containing `until` (the last day with data). */
  readonly untilDay: number;
  /** Number of days in the table (covers a margin after `until` for open order cycles). */
  readonly dayCount: number;
  /** UTC ms of local midnight of each day; one extra entry for the end of the last day. */
  readonly midnight: Float64Array;
  readonly year: Int16Array;
  readonly month: Uint8Array; // 1-12
  readonly dayOfMonth: Uint8Array; // 1-31
  readonly daysInMonth: Uint8Array;
  readonly weekday: Uint8Array; // 1 = Monday .. 7 = Sunday (ISO, as luxon)
  /** 1 when the day is not 24 h long (a DST change or another offset change). */
  readonly irregular: Uint8Array;
  /** Day indexes (<= untilDay) on which the UTC offset changes. */
  readonly offsetChangeDays: number[];

  constructor(zone: string, until: Date, historyYears: number, marginDays: number) {
    const untilLocal = DateTime.fromMillis(until.getTime(), { zone });
    if (!untilLocal.isValid) throw new Error(`unknown time zone '${zone}'`);
    this.zone = zone;
    this.untilMs = until.getTime();
    const first = untilLocal.minus({ years: historyYears }).startOf('day');
    const lastDay = untilLocal.startOf('day');
    const untilDay = Math.round(lastDay.diff(first, 'days').days);
    this.untilDay = untilDay;
    this.dayCount = untilDay + 1 + marginDays;
    this.midnight = new Float64Array(this.dayCount + 1);
    this.year = new Int16Array(this.dayCount);
    this.month = new Uint8Array(this.dayCount);
    this.dayOfMonth = new Uint8Array(this.dayCount);
    this.daysInMonth = new Uint8Array(this.dayCount);
    this.weekday = new Uint8Array(this.dayCount);
    this.irregular = new Uint8Array(this.dayCount);
    this.offsetChangeDays = [];
    let day = first;
    for (let i = 0; i <= this.dayCount; i++) {
      this.midnight[i] = day.toMillis();
      if (i < this.dayCount) {
        this.year[i] = day.year;
        this.month[i] = day.month;
        this.dayOfMonth[i] = day.day;
        this.daysInMonth[i] = day.daysInMonth ?? 30;
        this.weekday[i] = day.weekday;
      }
      day = day.plus({ days: 1 }).startOf('day');
    }
    for (let i = 0; i < this.dayCount; i++) {
      const next = this.midnight[i + 1] as number;
      const start = this.midnight[i] as number;
      const startOffset = DateTime.fromMillis(start, { zone }).offset;
      const endOffset = DateTime.fromMillis(next - 1, { zone }).offset;
      if (next - start !== 86_400_000 || startOffset !== endOffset) {
        this.irregular[i] = 1;
        if (i <= untilDay) this.offsetChangeDays.push(i);
      }
    }
    this.startMs = this.midnight[0] as number;
  }

  /** UTC ms of a local wall-clock time (seconds after local midnight) on day `day`. On a DST day,
   * luxon resolves wall times that do not exist (spring forward) by moving them forward. */
  localToUtc(day: number, secondOfDay: number): number {
    if (this.irregular[day] !== 1) return (this.midnight[day] as number) + secondOfDay * 1000;
    const hour = Math.floor(secondOfDay / 3600);
    const minute = Math.floor((secondOfDay % 3600) / 60);
    const second = secondOfDay % 60;
    return DateTime.fromObject(
      {
        year: this.year[day] as number,
        month: this.month[day] as number,
        day: this.dayOfMonth[day] as number,
        hour,
        minute,
        second,
      },
      { zone: this.zone },
    ).toMillis();
  }

  /** Local day index containing a UTC instant (clamped to the table). */
  dayOf(utcMs: number): number {
    let lo = 0;
    let hi = this.dayCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.midnight[mid] as number) <= utcMs) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Index of the last day of the local month containing `day`. */
  monthEnd(day: number): number {
    return day + ((this.daysInMonth[day] as number) - (this.dayOfMonth[day] as number));
  }

  /** Local calendar date of a day as 'YYYY-MM-DD'. */
  isoDate(day: number): string {
    const m = this.month[day] as number;
    const d = this.dayOfMonth[day] as number;
    return `${this.year[day]}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
  }
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => (i < 10 ? `0${i}` : String(i)));
let cachedDay = NaN;
let cachedDate = '';

/** 'YYYY-MM-DD HH:MM:SS' in UTC — the form OFN's `timestamp without time zone` columns hold.
 * Always pass strings: node-postgres would serialise a JS Date in the process's local zone.
 * (Hot path when writing a million orders: the date part is cached per UTC day.) */
export function utcTimestamp(ms: number): string {
  const day = Math.floor(ms / 86_400_000);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(day * 86_400_000).toISOString().slice(0, 10);
  }
  const secondOfDay = Math.floor((ms - day * 86_400_000) / 1000);
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay % 3600) / 60);
  return `${cachedDate} ${TWO_DIGITS[hour]}:${TWO_DIGITS[minute]}:${TWO_DIGITS[secondOfDay % 60]}`;
}
