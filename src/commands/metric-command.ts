import type { Answer, Unit } from '../core/answer.js';
import { bucketsOf, type Grain, type ResolvedPeriod } from '../core/periods.js';
import type { Buckets, SalesScope, UtcWindow } from '../queries/definitions.js';
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
  value: string;
  orders?: number;
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
  /** The single figure. `window` is undefined for "as of now" questions with no period. */
  scalar?(tx: ReplicaTx, window: UtcWindow | undefined, scope: SalesScope): Promise<{ value: string; detail?: string }>;
  /** Rows per local bucket (missing buckets are filled with zero by the caller). */
  series?(tx: ReplicaTx, window: UtcWindow, buckets: Buckets, scope: SalesScope): Promise<{ bucket: string; value: string }[]>;
  /** Rows per shop, largest first, at most `limit` when given. */
  byShop?(tx: ReplicaTx, window: UtcWindow, limit: number | undefined, scope: SalesScope): Promise<ShopRow[]>;
}

/** One row per bucket of the period, in order, zero where the database had nothing. */
export function fillSeries(period: ResolvedPeriod, grain: Grain, rows: readonly { bucket: string; value: string }[], zero: string) {
  const byBucket = new Map(rows.map((r) => [r.bucket, r.value]));
  return bucketsOf(period, grain).dates.map((date) => ({ date, value: byBucket.get(date) ?? zero }));
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
    const zero = spec.unit === 'money' ? '0.00' : '0';
    const scope: SalesScope = args.segment ? { distributors: deps.config.registry.filtersOf(args.segment) } : {};
    const replica = deps.replica(instance.id);
    const breakdown = args.breakdown;
    if (breakdown === 'shop' || !spec.scalar) {
      const rows = await replica.read((tx) => spec.byShop!(tx, window!, args.limit, scope));
      return { ...base, kind: 'ranking', rows };
    }
    if (breakdown && resolved && spec.series) {
      const buckets = bucketsOf(resolved, breakdown);
      const rows = await replica.read((tx) => spec.series!(tx, window!, buckets, scope));
      return { ...base, kind: 'series', grain: breakdown, rows: fillSeries(resolved, breakdown, rows, zero) };
    }
    const { value, detail } = await replica.read((tx) => spec.scalar!(tx, window, scope));
    return { ...base, kind: 'scalar', value, ...(detail ? { detail } : {}) };
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
