import Big from 'big.js';
import type { Answer, GlobalAnswer, RankingAnswer, SeriesAnswer } from '../core/answer.js';
import { convert, rateFor, type CurrencySettings } from '../core/exchange.js';
import type { Outcome } from '../core/outcome.js';
import { describeRange, type ResolvedPeriod } from '../core/periods.js';
import type { ChartPanel, ChartSeries, ChartSpec, ValueFormat } from './chart.js';
import { numbersLocale, t, type Language } from '../core/i18n.js';
import { answerLanguage, bucketLabel, formatValue, headline, localTitle, periodInWords } from './format.js';
import { growthChartSpec, storyChartSpec } from './story-chart.js';

/** A by-shop chart shows this many shops and one bar for all the others: 72 bars are unreadable at Slack's size. */
export const DEFAULT_TOP_SHOPS = 15;
// Up to this many buckets a money series is drawn as bars; a longer one (a year of days) as a straight line.
const MAX_MONEY_BARS = 62;
// Up to this many bars each carries its value above it; more would overlap at Slack's width.
const MAX_LABELLED_COLUMNS = 12;
// A global money comparison is drawn as lines from this many buckets on (fewer read better as grouped bars).
const MIN_COMPARISON_LINE_POINTS = 7;
export interface ChartOptions {
  /** How many shops a by-shop chart names before "Others" (default 15). */
  topShops?: number;
  /** The reader's language (a Slack locale, the CLI's --lang); default: the instance's. */
  language?: Language;
}

/** The axis's numbers as the reader's language writes them (`numbersLocale`). */
function valueFormatOf(answer: Answer, lang: Language): ValueFormat {
  const locale = numbersLocale(answer.instance, lang);
  return answer.unit === 'money' ? { style: 'currency', currency: answer.instance.currency, locale } : { style: 'count', locale };
}

/**
 * Bucket labels for an axis: days and weeks within one year drop the year (the title's range has it),
 * or a year of weekly labels is too wide to show more than two of them at Slack's size.
 */
function axisLabels(dates: readonly string[], grain: SeriesAnswer['grain'], locale: string, lang: Language = 'en'): string[] {
  const oneYear = new Set(dates.map((d) => d.slice(0, 4))).size <= 1;
  return dates.map((date) => {
    const label = bucketLabel(date, grain, locale, lang);
    return grain !== 'month' && oneYear ? label.replace(/[\s,]*\b\d{4}\b\.?\s*$/, '') : label;
  });
}

/** Notes joined into the subtitle, starting with a capital ("Nov 2026: to date" in es-ES too). */
function sentence(notes: readonly string[]): string {
  const text = notes.join(' · ');
  return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}

function toNumber(value: string | null): number | null {
  return value === null ? null : Number(value);
}

/**
 * The rows worth drawing: up to and including the bucket containing now. A bucket after it has not
 * started, and an empty bar there reads as a collapse.
 */
function rowsUpToNow<R extends { partial?: boolean }>(rows: readonly R[]): { rows: R[]; partialIndex: number | undefined } {
  const partialIndex = rows.findIndex((r) => r.partial === true);
  return partialIndex < 0 ? { rows: [...rows], partialIndex: undefined } : { rows: rows.slice(0, partialIndex + 1), partialIndex };
}

/** Pure: the chart for a series or ranking answer, dates in the instance's zone, currency on the axis. */
export function chartSpecFor(answer: Answer, options: ChartOptions = {}): ChartSpec | undefined {
  if (answer.kind === 'scalar' || answer.kind === 'list') return undefined;
  const lang = answerLanguage(answer, options.language);
  const locale = answer.instance.locale;
  const range = answer.period.from ? describeRange(answer.period as ResolvedPeriod, locale, lang) : answer.period.label;
  const title = `${headline(answer, lang)} · ${range} (${answer.period.timezone})`;
  return answer.kind === 'series' ? seriesSpec(answer, title, lang) : rankingSpec(answer, title, options.topShops ?? DEFAULT_TOP_SHOPS, lang);
}

