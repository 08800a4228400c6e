import Big from 'big.js';
import { cached } from './memo.js';

/**
 * Money is exact decimal text end to end (PostgreSQL numeric in, decimal strings out); arithmetic goes
 * through big.js, never binary floating point. Rounding is half-up to cents, as on an invoice.
 */
export type Money = string;

export function roundCents(value: Big.BigSource): Money {
  return new Big(value).round(2, Big.roundHalfUp).toFixed(2);
}

/** a / b rounded half-up to cents, or null when b is zero (an average over nothing is undefined, not 0). */
export function averageToCents(a: Big.BigSource, b: Big.BigSource): Money | null {
  return new Big(b).eq(0) ? null : new Big(a).div(b).round(2, Big.roundHalfUp).toFixed(2);
}

/** For JSON output: a number already rounded to cents (the decimal text is exact; the number is for scripts). */
export function moneyToJson(value: Money): number {
  return Number(roundCents(value));
}

// Building an Intl formatter costs far more than using one: keep one per locale and options.
const formatters = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, currency?: string, percent = false): Intl.NumberFormat {
  const key = `${locale}|${currency ?? ''}|${percent}`;
  return cached(formatters, key, () => {
    // Grouping always: es-ES leaves 4-digit numbers ungrouped (9168,56 € beside 12.438,86 € in one column).
    const options = percent ? { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 } : { useGrouping: 'always', ...(currency ? { style: 'currency', currency } : {}) };
    return new Intl.NumberFormat(locale, options as Intl.NumberFormatOptions);
  });
}

/** "€1,850.75" in the instance's currency and locale. */
export function formatMoney(value: Money, currency: string, locale: string): string {
  // Intl takes a decimal string exactly on Node 20 (no float rounding on the way).
  return numberFormat(locale, currency).format(value as unknown as number);
}

export function formatCount(value: number | string, locale: string): string {
  return numberFormat(locale).format(Number(value));
}

/**
 * A percentage written as the locale writes one, to one decimal: "37.5%" (en), "37,5 %" (es, fr, de),
 * so it reads like the counts beside it. `signed`: "+12,5 %", "−3,0 %" (a real minus sign), "0,0 %".
 */
export function formatPercent(value: number | null, locale: string, options: { signed?: boolean } = {}): string {
  if (value === null) return '—';
  const text = numberFormat(locale, undefined, true).format(Math.abs(value) / 100);
  if (!options.signed || Number(value.toFixed(1)) === 0) return value < 0 && Number(value.toFixed(1)) !== 0 ? `−${text}` : text;
  return value > 0 ? `+${text}` : `−${text}`;
}

/** "1 sales order", "1.483 sales orders": the count in the locale, the noun singular or plural. */
export function countOf(n: number, singular: string, plural: string, locale: string): string {
  return `${formatCount(n, locale)} ${n === 1 ? singular : plural}`;
}
