import Big from 'big.js';

/** The currency settings rates need (a value: core does not read the config module). */
export interface CurrencySettings {
  readonly reportingCurrency?: string;
  readonly exchangeRates: { readonly flat: Readonly<Record<string, string>>; readonly monthly: Readonly<Record<string, Readonly<Record<string, string>>>> };
}

/**
 * The rate from `currency` to the reporting currency for a month (YYYY-MM): the month's own rate when
 * configured, else the flat one. 1 when it is the reporting currency; undefined when none is known.
 */
export function rateFor(config: CurrencySettings, currency: string, month: string | undefined): { rate: string; month?: string } | undefined {
  const reporting = config.reportingCurrency;
  if (!reporting) return undefined;
  if (currency === reporting) return { rate: '1' };
  const monthly = month ? config.exchangeRates.monthly[month]?.[currency] : undefined;
  if (monthly) return { rate: monthly, month: month! };
  const flat = config.exchangeRates.flat[currency];
  return flat ? { rate: flat } : undefined;
}

/** Converts exactly; rounding to cents happens only when shown. */
export function convert(value: string, rate: string): string {
  return new Big(value).times(rate).toString();
}
