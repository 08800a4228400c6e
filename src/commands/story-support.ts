import Big from 'big.js';
import { convert, rateFor } from '../core/exchange.js';
import { say, type Words } from '../core/i18n.js';
import type { RateUsed } from '../core/story.js';
import type { Deps } from './types.js';

/**
 * Money of several instances in one currency: the reporting currency at the month's rate (or the flat
 * one), or the instances' own currency when they share it and none is configured. Records every rate
 * used; `missing` names what could not be converted.
 */
export class Converter {
  readonly currency: string | null;
  private readonly used = new Map<string, RateUsed>();
  readonly missing = new Set<string>();

  constructor(
    private readonly deps: Deps,
    currencies: readonly string[],
  ) {
    const distinct = [...new Set(currencies)];
    const reporting = deps.config.reportingCurrency;
    this.currency = reporting ?? (distinct.length === 1 ? distinct[0]! : null);
  }

  /** `value` in `currency` during `month` (YYYY-MM), in this converter's currency; null when it can't be. */
  convert(value: string, currency: string, month: string | undefined): string | null {
    if (this.currency === null) return null;
    if (currency === this.currency) return value;
    const rate = rateFor(this.deps.config, currency, month);
    if (!rate) {
      this.missing.add(currency);
      return null;
    }
    this.used.set(`${currency}${rate.month ?? ''}${rate.rate}`, { currency, ...rate });
    return convert(value, rate.rate);
  }

  /** `convert` of an instance's amount: how sections add up money of several instances. */
  readonly money = (value: string, instance: { currency: string }, month: string): string | null => this.convert(value, instance.currency, month);

  rates(): RateUsed[] {
    return [...this.used.values()].sort((a, b) => a.currency.localeCompare(b.currency) || (a.month ?? '').localeCompare(b.month ?? ''));
  }

  /** Why money is not added up (`note` in English, `noteWords` in the catalogs), or nothing when it is. */
  note(): { note?: string; noteWords?: Words } {
    const words: Words | undefined =
      this.currency === null
        ? { key: 'note.notAddedCurrencies' }
        : this.missing.size > 0
          ? { key: 'note.notAddedRates', values: { currency: this.currency, list: [...this.missing].sort().join(', ') } }
          : undefined;
    return words ? { note: say('en', words), noteWords: words } : {};
  }
}

/** Adds decimal texts; null if any is null. */
export function sumMoney(values: readonly (string | null)[]): string | null {
  let sum = new Big(0);
  for (const v of values) {
    if (v === null) return null;
    sum = sum.plus(v);
  }
  return sum.toString();
}
