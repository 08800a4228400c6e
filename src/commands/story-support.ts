import pLimit from 'p-limit';
import Big from 'big.js';
import type { GlobalAnswer, InstanceRef } from '../core/answer.js';
import { OfnError } from '../core/errors.js';
import { convert, rateFor } from '../core/exchange.js';
import type { RateUsed } from '../core/story.js';
import { lookupInstance, instanceRef } from './question.js';
import type { Deps } from './types.js';
import type { InstanceConfig } from '../config/config.js';

/** Rejects with ReplicaTimeout after `ms`: one slow replica costs only its own part of an `all` answer. */
function withDeadline<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  return Promise.race([
    work,
    new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new OfnError('ReplicaTimeout', `${name}'s replica did not answer in ${ms / 1000} s.`)), { once: true })),
  ]);
}

/**
 * Runs `work` for each instance, bounded and each with its own deadline, as `runAcross` does for
 * questions: instances that fail with an OfnError become warnings; none answering is an error.
 */
export async function fanOutStory<T>(deps: Deps, ids: readonly string[], work: (instance: InstanceConfig) => Promise<T>): Promise<{ results: { instance: InstanceRef; value: T }[]; warnings: GlobalAnswer['warnings'] }> {
  const timeoutMs = deps.config.fanOutTimeoutSeconds * 1000;
  const limit = pLimit(deps.config.fanOutConcurrency);
  const single = ids.length === 1;
  const outcomes = await Promise.all(
    ids.map((id) =>
      limit(async () => {
        const instance = lookupInstance(deps, id);
        try {
          const value = single ? await work(instance) : await withDeadline(work(instance), timeoutMs, instance.name);
          return { instance: instanceRef(instance), value, warning: undefined };
        } catch (error) {
          // One instance asked: its error is the answer.
          if (single || !(error instanceof OfnError)) throw error;
          return { instance: instanceRef(instance), value: undefined, warning: { instance: id, name: instance.name, message: error.message } };
        }
      }),
    ),
  );
  const results = outcomes.flatMap((o) => (o.warning ? [] : [{ instance: o.instance, value: o.value as T }]));
  const warnings = outcomes.flatMap((o) => (o.warning ? [o.warning] : []));
  if (results.length === 0) throw new OfnError('ReplicaUnavailable', `No instance answered: ${warnings.map((w) => `${w.name}: ${w.message}`).join(' ')}`);
  return { results, warnings };
}

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

  rates(): RateUsed[] {
    return [...this.used.values()].sort((a, b) => a.currency.localeCompare(b.currency) || (a.month ?? '').localeCompare(b.month ?? ''));
  }

  /** Why money is not added up, or undefined when it is. */
  note(): string | undefined {
    if (this.currency === null) return 'Turnover is not added up: the instances use different currencies and no reportingCurrency is configured.';
    if (this.missing.size > 0) return `Turnover is not added up: no rate to ${this.currency} for ${[...this.missing].sort().join(', ')} (exchangeRates in the config).`;
    return undefined;
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
