import { DateTime } from 'luxon';
import type { InstanceConfig } from '../config/config.js';
import type { AnswerPeriod, InstanceRef } from '../core/answer.js';
import { OfnError } from '../core/errors.js';
import { bucketsOf, periodLabel, resolvePeriod, type PeriodSpec, type ResolvedPeriod } from '../core/periods.js';
import {
  median,
  percentChange,
  percentOf,
  type BuyersSection,
  type Cohort,
  type FunnelSection,
  type HeadlineFigure,
  type MapData,
  type ReportSection,
  type RetentionSection,
  type StoryOutcome,
} from '../core/story.js';
import {
  buyerCounts,
  enterpriseCountsAt,
  funnelCounts,
  growthByBucket,
  growthInWindows,
  mapPoints,
  retentionCohorts,
  type BuyerCounts,
  type CohortCounts,
  type EnterpriseCounts,
  type FunnelCounts,
  type GrowthFigures,
  type MapLayer,
} from '../queries/definitions.js';
import { monthPeriod } from './growth.js';
import { canonicalQuestion, parseQuestionWords, utcWindow, type QuestionArgs } from './question.js';
import { fanOutInstances } from './fan-out.js';
import { Converter, sumMoney } from './story-support.js';
import type { Deps, Route, RouteContext } from './types.js';

/** `funnel`, `retention`, `buyers`, `report` and `map`: the growth story for funders (issue 16). */

const reachOf = (args: QuestionArgs) => ({ instances: args.scope ?? [args.instance], billing: false });

function common(name: string, args: QuestionArgs, spec: PeriodSpec | undefined, warnings: StoryOutcome['warnings']) {
  return {
    kind: 'story' as const,
    question: canonicalQuestion(name, spec ? { ...args, period: spec } : args),
    periodLabel: spec ? periodLabel(spec) : 'now',
    global: args.scope !== undefined,
    warnings,
    // The chart is part of the story: always drawn in Slack (and written by the CLI).
    presentation: { chart: true, public: args.public },
  };
}

/** What `sectionsRoute` needs of a story told period by period: how an instance is read, how sections add up. */
interface SectionsStory<D> extends Pick<Route<QuestionArgs>, 'summary' | 'usage' | 'examples'> {
  name: 'funnel' | 'buyers' | 'retention';
  /** Without one, a period must be typed. */
  defaultPeriod?: PeriodSpec;
  read(deps: Deps, spec: PeriodSpec, instance: InstanceConfig): Promise<{ period: AnswerPeriod; data: D }>;
  section(instance: InstanceRef | null, period: AnswerPeriod | null, data: readonly D[]): FunnelSection | BuyersSection | RetentionSection;
}