function seriesSpec(answer: SeriesAnswer, title: string, lang: Language): ChartSpec {
  const locale = answer.instance.locale;
  const { rows, partialIndex } = rowsUpToNow(answer.rows);
  // Counts are whole: bars, never a line whose slopes suggest fractional orders between buckets.
  const kind = answer.unit === 'count' || rows.length <= MAX_MONEY_BARS ? 'bar' : 'line';
  const notes: string[] = answer.note ? [answer.note] : [];
  if (answer.total?.value != null) notes.push(t(lang, 'chart.total', { value: formatValue(answer, answer.total.value, lang) }));
  if (partialIndex !== undefined) notes.push(t(lang, 'chart.toDateNote', { label: bucketLabel(rows[partialIndex]!.date, answer.grain, locale, lang) }));
  if (answer.dataAsOf) notes.push(t(lang, 'chart.dataAsOf', { when: answer.dataAsOf }));
  const labels = axisLabels(rows.map((r) => r.date), answer.grain, locale, lang);
  return {
    kind,
    title,
    ...(notes.length > 0 ? { subtitle: sentence(notes) } : {}),
    labels: labels.map((label, i) => (i === partialIndex ? `${label} ${t(lang, 'chart.toDate')}` : label)),
    datasets: [{ label: localTitle(answer, lang), values: rows.map((r) => toNumber(r.value)) }],
    valueFormat: valueFormatOf(answer, lang),
    ...(partialIndex !== undefined ? { partialIndex, partialLabel: t(lang, 'chart.periodToDate') } : {}),
    ...(kind === 'bar' && rows.length <= MAX_LABELLED_COLUMNS ? { valueLabels: true } : {}),
  };
}

/**
 * Whether the shops' figures add up to the whole (turnover, orders) rather than being averages: checked
 * against the answer's total when every shop is listed; an average's rows never sum to it.
 */
export function rankingAddsUp(answer: RankingAnswer): boolean {
  const complete = answer.totalRows === undefined || answer.totalRows <= answer.rows.length;
  const total = answer.total?.value;
  if (total != null && complete && answer.rows.length > 1) {
    return sumOf(answer.rows.map((r) => r.value)).eq(total);
  }
  return !/^(average-order|aov|basket)\b/.test(answer.question);
}

function sumOf(values: readonly (string | null)[]): Big {
  return values.reduce((sum: Big, v) => (v === null ? sum : sum.plus(v)), new Big(0));
}

function rankingSpec(answer: RankingAnswer, title: string, topShops: number, lang: Language): ChartSpec {
  const n = Math.max(1, Math.floor(topShops));
  const shown = answer.rows.slice(0, n);
  const allShops = Math.max(answer.totalRows ?? answer.rows.length, answer.rows.length);
  const labels = shown.map((r) => r.name);
  const values = shown.map((r) => toNumber(r.value));
  const notes: string[] = answer.note ? [answer.note] : [];
  let othersIndex: number | undefined;
  if (rankingAddsUp(answer)) {
    // Exact decimals until drawn: the bars must add up to the answer's total to the cent.
    const shownSum = sumOf(shown.map((r) => r.value));
    const total = answer.total?.value ?? null;
    const others = total !== null ? new Big(total).minus(shownSum) : sumOf(answer.rows.slice(n).map((r) => r.value));
    const otherShops = allShops - shown.length;
    if (otherShops > 0 || !others.eq(0)) {
      othersIndex = labels.length;
      labels.push(otherShops > 0 ? t(lang, 'chart.otherShops', { n: otherShops }) : t(lang, 'chart.otherShopsAll'));
      values.push(Number(others));
    }
    if (total !== null) notes.push(t(lang, 'chart.total', { value: formatValue(answer, total, lang) }));
    if (othersIndex !== undefined) notes.push(otherShops > 0 ? t(lang, 'chart.topOf', { shown: shown.length, all: allShops }) : t(lang, 'chart.topOfAll', { shown: shown.length }));
  } else if (allShops > shown.length) {
    notes.push(t(lang, 'chart.firstOf', { shown: shown.length, all: allShops }));
  }
  if (answer.period.asOf) notes.push(t(lang, 'chart.periodToDate'));
  if (answer.dataAsOf) notes.push(t(lang, 'chart.dataAsOf', { when: answer.dataAsOf }));
  return {
    kind: 'bar',
    horizontal: true,
    title,
    ...(notes.length > 0 ? { subtitle: sentence(notes) } : {}),
    labels,
    datasets: [{ label: localTitle(answer, lang), values }],
    valueFormat: valueFormatOf(answer, lang),
    valueLabels: true,
    ...(othersIndex !== undefined ? { othersIndex } : {}),
  };
}

