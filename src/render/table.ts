import type { Answer } from '../core/answer.js';
import { formatCount } from '../core/money.js';
import { bucketLabel, formatValue } from './format.js';

export type Align = 'left' | 'right';

/** Aligns columns for monospace output: by default the first left, the rest right (numbers). */
export function alignTable(header: string[], rows: string[][], align?: readonly Align[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const alignOf = (i: number): Align => align?.[i] ?? (i === 0 ? 'left' : 'right');
  const line = (cells: string[]) => cells.map((c, i) => (alignOf(i) === 'left' ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function answerTable(answer: Answer): { header: string[]; rows: string[][]; align?: Align[] } | undefined {
  switch (answer.kind) {
    case 'scalar':
      return undefined;
    case 'series':
      return {
        header: [answer.grain === 'week' ? 'Week from' : answer.grain === 'month' ? 'Month' : 'Day', answer.measure],
        rows: [
          // The bucket containing now is not over: it says so.
          ...answer.rows.map((r) => [`${bucketLabel(r.date, answer.grain, answer.instance.locale)}${r.partial ? ' (to date)' : ''}`, formatValue(answer, r.value)]),
          ...(answer.total && answer.rows.length ? [['Total', formatValue(answer, answer.total.value)]] : []),
        ],
      };
    case 'list':
      return {
        align: ['left', 'left', 'left', 'left'],
        header: ['Enterprise', 'Type', 'Town', 'Created'],
        rows: answer.rows.map((r) => [r.name, r.category, [r.town, r.country].filter(Boolean).join(', '), r.createdAt]),
      };
    case 'ranking': {
      const withOrders = answer.rows.some((r) => r.orders !== undefined) && answer.measure !== 'Orders';
      return {
        align: ['right', 'left', 'right', 'right'],
        header: ['#', 'Shop', answer.measure, ...(withOrders ? ['Orders'] : [])],
        rows: [
          ...answer.rows.map((r, i) => [String(i + 1), r.name, formatValue(answer, r.value), ...(withOrders ? [r.orders === undefined ? '' : formatCount(r.orders, answer.instance.locale)] : [])]),
          // The total is every shop's, not only the ones shown.
          ...(answer.total && answer.rows.length
            ? [['', answer.totalRows && answer.totalRows > answer.rows.length ? `Total (all ${formatCount(answer.totalRows, answer.instance.locale)} shops)` : 'Total', formatValue(answer, answer.total.value), ...(withOrders ? [answer.total.orders === undefined ? '' : formatCount(answer.total.orders, answer.instance.locale)] : [])]]
            : []),
        ],
      };
    }
  }
}
