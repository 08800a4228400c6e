import type { Answer } from '../core/answer.js';
import type { ChartSpec } from './chart.js';
import { bucketLabel, headline } from './format.js';
import { describeRange, type ResolvedPeriod } from '../core/periods.js';

/** Whether an answer has something to draw (a single figure does not). */
export function isChartable(answer: Answer): boolean {
  return answer.kind !== 'scalar';
}

/** Pure: the chart for a series or ranking answer, dates in the instance's zone, currency on the axis. */
export function chartSpecFor(answer: Answer): ChartSpec | undefined {
  if (answer.kind === 'scalar') return undefined;
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
