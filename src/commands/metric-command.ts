import Big from 'big.js';
import type { Answer, Unit } from '../core/answer.js';
import { countOf } from '../core/money.js';
import { bucketContains, bucketsOf, type Grain, type ResolvedPeriod } from '../core/periods.js';
import { turnoverByBucket, turnoverByShop, turnoverTotals, type Buckets, type SalesScope, type UtcWindow } from '../queries/definitions.js';
import type { ReplicaTx } from '../queries/replica.js';
import {
  answerPeriod,
  canonicalQuestion,
  instanceRef,
  lookupInstance,
  parseQuestionWords,
  utcWindow,
  staleness,
  type QuestionArgs,
  type QuestionShape,
} from './question.js';
import type { Command, Deps } from './types.js';
import type { InstanceConfig } from '../config/config.js';

export interface ShopRow {
  enterpriseId: number;
  name: string;
  value: string | null;
  orders?: number;
}

export interface ShopRanking {
  rows: ShopRow[];
  total?: { value: string | null; orders?: number };
}

/** How one measure is computed; the command plumbing (parse, periods, answer shape) is shared. */
export interface MetricSpec {
  name: string;
  aliases?: readonly string[];
  title: string;
  /** Name of the value column when it differs from the title (top-shops ranks by "Turnover"). */
  measure?: string;
  summary: string;
  unit: Unit;
  shape: QuestionShape;
  examples: readonly string[];
  /** The single figure (and the sales orders behind it). `window` is undefined for "as of now" questions with no period. */
  scalar?(tx: ReplicaTx, window: UtcWindow | undefined, scope: SalesScope): Promise<{ value: string | null; orders?: number }>;
  /** How the orders behind the figure are named: "from 412 sales orders" (turnover), "over 412 …" (an average). */
  ordersDetail?: 'from' | 'over';
  /** Rows per local bucket (missing buckets are filled with zero by the caller), with the sales orders behind each when the figure is money. */
  series?(tx: ReplicaTx, window: UtcWindow, buckets: Buckets, scope: SalesScope): Promise<{ bucket: string; value: string | null; orders?: number }[]>;
  /**
   * The window's figure is the sum of its buckets' (a sum or a count; not an average, not a distinct
   * count): a series then carries its total from its own rows, in the one statement, instead of reading
   * the period again (a year of orders is read once, not twice).
   */
  additive?: boolean;
  /** The value of an empty bucket: 0 for sums and counts, null for an average. Default by unit. */
  zero?: string | null;
  /**
   * Rows per shop, largest first, at most `limit` when given; and, for a measure with a `scalar`, that
   * figure for the whole window read by the same statement (the ranking's total).
   */
  byShop?(tx: ReplicaTx, window: UtcWindow, limit: number | undefined, scope: SalesScope): Promise<ShopRanking>;
}

/**
 * `scalar`, `series` and `byShop` of a measure of sales orders (turnover, an average, a custom metric):
 * each figure from the turnover and the number of sales orders of the same rows, in `scoped(scope)`.
 */
export function salesMeasure(valueOf: (t: { turnover: string; orders: number }) => string | null, scoped = (scope: SalesScope) => scope): Required<Pick<MetricSpec, 'scalar' | 'series' | 'byShop'>> {
  return {
    async scalar(tx, window, scope) {
      const totals = await turnoverTotals(tx, window!, scoped(scope));
      return { value: valueOf(totals), orders: totals.orders };
    },
    async series(tx, window, buckets, scope) {
      return (await turnoverByBucket(tx, window, buckets, scoped(scope))).map((r) => ({ bucket: r.bucket, value: valueOf(r), orders: r.orders }));
    },
    async byShop(tx, window, limit, scope) {
      const { rows, all } = await turnoverByShop(tx, window, limit, scoped(scope));
      return { rows: rows.map((r) => ({ enterpriseId: r.enterpriseId, name: r.name, value: valueOf(r), orders: r.orders })), total: { value: valueOf(all), orders: all.orders } };
    },
  };
}

/**
 * One row per bucket of the period up to now, in order, zero where the database had nothing (null
 * for an average: undefined over no orders). A bucket after now is left out; the one containing now
 * is marked partial.
 */
export function fillSeries(period: ResolvedPeriod, grain: Grain, rows: readonly { bucket: string; value: string | null }[], zero: string | null) {
  const byBucket = new Map(rows.map((r) => [r.bucket, r.value]));
  const asOf = period.asOf;
  return bucketsOf(period, grain)
    .dates.filter((date) => !asOf || date <= asOf.toISODate()!)
    .map((date) => ({ date, value: byBucket.has(date) ? byBucket.get(date)! : zero, ...(asOf && bucketContains(date, grain, asOf) ? { partial: true } : {}) }));
}

/**
 * The total of an additive series from its rows as the database summed them: exact decimals (the
 * largest scale of the rows, as PostgreSQL's sum keeps it), the sales orders behind money; '0' over
 * no rows, as `coalesce(sum(…), 0)` gives.
 */
