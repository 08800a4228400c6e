import Big from 'big.js';
import type { DateTime } from 'luxon';
import { OfnError } from '../core/errors.js';
import { bucketsOf, periodLabel, resolvePeriod, toUtcTimestamp, type PeriodSpec, type ResolvedPeriod } from '../core/periods.js';
import { GROWTH_FIGURES, percentChange, type GrowthChange, type GrowthReport, type GrowthRow, type GrowthSection, type GrowthValues } from '../core/story.js';
import type { InstanceRef } from '../core/answer.js';
import { growthByBucket, growthInWindows, type GrowthFigures, type UtcWindow } from '../queries/definitions.js';
import { canonicalQuestion, instanceRef, type QuestionArgs } from './question.js';
import { fanOutInstances } from './fan-out.js';
import { Converter } from './story-support.js';
import type { Deps } from './types.js';

/** `growth` with no period: the last 12 complete months, each instance in its own zone. */
export const GROWTH_DEFAULT_PERIOD: PeriodSpec = { kind: 'last-n', n: 12, unit: 'month' };

/** Resolves a period that must be whole local months (growth and retention go month by month). */
export function monthPeriod(spec: PeriodSpec, timezone: string, now: Date, question: string): ResolvedPeriod {
  const period = resolvePeriod(spec, timezone, now);
  const whole = (t: DateTime) => t.day === 1 && t.hour === 0 && t.minute === 0;
  if (!whole(period.from) || !whole(period.to)) {
    throw OfnError.say('BadPeriod', 'error.wholeMonths', { question, period: periodLabel(spec) }, 'hint.wholeMonths');
  }
  return period;
}

/** What one instance's replica says: months of the period and before it, and the windows to compare. */
interface InstanceGrowth {
  instance: InstanceRef;
  period: ResolvedPeriod;
  /** Local first days (YYYY-MM-DD) of the months shown: those of the period that have started. */
  shown: string[];
  /** Every complete month from max(12, length) months before the period up to the month in progress. */
  months: Map<string, GrowthFigures>;
  /** The month in progress, to date, and the same part of the month 1, 12 and `length` months before. */
  partial?: { date: string; byShift: Map<number, GrowthFigures> };
  /** Active shops are distinct over a window, never a sum of months. */
  activeTotal: { current: number; previous: number; yearBefore: number };
  /** Months in the period. */
  length: number;
}

function shiftMonth(date: string, months: number): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) - months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

async function readInstance(deps: Deps, instanceId: string, spec: PeriodSpec, question: string): Promise<InstanceGrowth> {
  const config = deps.config.instances.get(instanceId)!;
  const period = monthPeriod(spec, config.timezone, deps.now(), question);
  const length = Math.round(period.to.diff(period.from, 'months').months);
  const back = Math.max(12, length);
  const extended: ResolvedPeriod = { ...period, from: period.from.minus({ months: back }) };
  const buckets = bucketsOf(extended, 'month');
  const asOf = period.asOf;
  const inProgress = asOf ? buckets.dates.find((d) => shiftMonth(d, -1) > asOf.toISODate()! && d <= asOf.toISODate()!) : undefined;
  const shown = bucketsOf(period, 'month').dates.filter((d) => !asOf || d <= asOf.toISODate()!);
  const window = (from: DateTime, to: DateTime): UtcWindow => ({ fromUtc: toUtcTimestamp(from), toUtc: toUtcTimestamp(to) });
  const shifts = [0, 1, 12, length];
  const end = asOf && asOf < period.to ? asOf : period.to;
  const replica = deps.replica(instanceId);
  const [months, windows] = await Promise.all([
    replica.read((tx) => growthByBucket(tx, buckets)),
    replica.read((tx) => {
      const list: UtcWindow[] = [
        window(period.from, end),
        window(period.from.minus({ months: length }), end.minus({ months: length })),
        window(period.from.minus({ months: 12 }), end.minus({ months: 12 })),
      ];
      if (inProgress && asOf) {
        const start = asOf.startOf('month');
        for (const s of shifts) list.push(window(start.minus({ months: s }), asOf.minus({ months: s })));
      }
      return growthInWindows(tx, list);
    }),
  ]);
  const result: InstanceGrowth = {
    instance: instanceRef(config),
    period,
    shown: period.future ? [] : shown,
    months,
    activeTotal: { current: windows[0]!.activeShops, previous: windows[1]!.activeShops, yearBefore: windows[2]!.activeShops },
    length,
  };
  if (inProgress) {
    months.delete(inProgress);
    result.partial = { date: inProgress, byShift: new Map(shifts.map((s, i) => [s, windows[3 + i]!])) };
  }
  return result;
}

