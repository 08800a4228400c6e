import { DateTime } from 'luxon';
import type { Answer, AnswerPeriod } from '../core/answer.js';
import type { BillingReport } from '../core/outcome.js';
import { formatCount, formatMoney } from '../core/money.js';
import { describeRange, type ResolvedPeriod } from '../core/periods.js';

/** A value as a person reads it: money in the instance's currency and locale, counts grouped; "—" where undefined. */
export function formatValue(answer: Answer, value: string | null): string {
  if (value === null) return '—';
  return answer.unit === 'money'
    ? formatMoney(value, answer.instance.currency, answer.instance.locale)
    : formatCount(value, answer.instance.locale);
}

/** "last-month: 1 Oct 2026 – 31 Oct 2026 (Europe/Madrid)" or "as of 27 Nov 2026 23:40 (Europe/Madrid)". */
export function describePeriod(period: AnswerPeriod, locale: string): string {
  if (!period.from) {
    return `as of ${period.to.setLocale(locale).toLocaleString({ day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' })} (${period.timezone})`;
  }
  return `${period.label}: ${describeRange(period as ResolvedPeriod, locale)} (${period.timezone})`;
}

/** "Turnover · Katuma" */
export function headline(answer: Answer): string {
  return `${answer.title} · ${answer.instance.name}`;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(locale: string, withDay: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${withDay}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...(withDay ? { day: 'numeric' } : {}), month: 'short', year: 'numeric', timeZone: 'UTC' });
    dateFormats.set(key, format);
  }
  return format;
}

/** A bucket's label: a day, the week's Monday, or the month. */
export function bucketLabel(date: string, grain: 'day' | 'week' | 'month', locale: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  // The date is already local to the instance; format it as a calendar date (UTC avoids a shift).
  const asDate = new Date(Date.UTC(y, m - 1, d));
  if (grain === 'month') return dateFormat(locale, false).format(asDate);
  const day = dateFormat(locale, true).format(asDate);
  return grain === 'week' ? `wk ${day}` : day;
}

/** The status of a billing line as a person reads it: `below_minimum` → "below minimum". */
export function statusLabel(status: string): string {
  return status.replace(/_/g, ' ');
}

/** "October 2026" in the instance's language, for a billing month (YYYY-MM). */
export function localMonthLabel(report: Pick<BillingReport, 'month' | 'instance'>): string {
  return DateTime.fromFormat(report.month, 'yyyy-LL', { zone: report.instance.timezone }).setLocale(report.instance.locale).toFormat('LLLL yyyy');
}
