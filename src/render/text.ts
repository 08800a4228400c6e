import { growthText } from './growth.js';
import { globalText } from './global.js';
import { billingText } from './billing.js';
import type { Answer } from '../core/answer.js';
import type { Outcome } from '../commands/pipeline.js';
import { bucketLabel, describePeriod, formatValue, headline } from './format.js';

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
        header: [answer.grain === 'week' ? 'Week of' : answer.grain === 'month' ? 'Month' : 'Day', answer.measure],
        rows: answer.rows.map((r) => [bucketLabel(r.date, answer.grain, answer.instance.locale), formatValue(answer, r.value)]),
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
        rows: answer.rows.map((r, i) => [
          String(i + 1),
          r.name,
          formatValue(answer, r.value),
          ...(withOrders ? [String(r.orders ?? '')] : []),
        ]),
      };
    }
  }
}

/** Plain text for a terminal. */
export function renderText(outcome: Outcome): string {
  if (outcome.kind === 'growth') return growthText(outcome);
  if (outcome.kind === 'global') return globalText(outcome.answer);
  if (outcome.kind === 'billing') return billingText(outcome);
  if (outcome.kind === 'help') return [outcome.title, '', ...outcome.lines].join('\n');
  const answer = outcome.answer;
  const lines = [headline(answer), describePeriod(answer.period, answer.instance.locale), ...(answer.dataAsOf ? [`Data as of ${answer.dataAsOf} (the replica is behind)`] : []), ''];
  if (answer.kind === 'scalar') {
    lines.push(`${formatValue(answer, answer.value)}${answer.detail ? `  (${answer.detail})` : ''}`);
  } else {
    const table = answerTable(answer)!;
    if (table.rows.length === 0) lines.push('No data in this period.');
    else {
      // Ranking tables put the rank first; keep it narrow and left-aligned like the name.
      const text = alignTable(table.header, table.rows, table.align);
      lines.push(text);
      if (answer.kind === 'list' && answer.totalRows > answer.rows.length) lines.push(`First ${answer.rows.length} of ${answer.totalRows}.`);
    }
  }
  return lines.join('\n');
}