/**
 * One series per instance. Counts share one axis. Money in one currency shares one axis; in several it is
 * converted to the reporting currency when every rate is known (the rates are in the subtitle), and is
 * otherwise drawn as one panel per currency: amounts in EUR, AUD and GBP never share an axis.
 */
export function globalChartSpec(answer: GlobalAnswer, config: CurrencySettings, lang: Language = 'en'): ChartSpec | undefined {
  const series = answer.results.filter((a): a is SeriesAnswer => a.kind === 'series');
  if (series.length === 0) return undefined;
  const trimmed = series.map((s) => ({ answer: s, ...rowsUpToNow(s.rows) }));
  const dates = [...new Set(trimmed.flatMap((s) => s.rows.map((r) => r.date)))].sort();
  const partialDates = trimmed.flatMap((s) => (s.partialIndex !== undefined ? [s.rows[s.partialIndex]!.date] : []));
  const firstPartial = partialDates.length > 0 ? dates.indexOf([...partialDates].sort()[0]!) : -1;
  const grain = series[0]!.grain;
  const locales = new Set(series.map((s) => s.instance.locale));
  // One instance's locale when they share it and the reader reads their language; else the reader's usual one.
  const locale = locales.size === 1 ? numbersLocale(series[0]!.instance, lang) : numbersLocale(undefined, lang);
  const currencies = [...new Set(series.map((s) => s.instance.currency))];
  const money = answer.unit === 'money';
  const mixed = money && currencies.length > 1;

  const notes: string[] = [];
  let panels: ChartPanel[] | undefined;
  let datasets: ChartSeries[];
  let valueFormat: ValueFormat;
  const conversion = mixed ? convertAll(trimmed, dates, config, locale, lang) : undefined;
  if (conversion) {
    datasets = conversion.datasets;
    valueFormat = { style: 'currency', currency: config.reportingCurrency!, locale };
    notes.push(conversion.note);
  } else {
    // A bucket an instance has no row for is outside its range (not started in its zone): a gap, not a zero.
    datasets = trimmed.map((s) => {
      const byDate = new Map(s.rows.map((r) => [r.date, r.value]));
      return {
        label: mixed ? `${s.answer.instance.name} (${s.answer.instance.currency})` : s.answer.instance.name,
        values: dates.map((date) => toNumber(byDate.get(date) ?? null)),
      };
    });
    valueFormat = money ? { style: 'currency', currency: currencies[0]!, locale } : { style: 'count', locale };
    if (mixed) {
      panels = currencies.map((currency) => ({
        title: currency,
        valueFormat: { style: 'currency', currency, locale },
        datasets: trimmed.flatMap((s, i) => (s.answer.instance.currency === currency ? [i] : [])),
      }));
      notes.push(
        config.reportingCurrency
          ? t(lang, 'chart.noRate', { currency: config.reportingCurrency, list: missingRates(trimmed, config).join(', ') })
          : t(lang, 'chart.noReporting'),
      );
    }
  }
  if (firstPartial >= 0) notes.push(t(lang, 'chart.toDateNote', { label: bucketLabel(dates[firstPartial]!, grain, locale, lang) }));
  const kind = answer.unit === 'count' || dates.length < MIN_COMPARISON_LINE_POINTS ? 'bar' : 'line';
  const title = t(lang, 'chart.globalTitle', { title: localTitle(answer, lang), n: series.length, period: periodInWords(answer.periodLabel, locale, lang) });
  return {
    kind,
    title: conversion ? t(lang, 'chart.inCurrency', { title, currency: config.reportingCurrency! }) : title,
    ...(notes.length > 0 ? { subtitle: sentence(notes) } : {}),
    labels: axisLabels(dates, grain, locale, lang).map((label, i) => (firstPartial >= 0 && i >= firstPartial ? `${label} ${t(lang, 'chart.toDate')}` : label)),
    datasets,
    valueFormat,
    ...(panels ? { panels } : {}),
    ...(firstPartial >= 0 ? { partialIndex: firstPartial, partialLabel: t(lang, 'chart.periodToDate') } : {}),
  };
}

