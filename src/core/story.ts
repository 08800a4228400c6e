import Big from 'big.js';
import type { AnswerPeriod, GlobalAnswer, InstanceRef } from './answer.js';
import type { Words } from './i18n.js';

/**
 * The growth story for funders (issue 16): growth, funnel, retention, buyers, the yearly report and
 * maps. Values only; the definitions are in src/queries/definitions.ts and docs/definitions.md.
 */

/** Flags any question may carry; the faces act on them (Slack shares or draws a chart). outcome.ts re-exports it. */
export interface Presentation {
  chart: boolean;
  public: boolean;
}

/** A rate used to put money of several instances in the reporting currency, shown with every `all` answer. */
export interface RateUsed {
  currency: string;
  rate: string;
  /** YYYY-MM when it is that month's rate; absent for the flat rate. */
  month?: string;
}

/** Percent change, one decimal; null when there is nothing to compare with (0 before) or no comparison yet. */
export type PercentChange = number | null;

export const GROWTH_FIGURES = ['newProfiles', 'newShops', 'activeShops', 'orders', 'turnover'] as const;
export type GrowthFigure = (typeof GROWTH_FIGURES)[number];

export interface GrowthValues {
  newProfiles: number;
  newShops: number;
  activeShops: number;
  orders: number;
  /** Exact decimal text in the section's currency; null where it can't be added up (no rate). */
  turnover: string | null;
}

export type GrowthChange = Record<GrowthFigure, { previous: PercentChange; yearBefore: PercentChange }>;

export interface GrowthRow extends GrowthValues {
  /** The month's first local day, YYYY-MM-DD. */
  date: string;
  /** The month is not over: figures to date, compared with the same part of the months compared. */
  partial?: true;
  change: GrowthChange;
}

/** One instance's growth, or the sum of several (`instance` null) in the reporting currency. */
export interface GrowthSection {
  instance: InstanceRef | null;
  /** The currency of `turnover`: the instance's, or the reporting currency; null when it can't be added. */
  currency: string | null;
  period: AnswerPeriod;
  rows: GrowthRow[];
  total: GrowthValues & { change: GrowthChange };
}

/** What the growth and story outcomes carry besides their figures. */
interface StoryCommon {
  question: string;
  periodLabel: string;
  rates: RateUsed[];
  /** Why turnover is not added up (no reporting currency, a missing rate). */
  note?: string;
  /** The note in the catalogs, for a face in another language. */
  noteWords?: Words;
  warnings: GlobalAnswer['warnings'];
  presentation: Presentation;
}

/** `growth <instance|all> [period]`. */
export interface GrowthReport extends StoryCommon {
  kind: 'growth';
  instances: (GrowthSection & { instance: InstanceRef })[];
  /** `all` or a list: the instances added up, turnover in the reporting currency. */
  combined?: GrowthSection;
}

export type FunnelStepName = 'created' | 'shop' | 'first_sale' | 'three_months';

export interface FunnelStep {
  step: FunnelStepName;
  count: number;
  ofPrevious: PercentChange;
  ofFirst: PercentChange;
}

export interface FunnelSection {
  instance: InstanceRef | null;
  period: AnswerPeriod | null;
  steps: FunnelStep[];
  medianDaysToFirstSale: number | null;
}

export interface BuyersSection {
  instance: InstanceRef | null;
  period: AnswerPeriod | null;
  buyers: number;
  repeatBuyers: number;
  /** Percent of buyers with two or more sales orders in the period; null without buyers. */
  repeatRate: PercentChange;
  ordersWithoutBuyer: number;
}

export interface Cohort {
  /** YYYY-MM, local. */
  month: string;
  size: number;
  /** Percent of the cohort with a sales order k months after; null for months not started (or, partial, in progress). */
  active: (number | null)[];
}

export interface RetentionSection {
  instance: InstanceRef | null;
  period: AnswerPeriod | null;
  cohorts: Cohort[];
  /** The local month in progress (YYYY-MM), when a cell covers it: figures to date. */
  currentMonth?: string;
}

export interface HeadlineFigure {
  key: 'shops' | 'producers' | 'hubs' | 'active_shops' | 'orders' | 'turnover' | 'buyers';
  label: string;
  /** Decimal text for money, integer text for counts; null where it can't be added up. */
  value: string | null;
  previous: string | null;
  change: PercentChange;
}

export interface ReportSection {
  instance: InstanceRef | null;
  currency: string | null;
  period: AnswerPeriod | null;
  headline: HeadlineFigure[];
  /** Turnover per local month (YYYY-MM-DD), in `currency`; null where it can't be added up. */
  months: { date: string; turnover: string | null; partial?: true }[];
}

export interface MapData {
  layer: 'shops' | 'producers' | 'hubs';
  /** Per instance: rounded points and how many public enterprises of the layer had no coordinates. */
  instances: { instance: InstanceRef; points: { latitude: number; longitude: number }[]; withoutCoordinates: number }[];
}

/** Funnel, retention, buyers, the yearly report and maps: one outcome kind, one renderer module. */
export type StoryReport =
  | { story: 'funnel'; sections: FunnelSection[] }
  | { story: 'retention'; sections: RetentionSection[] }
  | { story: 'buyers'; sections: BuyersSection[] }
  | { story: 'report'; year: number; toDate: boolean; sections: ReportSection[]; map: MapData }
  | { story: 'map'; map: MapData };

export type StoryOutcome = StoryReport & StoryCommon & {
  kind: 'story';
  /** `all` or a list: the sections end with the instances added up (`instance` null). */
  global: boolean;
};

/** (current − before) / before in percent, one decimal half-up; null when before is zero or either is unknown. */
export function percentChange(current: Big.BigSource | null, before: Big.BigSource | null): PercentChange {
  if (current === null || before === null) return null;
  const b = new Big(before);
  if (b.eq(0)) return null;
  return Number(new Big(current).minus(b).div(b).times(100).round(1, Big.roundHalfUp).toString());
}

/** part / whole in percent, one decimal half-up; null when whole is zero. */
export function percentOf(part: number, whole: number): PercentChange {
  if (whole === 0) return null;
  return Number(new Big(part).div(whole).times(100).round(1, Big.roundHalfUp).toString());
}

/** The median of whole numbers (the mean of the middle two when even); null when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
