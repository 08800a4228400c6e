import type { DateTime } from 'luxon';
import type { Grain } from './periods.js';
import type { Language } from './vocabulary.js';
import type { ErrorText } from './errors.js';

/** What an answer is about: enough to render it without looking anything up. */
export interface InstanceRef {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  locale: string;
  /** The language answers about it are written in (config `language`, else from the locale). */
  language?: Language;
}

/** The period an answer covers; `from` is null for "as of now" counts such as `shops katuma`. */
export interface AnswerPeriod {
  label: string;
  from: DateTime | null;
  to: DateTime;
  timezone: string;
  /** Set when the period is not over: the answer is "to date", as of this instant. */
  asOf?: DateTime;
  /** The period has not started: there is no data yet. */
  future?: boolean;
}

/** The figure of a whole breakdown, equal to the scalar question's (not always the sum of its rows: active shops, averages). */
export interface Total {
  /** null where it is undefined (an average over no orders). */
  value: string | null;
  orders?: number;
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
  /** Set when the replica lags: the local time its data is from ("data as of 14:05"). */
  dataAsOf?: string;
  /** A line for the reader, e.g. "No data yet: the period starts on 1 Dec 2026." */
  note?: string;
}

export interface ScalarAnswer extends AnswerBase {
  kind: 'scalar';
  /** Decimal text for money, integer text for counts; null where undefined (an average over no orders, a future period). */
  value: string | null;
  /** A secondary line, e.g. "from 412 sales orders", in the instance's locale. */
  detail?: string;
  /** The number of sales orders behind a money figure (JSON carries it as a number). */
  orders?: number;
}

export interface SeriesAnswer extends AnswerBase {
  kind: 'series';
  grain: Grain;
  /**
   * One row per bucket up to now, gaps filled with zero; `date` is the bucket's first local day in the
   * period (YYYY-MM-DD); `partial` marks the bucket containing now. Buckets after now are left out.
   */
  rows: { date: string; value: string | null; partial?: boolean }[];
  total?: Total;
}

export interface RankingAnswer extends AnswerBase {
  kind: 'ranking';
  rows: { enterpriseId: number; name: string; value: string | null; orders?: number }[];
  /** When the list was cut: how many rows exist in total. */
  totalRows?: number;
  total?: Total;
}

/** `list <segment>`: enterprises with their type, town and creation date; never people. */
export interface ListAnswer extends AnswerBase {
  kind: 'list';
  rows: { enterpriseId: number; name: string; category: string; town: string | null; country: string | null; createdAt: string }[];
  totalRows: number;
}

export type Answer = ScalarAnswer | SeriesAnswer | RankingAnswer | ListAnswer;

/** A question asked of several instances: one answer per instance that answered, warnings for the rest. */
export interface GlobalAnswer {
  kind: 'global';
  question: string;
  title: string;
  unit: Unit;
  /** The period as typed; each instance resolved it in its own time zone. */
  periodLabel: string;
  results: Answer[];
  /** In English (`message`, as JSON and logs have it) and, when the catalogs have them, its words (`text`, saidIn). */
  warnings: { instance: string; name: string; message: string; text?: ErrorText }[];
  /** For single figures: counts summed, money converted to the reporting currency. */
  total?: GlobalTotal;
}

export interface GlobalTotal {
  /** Decimal text, or null when the currencies can't be added (no reporting currency or rate). */
  value: string | null;
  currency: string | null;
  /** Some instance did not answer or could not be converted. */
  partial: boolean;
  rates: { currency: string; rate: string; month?: string }[];
}