type Trimmed = { answer: SeriesAnswer; rows: SeriesAnswer['rows'] };

/** The currencies (and months) with no rate to the reporting currency. */
function missingRates(series: readonly Trimmed[], config: CurrencySettings): string[] {
  const missing = series.filter((s) => s.rows.some((r) => !rateFor(config, s.answer.instance.currency, r.date.slice(0, 7))));
  return [...new Set(missing.map((s) => s.answer.instance.currency))];
}

/**
 * Every instance's buckets in the reporting currency, exactly (big.js) until drawn, with a note naming
 * each rate used; undefined when there is no reporting currency or a bucket has no rate.
 */
function convertAll(series: readonly Trimmed[], dates: readonly string[], config: CurrencySettings, locale: string, lang: Language): { datasets: ChartSeries[]; note: string } | undefined {
  const reporting = config.reportingCurrency;
  if (!reporting) return undefined;
  const used = new Map<string, Map<string, string | undefined>>(); // currency → rate → month it is for (undefined: flat)
  const datasets: ChartSeries[] = [];
  for (const s of series) {
    const currency = s.answer.instance.currency;
    const byDate = new Map(s.rows.map((r) => [r.date, r.value]));
    const values: (number | null)[] = [];
    for (const date of dates) {
      const value = byDate.get(date) ?? null;
      if (value === null) {
        values.push(null);
        continue;
      }
      const rate = rateFor(config, currency, date.slice(0, 7));
      if (!rate) return undefined;
      if (currency !== reporting) {
        const rates = used.get(currency) ?? new Map<string, string | undefined>();
        rates.set(rate.rate, rate.month);
        used.set(currency, rates);
      }
      values.push(Number(convert(value, rate.rate)));
    }
    datasets.push({ label: s.answer.instance.name, values });
  }
  const described = [...used].map(([currency, rates]) => {
    // Monthly rates first, named by their month; the flat rate covers the other months.
    const entries = [...rates].sort(([, a], [, b]) => (a === b ? 0 : a === undefined ? 1 : b === undefined ? -1 : a < b ? -1 : 1));
    const monthly = entries.some(([, month]) => month !== undefined);
    const list = entries.map(([rate, month]) => {
      const value = `${rate} ${reporting}`;
      return month ? t(lang, 'growthChart.rateIn', { rate: value, month: bucketLabel(`${month}-01`, 'month', locale, lang) }) : monthly ? t(lang, 'chart.otherwise', { rate: value }) : value;
    });
    return `1 ${currency} = ${list.join(', ')}`;
  });
  return { datasets, note: described.length > 0 ? t(lang, 'growthChart.converted', { currency: reporting, list: described.join('; ') }) : t(lang, 'chart.inReporting', { currency: reporting }) };
}

/** The chart of any outcome that has one (a series, a ranking, several instances' series), else undefined. */
export function chartSpecOf(outcome: Outcome, currencies: CurrencySettings, language?: Language): ChartSpec | undefined {
  if (outcome.kind === 'answer') return chartSpecFor(outcome.answer, language ? { language } : {});
  if (outcome.kind === 'global') return globalChartSpec(outcome.answer, currencies, language);
  if (outcome.kind === 'growth') return growthChartSpec(outcome, language);
  if (outcome.kind === 'story') return storyChartSpec(outcome, language);
  return undefined;
}
