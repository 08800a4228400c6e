import pLimit from 'p-limit';
import Big from 'big.js';
import type { Answer, GlobalAnswer, GlobalTotal, InstanceRef } from '../core/answer.js';
import type { InstanceConfig } from '../config/config.js';
import { OfnError } from '../core/errors.js';
import { convert, rateFor } from '../core/exchange.js';
import { roundCents } from '../core/money.js';
import { periodLabel } from '../core/periods.js';
import type { QuestionArgs } from './question.js';
import { canonicalQuestion, instanceRef, lookupInstance } from './question.js';
import type { Command, Deps } from './types.js';

export function totalOf(deps: Deps, results: Answer[], failed: boolean): GlobalTotal | undefined {
  const figures = results.filter((a): a is Extract<Answer, { kind: 'scalar' }> => a.kind === 'scalar');
  if (figures.length === 0 || figures.length !== results.length) return undefined;
  // An undefined figure (an average over no orders, a period not started) can't be added up.
  if (figures.some((a) => a.value === null)) return undefined;
  const scalars = figures as (Extract<Answer, { kind: 'scalar' }> & { value: string })[];
  if (scalars[0]!.unit === 'count') {
    const sum = scalars.reduce((acc, a) => acc.plus(a.value), new Big(0));
    return { value: sum.toString(), currency: null, partial: failed, rates: [] };
  }
  // Each at the rate of the month its period starts in, in its own zone (monthly exchange rates).
  return sumMoney(deps, scalars.map((a) => ({ value: a.value, currency: a.instance.currency, month: a.period.from?.toFormat('yyyy-LL') })), failed);
}

/**
 * Amounts in several currencies as one total: in the reporting currency at the configured rates (an
 * amount without a rate makes it partial), or, without a reporting currency, only when they share one.
 */
export function sumMoney(deps: Deps, amounts: readonly { value: string; currency: string; month?: string | undefined }[], failed: boolean): GlobalTotal {
  const reporting = deps.config.reportingCurrency;
  const currencies = new Set(amounts.map((a) => a.currency));
  if (!reporting) {
    if (currencies.size > 1) return { value: null, currency: null, partial: failed, rates: [] };
    const sum = amounts.reduce((acc, a) => acc.plus(a.value), new Big(0));
    return { value: roundCents(sum), currency: [...currencies][0] ?? null, partial: failed, rates: [] };
  }
  let sum = new Big(0);
  let partial = failed;
  const rates = new Map<string, { currency: string; rate: string; month?: string }>();
  for (const a of amounts) {
    const rate = rateFor(deps.config, a.currency, a.month);
    if (!rate) {
      partial = true;
      continue;
    }
    if (a.currency !== reporting) rates.set(`${a.currency}${rate.month ?? ''}`, { currency: a.currency, ...rate });
    sum = sum.plus(convert(a.value, rate.rate));
  }
  return { value: roundCents(sum), currency: reporting, partial, rates: [...rates.values()] };
}

/** Resolves as `work` does, or rejects with `late()` after `ms` (AbortSignal.timeout). */
export function withDeadline<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  return Promise.race([work, new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(late()), { once: true }))]);
}

/**
 * Runs `work` for each instance, bounded (`fanOutConcurrency`), each within `fanOutTimeoutSeconds`:
 * an instance that fails with an OfnError becomes a warning (unless `single`: then its error is the
 * answer); none answering is an error. Results and warnings keep the order of `ids`.
 */
async function settle<T>(deps: Deps, ids: readonly string[], work: (id: string) => Promise<T>, single = false): Promise<{ results: { id: string; value: T }[]; warnings: GlobalAnswer['warnings'] }> {
  const timeoutMs = deps.config.fanOutTimeoutSeconds * 1000;
  const limit = pLimit(deps.config.fanOutConcurrency);
  const outcomes = await Promise.all(
    ids.map((id) =>
      limit(async () => {
        const name = deps.config.instances.get(id)?.name ?? id;
        try {
          const late = () => OfnError.say('ReplicaTimeout', 'error.replicaDeadline', { name, seconds: timeoutMs / 1000 });
          return { id, value: single ? await work(id) : await withDeadline(work(id), timeoutMs, late) };
        } catch (error) {
          if (single || !(error instanceof OfnError)) throw error;
          // Named with its error: in English, and its words for other languages.
          return { id, warning: { instance: id, name, message: error.message, ...(error.text ? { text: error.text } : {}) } };
        }
      }),
    ),
  );
  const results = outcomes.flatMap((o) => (o.warning ? [] : [{ id: o.id, value: o.value as T }]));
  const warnings = outcomes.flatMap((o) => (o.warning ? [o.warning] : []));
  // Every instance failed: their reasons, each in the reader's language where the catalogs have it.
  if (results.length === 0) throw OfnError.of('ReplicaUnavailable', { key: 'error.noInstanceAnswered', details: warnings });
  return { results, warnings };
}

/**
 * Asks one question of several instances in parallel (bounded), each resolving the period in its own
 * zone, each with its own deadline: one slow or broken replica only costs its own row.
 */
export async function runAcross(deps: Deps, command: Command<QuestionArgs>, args: QuestionArgs, instanceIds: readonly string[]): Promise<GlobalAnswer> {
  const { scope: _all, ...single } = args;
  const { results: answered, warnings } = await settle(deps, instanceIds, (id) => command.run(deps, { ...single, instance: id }));
  const results = answered.map((r) => r.value);
  const first = results[0]!;
  const total = totalOf(deps, results, warnings.length > 0);
  return {
    kind: 'global',
    question: canonicalQuestion(command.name, args),
    title: first.title,
    unit: first.unit,
    periodLabel: args.period ? periodLabel(args.period) : 'now',
    results,
    warnings,
    ...(total ? { total } : {}),
  };
}

/**
 * Runs `work` for each instance as `runAcross` does for questions (the growth story, `billing all`);
 * one instance asked: its error is the answer.
 */
export async function fanOutInstances<T>(deps: Deps, ids: readonly string[], work: (instance: InstanceConfig) => Promise<T>): Promise<{ results: { instance: InstanceRef; value: T }[]; warnings: GlobalAnswer['warnings'] }> {
  const instances = new Map(ids.map((id) => [id, lookupInstance(deps, id)]));
  const { results, warnings } = await settle(deps, ids, (id) => work(instances.get(id)!), ids.length === 1);
  return { results: results.map((r) => ({ instance: instanceRef(instances.get(r.id)!), value: r.value })), warnings };
}
