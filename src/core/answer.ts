import type { DateTime } from 'luxon';
import type { Grain } from './periods.js';

/** What an answer is about: enough to render it without looking anything up. */
export interface InstanceRef {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  locale: string;
}

/** The period an answer covers; `from` is null for "as of now" counts such as `shops katuma`. */
export interface AnswerPeriod {
  label: string;
  from: DateTime | null;
  to: DateTime;
  timezone: string;
}

export type Unit = 'money' | 'count';

interface AnswerBase {
  /** The question in canonical form, re-runnable as typed (buttons, pulses). */
  question: string;
  /** Human name of the question: "Turnover", "Top shops by turnover". */
  title: string;
  /** Name of the value column: "Turnover", "Orders", "New shops". */
  measure: string;
  instance: InstanceRef;
  period: AnswerPeriod;
  unit: Unit;
}

export interface ScalarAnswer extends AnswerBase {
  kind: 'scalar';
  /** Decimal text for money, integer text for counts. */
  value: string;
  /** A secondary line, e.g. "from 412 sales orders". */
  detail?: string;
}

export interface SeriesAnswer extends AnswerBase {
  kind: 'series';
  grain: Grain;
  /** One row per bucket, gaps filled with zero; `date` is the bucket's local start (YYYY-MM-DD). */
  rows: { date: string; value: string }[];
}

export interface RankingAnswer extends AnswerBase {
  kind: 'ranking';
  rows: { enterpriseId: number; name: string; value: string; orders?: number }[];
  /** When the list was cut: how many rows exist in total. */
  totalRows?: number;
}

export type Answer = ScalarAnswer | SeriesAnswer | RankingAnswer;
