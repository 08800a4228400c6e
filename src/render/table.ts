import type { Answer } from '../core/answer.js';
import { formatCount } from '../core/money.js';
import { numbersLocale, t, type Language } from '../core/i18n.js';
import { bucketLabel, categoryName, formatValue, localMeasure } from './format.js';

export type Align = 'left' | 'right';

/** Aligns columns for monospace output: by default the first left, the rest right (numbers). */
export function alignTable(header: string[], rows: string[][], align?: readonly Align[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const alignOf = (i: number): Align => align?.[i] ?? (i === 0 ? 'left' : 'right');
  const line = (cells: string[]) => cells.map((c, i) => (alignOf(i) === 'left' ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * The first rows of a table whose aligned text stays within `limit` characters as `sizeOf` counts them,
 * and the last row too when it is a total (`keepLast`: every row's figure, so it stays whatever is cut).
 * `shown` counts the body rows kept, `of` all of them. A binary search: a table of thousands of rows is
 * aligned a few times over a screenful, not once per try.
 */
export function firstRowsThatFit(
  table: { header: string[]; rows: string[][]; align?: readonly Align[] },
  limit: number,
  sizeOf: (aligned: string) => number,
  keepLast: boolean,
): { rows: string[][]; shown: number; of: number } {
  const last = keepLast && table.rows.length > 1 ? table.rows.slice(-1) : [];
  const body = last.length ? table.rows.slice(0, -1) : table.rows;
  const fitting = (n: number) => sizeOf(alignTable(table.header, [...body.slice(0, n), ...last], table.align)) <= limit;
  if (fitting(body.length)) return { rows: table.rows, shown: body.length, of: body.length };
  // A first guess from the header's width, widened while it still fits (short lines of a left-aligned last column).
  let lo = 1;
  let hi = Math.max(1, Math.min(body.length - 1, Math.floor(limit / (table.header.join('  ').length + 1))));
  while (hi < body.length - 1 && fitting(hi)) hi = Math.min(body.length - 1, hi * 2);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fitting(mid)) lo = mid;
    else hi = mid - 1;
  }
  return { rows: [...body.slice(0, lo), ...last], shown: lo, of: body.length };
}

/** True when `answerTable` ends with a total row (a ranking's or a series' total, every row's figure). */
export function hasTotalRow(answer: Answer): boolean {
  return (answer.kind === 'ranking' || answer.kind === 'series') && answer.total !== undefined && answer.rows.length > 0;
}

export function answerTable(answer: Answer, lang: Language = 'en'): { header: string[]; rows: string[][]; align?: Align[] } | undefined {
  const locale = answer.instance.locale;
  // Numbers as the reader's language writes them; dates by `bucketLabel` in the reader's words.
  const numbers = numbersLocale(answer.instance, lang);
  switch (answer.kind) {
    case 'scalar':
      return undefined;
    case 'series':
      return {
        header: [t(lang, answer.grain === 'week' ? 'table.weekFrom' : answer.grain === 'month' ? 'table.month' : 'table.day'), localMeasure(answer, lang)],
        rows: [
          // The bucket containing now is not over: it says so.
          ...answer.rows.map((r) => [`${bucketLabel(r.date, answer.grain, locale, lang)}${r.partial ? ` ${t(lang, 'table.toDate')}` : ''}`, formatValue(answer, r.value, lang)]),
          ...(answer.total && answer.rows.length ? [[t(lang, 'table.total'), formatValue(answer, answer.total.value, lang)]] : []),
        ],
      };
    case 'list':
      return {
        align: ['left', 'left', 'left', 'left'],
        header: [t(lang, 'table.enterprise'), t(lang, 'table.type'), t(lang, 'table.town'), t(lang, 'table.created')],
        rows: answer.rows.map((r) => [r.name, categoryName(r.category, lang), [r.town, r.country].filter(Boolean).join(', '), r.createdAt]),
      };
    case 'ranking': {
      const withOrders = answer.rows.some((r) => r.orders !== undefined) && answer.measure !== 'Orders';
      return {
        align: ['right', 'left', 'right', 'right'],
        header: ['#', t(lang, 'table.shop'), localMeasure(answer, lang), ...(withOrders ? [t(lang, 'table.orders')] : [])],
        rows: [
          ...answer.rows.map((r, i) => [String(i + 1), r.name, formatValue(answer, r.value, lang), ...(withOrders ? [r.orders === undefined ? '' : formatCount(r.orders, numbers)] : [])]),
          // The total is every shop's, not only the ones shown.
          ...(answer.total && answer.rows.length
            ? [['', answer.totalRows && answer.totalRows > answer.rows.length ? t(lang, 'table.totalAllShops', { n: formatCount(answer.totalRows, numbers) }) : t(lang, 'table.total'), formatValue(answer, answer.total.value, lang), ...(withOrders ? [answer.total.orders === undefined ? '' : formatCount(answer.total.orders, numbers)] : [])]]
            : []),
        ],
      };
    }
  }
}