export function totalOfRows(rows: readonly { value: string | null; orders?: number }[], unit: Unit): { value: string; orders?: number } {
  let sum = new Big(0);
  let scale = 0;
  let orders = 0;
  for (const row of rows) {
    if (row.value === null) continue;
    sum = sum.plus(row.value);
    scale = Math.max(scale, row.value.split('.')[1]?.length ?? 0);
    orders += row.orders ?? 0;
  }
  return { value: rows.length === 0 ? '0' : sum.toFixed(scale), ...(unit === 'money' ? { orders } : {}) };
}

function usageOf(spec: MetricSpec): string {
  const parts = [spec.name];
  if (spec.shape.limit) parts.push('[N]');
  parts.push('<instance>', '[period]');
  const grains = spec.shape.breakdowns;
  if (grains.length > 0) parts.push(`[by ${grains.join('|')}]`);
  if (spec.shape.segments) parts.push('[for <segment>]');
  if (spec.series || spec.byShop) parts.push('[chart]');
  return parts.join(' ');
}

export function defineMetricCommand(spec: MetricSpec): Command<QuestionArgs> {
  const answer = async (deps: Deps, args: QuestionArgs, instance: InstanceConfig): Promise<Answer> => {
    const period = answerPeriod(args.period, instance, deps.now());
    const resolved = period.from ? (period as ResolvedPeriod) : undefined;
    const window = resolved ? utcWindow(resolved) : undefined;
    const base = {
      question: canonicalQuestion(spec.name, args),
      title: spec.title,
      measure: spec.measure ?? spec.title,
      instance: instanceRef(instance),
      period,
      unit: spec.unit,
    };
    const zero = spec.zero === undefined ? (spec.unit === 'money' ? '0.00' : '0') : spec.zero;
    const scope: SalesScope = args.segment ? { distributors: deps.config.registry.filtersOf(args.segment) } : {};
    const replica = deps.replica(instance.id);
    const breakdown = args.breakdown;
    if (resolved?.future) {
      // A period that has not started has no data yet: say so rather than show zeros.
      const note = `No data yet: ${resolved.label} starts on ${resolved.from.setLocale(instance.locale).toLocaleString({ day: 'numeric', month: 'long', year: 'numeric' })}.`;
      if (breakdown === 'shop' || !spec.scalar) return { ...base, note, kind: 'ranking', rows: [] };
      if (breakdown) return { ...base, note, kind: 'series', grain: breakdown, rows: [] };
      return { ...base, note, kind: 'scalar', value: null };
    }
    const detailOf = (orders: number | undefined) =>
      orders !== undefined && spec.ordersDetail ? { orders, detail: `${spec.ordersDetail} ${countOf(orders, 'sales order', 'sales orders', instance.locale)}` } : orders !== undefined ? { orders } : {};
    // Every breakdown carries the scalar question's figure as its total, read by the same statement or in the same snapshot.
    const asTotal = ({ value, orders }: { value: string | null; orders?: number }) => ({ value, ...(orders !== undefined && spec.unit === 'money' ? { orders } : {}) });
    if (breakdown === 'shop' || !spec.scalar) {
      // One statement: the ranking and, over every sales order of the window, its total.
      const ranking = await replica.read((tx) => spec.byShop!(tx, window!, args.limit, scope));
      if (spec.scalar && !ranking.total) throw new Error(`${spec.name}: a ranking of a measure with a single figure must carry its total`);
      return { ...base, kind: 'ranking', rows: ranking.rows, ...(spec.scalar && ranking.total ? { total: asTotal(ranking.total) } : {}) };
    }
    if (breakdown && resolved && spec.series) {
      const buckets = bucketsOf(resolved, breakdown);
      if (spec.additive) {
        const rows = await replica.read((tx) => spec.series!(tx, window!, buckets, scope));
        return { ...base, kind: 'series', grain: breakdown, rows: fillSeries(resolved, breakdown, rows, zero), total: totalOfRows(rows, spec.unit) };
      }
      const { rows, total } = await replica.read(async (tx) => ({ rows: await spec.series!(tx, window!, buckets, scope), total: asTotal(await spec.scalar!(tx, window, scope)) }), { snapshot: true });
      return { ...base, kind: 'series', grain: breakdown, rows: fillSeries(resolved, breakdown, rows, zero), total };
    }
    const { value, orders } = await replica.read((tx) => spec.scalar!(tx, window, scope));
    return { ...base, kind: 'scalar', value, ...detailOf(orders) };
  };
  return {
    name: spec.name,
    aliases: spec.aliases ?? [],
    summary: spec.summary,
    usage: usageOf(spec),
    examples: spec.examples,
    parse: (words, context) => parseQuestionWords(spec.name, words, spec.shape, context),
    async run(deps, args): Promise<Answer> {
      const instance = lookupInstance(deps, args.instance);
      const result = await answer(deps, args, instance);
      const asOf = await staleness(deps, instance);
      return asOf ? { ...result, dataAsOf: asOf } : result;
    },
  };
}