const ZERO: GrowthFigures = { newProfiles: 0, newShops: 0, activeShops: 0, orders: 0, turnover: '0' };

/**
 * The figures of the month `date` (shift 0), or of the same span `shift` months before: the month in
 * progress compares its part to date with the same part of the earlier month.
 */
function figuresAt(data: InstanceGrowth, date: string, shift: number): { figures: GrowthFigures; month: string } {
  if (data.partial && data.partial.date === date) return { figures: data.partial.byShift.get(shift) ?? ZERO, month: shiftMonth(date, shift).slice(0, 7) };
  const month = shiftMonth(date, shift);
  return { figures: data.months.get(month) ?? ZERO, month: month.slice(0, 7) };
}

type Convert = (value: string, instance: InstanceRef, month: string) => string | null;

function add(parts: { figures: GrowthFigures; month: string; instance: InstanceRef }[], money: Convert, active?: number): GrowthValues {
  let turnover: Big | null = new Big(0);
  const values = { newProfiles: 0, newShops: 0, activeShops: 0, orders: 0 };
  for (const p of parts) {
    for (const figure of Object.keys(values) as (keyof typeof values)[]) values[figure] += p.figures[figure];
    const converted = money(p.figures.turnover, p.instance, p.month);
    turnover = turnover === null || converted === null ? null : turnover.plus(converted);
  }
  return { ...values, ...(active !== undefined ? { activeShops: active } : {}), turnover: turnover === null ? null : turnover.toString() };
}

function changeOf(current: GrowthValues, previous: GrowthValues, yearBefore: GrowthValues): GrowthChange {
  return Object.fromEntries(
    GROWTH_FIGURES.map((f) => [f, { previous: percentChange(current[f], previous[f]), yearBefore: percentChange(current[f], yearBefore[f]) }]),
  ) as GrowthChange;
}

/** Rows and totals of one instance, or of several added up (turnover through `money`). */
function sectionOf<I extends InstanceRef | null>(data: readonly InstanceGrowth[], money: Convert, instance: I, currency: string | null): GrowthSection & { instance: I } {
  const dates = [...new Set(data.flatMap((d) => d.shown))].sort();
  const at = (date: string, shift: number) => data.filter((d) => d.shown.includes(date)).map((d) => ({ ...figuresAt(d, date, shift), instance: d.instance }));
  const rows: GrowthRow[] = dates.map((date) => {
    const current = add(at(date, 0), money);
    return {
      date,
      ...current,
      ...(data.some((d) => d.partial?.date === date) ? { partial: true as const } : {}),
      change: changeOf(current, add(at(date, 1), money), add(at(date, 12), money)),
    };
  });
  // Totals: the months shown, against the same months `length` and 12 months before (parts to date alike).
  const totalOver = (shift: number, active: (d: InstanceGrowth) => number) =>
    add(
      data.flatMap((d) => d.shown.map((date) => ({ ...figuresAt(d, date, shift === -1 ? d.length : shift), instance: d.instance }))),
      money,
      data.reduce((sum, d) => sum + active(d), 0),
    );
  const current = totalOver(0, (d) => d.activeTotal.current);
  const previous = totalOver(-1, (d) => d.activeTotal.previous);
  const yearBefore = totalOver(12, (d) => d.activeTotal.yearBefore);
  return { instance, currency, period: data[0]!.period, rows, total: { ...current, change: changeOf(current, previous, yearBefore) } };
}

/** `growth <instance|all> [period]`: per local month new profiles, new shops, active shops, orders, turnover, with changes. */
export async function runGrowth(deps: Deps, args: QuestionArgs, ids: readonly string[]): Promise<GrowthReport> {
  const spec = args.period ?? GROWTH_DEFAULT_PERIOD;
  const { results, warnings } = await fanOutInstances(deps, ids, (instance) => readInstance(deps, instance.id, spec, 'growth'));
  const data = results.map((r) => r.value);
  const instances = data.map((d) => sectionOf([d], (value) => value, d.instance, d.instance.currency));
  const converter = args.scope !== undefined ? new Converter(deps, data.map((d) => d.instance.currency)) : undefined;
  const combined = converter && sectionOf(data, converter.money, null, converter.currency);
  return {
    kind: 'growth',
    question: canonicalQuestion('growth', { ...args, period: spec }),
    periodLabel: periodLabel(spec),
    instances,
    ...(combined ? { combined } : {}),
    rates: converter?.rates() ?? [],
    ...converter?.note(),
    warnings,
    // The chart is part of the story: drawn with every answer, as for compare.
    presentation: { chart: true, public: args.public },
  };
}