/** A story of one period (funnel, buyers, retention): a section per instance and, for `all` or a list, one of them added up. */
function sectionsRoute<D>({ name, defaultPeriod, read, section, ...text }: SectionsStory<D>): Route<QuestionArgs> {
  return {
    name,
    aliases: [],
    group: 'instances',
    ...text,
    parse(words, context) {
      const args = parseQuestionWords(name, words, { breakdowns: [], ...(defaultPeriod ? { defaultPeriod } : {}) }, context);
      if (args.period) return args;
      const id = args.scope === 'all' ? 'all' : (context.visibleIds ?? context.instanceIds)[0] ?? 'katuma';
      throw OfnError.say('BadPeriod', 'error.storyNeedsPeriod', { name, id }, 'hint.storyNeedsPeriod');
    },
    reach: reachOf,
    async run(deps, args, context) {
      const { results, warnings } = await fanOutInstances(deps, context.instances, (instance) => read(deps, args.period!, instance));
      const sections = results.map((r) => section(r.instance, r.value.period, [r.value.data]));
      if (args.scope) sections.push(section(null, null, results.map((r) => r.value.data)));
      return { ...common(name, args, args.period, warnings), story: name, sections, rates: [] } as StoryOutcome;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// funnel

const FUNNEL_STEPS = ['created', 'shop', 'first_sale', 'three_months'] as const;

function funnelSection(instance: InstanceRef | null, period: AnswerPeriod | null, counts: readonly FunnelCounts[]): FunnelSection {
  const sum = (f: (c: FunnelCounts) => number) => counts.reduce((s, c) => s + f(c), 0);
  const values = [sum((c) => c.created), sum((c) => c.shop), sum((c) => c.firstSale), sum((c) => c.threeMonths)];
  return {
    instance,
    period,
    steps: FUNNEL_STEPS.map((step, i) => ({ step, count: values[i]!, ofPrevious: i === 0 ? 100 : percentOf(values[i]!, values[i - 1]!), ofFirst: percentOf(values[i]!, values[0]!) })),
    medianDaysToFirstSale: median(counts.flatMap((c) => c.daysToFirstSale)),
  };
}

export const funnelRoute = sectionsRoute({
  name: 'funnel',
  summary: 'Enterprises created in a period: how many became shops, sold once, sold in 3+ months.',
  usage: 'funnel <instance | all> <period>',
  examples: ['funnel katuma 2025', 'funnel all last-12-months', 'funnel uk 2026-Q1'],
  async read(deps, spec, instance) {
    const period = resolvePeriod(spec, instance.timezone, deps.now());
    return { period, data: await deps.replica(instance.id).read((tx) => funnelCounts(tx, utcWindow(period), instance.timezone)) };
  },
  section: funnelSection,
});

// ---------------------------------------------------------------------------------------------------
// buyers

function buyersSection(instance: InstanceRef | null, period: AnswerPeriod | null, counts: readonly BuyerCounts[]): BuyersSection {
  const buyers = counts.reduce((s, c) => s + c.buyers, 0);
  const repeatBuyers = counts.reduce((s, c) => s + c.repeatBuyers, 0);
  return { instance, period, buyers, repeatBuyers, repeatRate: percentOf(repeatBuyers, buyers), ordersWithoutBuyer: counts.reduce((s, c) => s + c.ordersWithoutBuyer, 0) };
}

export const buyersRoute = sectionsRoute({
  name: 'buyers',
  summary: 'Distinct buyers with a sales order in a period and the share who ordered twice or more (never who).',
  usage: 'buyers <instance | all> <period>',
  examples: ['buyers katuma last-month', 'buyers all 2025', 'buyers uk last-12-months'],
  async read(deps, spec, instance) {
    const period = resolvePeriod(spec, instance.timezone, deps.now());
    return { period, data: await deps.replica(instance.id).read((tx) => buyerCounts(tx, utcWindow(period))) };
  },
  section: buyersSection,
});

// ---------------------------------------------------------------------------------------------------
// retention

export const RETENTION_MONTHS = 12;

/** Percentages of each cohort; a cell whose month has not started is null. */
function retentionSection(instance: InstanceRef | null, period: AnswerPeriod | null, parts: readonly { cohorts: CohortCounts[]; currentMonth: string }[]): RetentionSection {
  const byMonth = new Map<string, { size: number; active: number[] }>();
  for (const part of parts) {
    for (const c of part.cohorts) {
      const entry = byMonth.get(c.month) ?? { size: 0, active: new Array<number>(RETENTION_MONTHS).fill(0) };
      entry.size += c.size;
      c.active.forEach((n, k) => (entry.active[k]! += n));
      byMonth.set(c.month, entry);
    }
  }
  // The latest month any instance is in: later cells have not started anywhere.
  const currentMonth = parts.map((p) => p.currentMonth).sort().at(-1)!;
  const [cy, cm] = currentMonth.split('-').map(Number) as [number, number];
  const cohorts: Cohort[] = [...byMonth.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, { size, active }]) => {
      const [y, m] = month.split('-').map(Number) as [number, number];
      const elapsed = (cy - y) * 12 + (cm - m);
      return { month, size, active: active.map((n, k) => (k > elapsed ? null : percentOf(n, size))) };
    });
  return { instance, period, cohorts, currentMonth };
}

export const retentionRoute = sectionsRoute({
  name: 'retention',
  summary: 'Shops by the month of their first sale, and the share selling in each month after (a heat map).',
  usage: 'retention <instance | all> [period]',
  examples: ['retention katuma', 'retention all 2025', 'retention uk last-6-months'],
  defaultPeriod: { kind: 'last-n', n: 12, unit: 'month' },
  async read(deps, spec, instance) {
    const period = monthPeriod(spec, instance.timezone, deps.now(), 'retention');
    const currentMonth = DateTime.fromJSDate(deps.now(), { zone: instance.timezone }).toFormat('yyyy-LL');
    return { period, data: { currentMonth, cohorts: await deps.replica(instance.id).read((tx) => retentionCohorts(tx, utcWindow(period), instance.timezone, RETENTION_MONTHS)) } };
  },
  section: retentionSection,
});

// ---------------------------------------------------------------------------------------------------
// map

const LAYERS: readonly MapLayer[] = ['shops', 'producers', 'hubs'];

async function readMap(deps: Deps, ids: readonly string[], layer: MapLayer) {
  const { results, warnings } = await fanOutInstances(deps, ids, (instance) => deps.replica(instance.id).read((tx) => mapPoints(tx, layer)));
  const map: MapData = { layer, instances: results.map((r) => ({ instance: r.instance, ...r.value })) };
  return { map, warnings };
}

export const mapRoute: Route<QuestionArgs & { layer: MapLayer }> = {
  name: 'map',
  aliases: [],
  group: 'instances',
  summary: 'A map of the shops, producers or hubs OFN lists publicly (points rounded to about 1 km).',
  usage: 'map <shops | producers | hubs> <instance | all>',
  examples: ['map shops katuma', 'map producers all', 'map hubs au'],
  parse(words, context) {
    const layerWord = words.find((w) => (LAYERS as readonly string[]).includes(w.toLowerCase()) || /^(shop|producer|hub)$/i.test(w));
    if (!layerWord) {
      throw OfnError.say('BadArguments', 'error.mapWhat');
    }
    const layer = (layerWord.toLowerCase().endsWith('s') ? layerWord.toLowerCase() : `${layerWord.toLowerCase()}s`) as MapLayer;
    const rest = words.filter((w) => w !== layerWord);
    const args = parseQuestionWords('map', rest, { breakdowns: [] }, context);
    if (args.period) throw OfnError.say('BadArguments', 'error.mapNoPeriod', { layer, where: args.scope === 'all' ? 'all' : (args.instance ?? '') }, 'hint.mapNoPeriod');
    return { ...args, layer };
  },
  reach: reachOf,
  async run(deps, args, context) {
    const { map, warnings } = await readMap(deps, context.instances, args.layer);
    return {
      ...common('map', args, undefined, warnings),
      question: `map ${args.layer} ${args.scope === 'all' ? 'all' : args.scope ? args.scope.join(',') : args.instance}`,
      story: 'map',
      map,
      rates: [],
    };
  },
};

// ---------------------------------------------------------------------------------------------------
// report

interface YearFigures {
  enterprises: EnterpriseCounts;
  figures: GrowthFigures;
  buyers: number;
}

interface InstanceYear {
  period: ResolvedPeriod;
  current: YearFigures;
  previous: YearFigures;
  /** Turnover per local month of the year, up to the month in progress. */
  months: { date: string; figures: GrowthFigures; partial?: true }[];
  /** The same months of the year before (the last one cut where the year in progress is). */
  previousMonths: { date: string; figures: GrowthFigures }[];
}

/** Local month buckets of [from, to), the last one ending at `to` (a year to date stops now, not at the month's end). */
function monthBuckets(period: ResolvedPeriod, from: DateTime, to: DateTime) {
  const buckets = bucketsOf({ ...period, from, to }, 'month');
  const dates = buckets.dates.filter((d) => d < to.toISODate()!);
  return { dates, utcBoundaries: [...buckets.utcBoundaries.slice(0, dates.length), utcWindow({ ...period, from, to }).toUtc] };
}

/** The year and the one before, to the same point when the year is in progress. */
async function readYear(deps: Deps, instanceId: string, year: number): Promise<InstanceYear> {
  const instance = deps.config.instances.get(instanceId)!;
  const period = resolvePeriod({ kind: 'year', year }, instance.timezone, deps.now());
  const end = period.asOf && period.asOf < period.to ? period.asOf : period.to;
  const window = (from: DateTime, to: DateTime) => utcWindow({ ...period, from, to });
  const current = window(period.from, end);
  const previous = window(period.from.minus({ years: 1 }), end.minus({ years: 1 }));
  const replica = deps.replica(instanceId);
  const today = period.asOf?.toISODate();
  return replica.read(
    async (tx) => {
      const [figures, enterprisesNow, enterprisesBefore, buyersNow, buyersBefore, byMonth, byMonthBefore] = await Promise.all([
        growthInWindows(tx, [current, previous]),
        enterpriseCountsAt(tx, current.toUtc),
        enterpriseCountsAt(tx, previous.toUtc),
        buyerCounts(tx, current),
        buyerCounts(tx, previous),
        growthByBucket(tx, monthBuckets(period, period.from, end)),
        growthByBucket(tx, monthBuckets(period, period.from.minus({ years: 1 }), end.minus({ years: 1 }))),
      ]);
      const months = [...byMonth.entries()]
        .filter(([date]) => !today || date <= today)
        .map(([date, f]) => ({ date, figures: f, ...(today && date.slice(0, 7) === today.slice(0, 7) ? { partial: true as const } : {}) }));
      return {
        period,
        current: { enterprises: enterprisesNow, figures: figures[0]!, buyers: buyersNow.buyers },
        previous: { enterprises: enterprisesBefore, figures: figures[1]!, buyers: buyersBefore.buyers },
        months,
        previousMonths: [...byMonthBefore.entries()].map(([date, f]) => ({ date, figures: f })),
      };
    },
    // Several statements that must agree: one snapshot.
    { snapshot: true },
  );
}

/** Each headline figure and how a year's is counted; turnover, money, is converted (`headlineOf`). */
const HEADLINES: readonly [HeadlineFigure['key'], string, ((f: YearFigures) => number)?][] = [
  ['shops', 'Shops', (f) => f.enterprises.shops],
  ['producers', 'Producers', (f) => f.enterprises.producers],
  ['hubs', 'Hubs', (f) => f.enterprises.hubs],
  ['active_shops', 'Active shops', (f) => f.figures.activeShops],
  ['orders', 'Orders', (f) => f.figures.orders],
  ['turnover', 'Turnover'],
  ['buyers', 'Buyers', (f) => f.buyers],
];

function headlineOf(parts: readonly { instance: InstanceRef; year: InstanceYear }[], money: (value: string, instance: InstanceRef, month: string) => string | null): HeadlineFigure[] {
  const value = (count: ((f: YearFigures) => number) | undefined, which: 'current' | 'previous'): string | null => {
    if (!count) {
      // Converted month by month for `all`; the year before is converted at its own months' rates.
      return sumMoney(parts.flatMap(({ instance, year }) => (which === 'current' ? year.months : year.previousMonths).map((m) => money(m.figures.turnover, instance, m.date.slice(0, 7)))));
    }
    return String(parts.reduce((sum, { year }) => sum + count(year[which]), 0));
  };
  return HEADLINES.map(([key, label, count]) => {
    const current = value(count, 'current');
    const previous = value(count, 'previous');
    return { key, label, value: current, previous, change: percentChange(current, previous) };
  });
}

function reportSection(parts: readonly { instance: InstanceRef; year: InstanceYear }[], instance: InstanceRef | null, currency: string | null, money: (value: string, instance: InstanceRef, month: string) => string | null): ReportSection {
  const dates = [...new Set(parts.flatMap((p) => p.year.months.map((m) => m.date)))].sort();
  return {
    instance,
    currency,
    period: instance ? parts[0]!.year.period : null,
    headline: headlineOf(parts, money),
    months: dates.map((date) => {
      const here = parts.flatMap((p) => p.year.months.filter((m) => m.date === date).map((m) => ({ instance: p.instance, m })));
      return {
        date,
        turnover: sumMoney(here.map(({ instance: i, m }) => money(m.figures.turnover, i, date.slice(0, 7)))),
        ...(here.some(({ m }) => m.partial) ? { partial: true as const } : {}),
      };
    }),
  };
}

export const reportRoute: Route<QuestionArgs> = {
  name: 'report',
  aliases: [],
  group: 'instances',
  summary: "The year's one-page report (PNG, with CSV and JSON): headline figures, monthly turnover, a map of the shops.",
  usage: 'report <instance | all> [YYYY]',
  examples: ['report all 2025', 'report katuma', 'report uk this-year'],
  parse(words, context) {
    const args = parseQuestionWords('report', words, { breakdowns: [], defaultPeriod: { kind: 'current', unit: 'year', offset: -1 } }, context);
    const p = args.period!;
    if (p.kind === 'current' && p.unit === 'year') return args;
    if (p.kind !== 'year') throw OfnError.say('BadPeriod', 'error.reportYear', { period: periodLabel(p) }, 'hint.reportYear');
    return args;
  },
  reach: reachOf,
  async run(deps, args, context: RouteContext) {
    const spec = args.period!;
    const yearOf = (timezone: string) => (spec.kind === 'year' ? spec.year : DateTime.fromJSDate(deps.now(), { zone: timezone }).year + (spec.kind === 'current' ? spec.offset : 0));
    const [{ results, warnings }, layer] = await Promise.all([
      fanOutInstances(deps, context.instances, async (instance) => readYear(deps, instance.id, yearOf(instance.timezone))),
      readMap(deps, context.instances, 'shops'),
    ]);
    const parts = results.map((r) => ({ instance: r.instance, year: r.value }));
    const sections = parts.map((p) => reportSection([p], p.instance, p.instance.currency, (value) => value));
    const converter = args.scope ? new Converter(deps, parts.map((p) => p.instance.currency)) : undefined;
    if (converter) sections.push(reportSection(parts, null, converter.currency, converter.money));
    const year = parts[0]!.year.period.from.year;
    // Instances that answered the map but not the figures (or the reverse) are in the warnings once.
    const allWarnings = [...new Map([...warnings, ...layer.warnings].map((w) => [w.instance, w])).values()];
    return {
      ...common('report', args, { kind: 'year', year }, allWarnings),
      story: 'report',
      year,
      toDate: parts.some((p) => p.year.period.asOf !== undefined),
      sections,
      map: layer.map,
      rates: converter?.rates() ?? [],
      ...converter?.note(),
    };
  },
};
