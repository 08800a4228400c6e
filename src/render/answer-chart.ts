import type { Answer, GlobalAnswer } from '../core/answer.js';
import { convert, rateFor, type CurrencySettings } from '../core/exchange.js';
import type { Outcome } from '../core/outcome.js';
import type { ChartSpec } from './chart.js';
import { bucketLabel, headline } from './format.js';
import { describeRange, type ResolvedPeriod } from '../core/periods.js';

/** Whether an answer has something to draw (a single figure does not). */
export function isChartable(answer: Answer): boolean {
  return answer.kind === 'series' || answer.kind === 'ranking';
}

/** Pure: the chart for a series or ranking answer, dates in the instance's zone, currency on the axis. */
export function chartSpecFor(answer: Answer): ChartSpec | undefined {
  if (answer.kind === 'scalar' || answer.kind === 'list') return undefined;
  const locale = answer.instance.locale;
  const valueFormat =
    answer.unit === 'money'
      ? ({ style: 'currency', currency: answer.instance.currency, locale } as const)
      : ({ style: 'count', locale } as const);
  const range = answer.period.from ? describeRange(answer.period as ResolvedPeriod, locale) : answer.period.label;
  const title = `${headline(answer)} · ${range} (${answer.period.timezone})`;
  if (answer.kind === 'series') {
    return {
      // Few buckets read better as bars; long daily series as a line.
      kind: answer.rows.length <= 24 && answer.grain !== 'day' ? 'bar' : 'line',
      title,
      labels: answer.rows.map((r) => bucketLabel(r.date, answer.grain, locale)),
      datasets: [{ label: answer.title, values: answer.rows.map((r) => Number(r.value)) }],
      valueFormat,
    };
  }
  return {
    kind: 'bar',
    horizontal: true,
    title,
    labels: answer.rows.map((r) => r.name),
    datasets: [{ label: answer.title, values: answer.rows.map((r) => Number(r.value)) }],
    valueFormat,
    height: Math.max(300, Math.min(1200, 80 + answer.rows.length * 28)),
  };
}

/** One series per instance on one chart; money normalised to the reporting currency when rates are known. */
export function globalChartSpec(answer: GlobalAnswer, config: CurrencySettings): ChartSpec | undefined {
  const series = answer.results.filter((a): a is Extract<Answer, { kind: 'series' }> => a.kind === 'series');
  if (series.length === 0) return undefined;
  const dates = [...new Set(series.flatMap((s) => s.rows.map((r) => r.date)))].sort();
  const grain = series[0]!.grain;
  const reporting = config.reportingCurrency;
  const currencies = new Set(series.map((s) => s.instance.currency));
  const normalise = answer.unit === 'money' && reporting !== undefined;
  const datasets = series.map((s) => {
    const byDate = new Map(s.rows.map((r) => [r.date, r.value]));
    return {
      label: normalise || answer.unit === 'count' || currencies.size === 1 ? s.instance.name : `${s.instance.name} (${s.instance.currency})`,
      values: dates.map((date) => {
        const value = byDate.get(date);
        if (value === undefined) return 0;
        if (!normalise) return Number(value);
        const rate = rateFor(config, s.instance.currency, date.slice(0, 7));
        return rate ? Number(convert(value, rate.rate)) : NaN;
      }),
    };
  });
  const currency = normalise ? reporting! : currencies.size === 1 ? [...currencies][0]! : undefined;
  return {
    kind: 'line',
    title: `${answer.title} · ${series.length} instances · ${answer.periodLabel}${normalise ? ` (in ${reporting})` : ''}`,
    labels: dates.map((d) => bucketLabel(d, grain, 'en-GB')),
    datasets,
    valueFormat: answer.unit === 'money' && currency ? { style: 'currency', currency, locale: 'en-GB' } : { style: 'count', locale: 'en-GB' },
  };
}

/** The chart of any outcome that has one (a series, a ranking, several instances' series), else undefined. */
export function chartSpecOf(outcome: Outcome, currencies: CurrencySettings): ChartSpec | undefined {
  if (outcome.kind === 'answer') return chartSpecFor(outcome.answer);
  if (outcome.kind === 'global') return globalChartSpec(outcome.answer, currencies);
  return undefined;
}
