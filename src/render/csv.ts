import { growthCsv } from './growth.js';
import { globalCsv } from './global.js';
import { billingCsv } from './billing.js';
import type { Answer } from '../core/answer.js';
import type { Outcome } from '../commands/pipeline.js';
import { roundCents } from '../core/money.js';

/**
 * One CSV cell (RFC 4180). A cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR)
 * gets a leading apostrophe, leading white space or not: shop names are typed by the public.
 */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  // Spreadsheets ignore leading spaces before a formula (` =HYPERLINK(…)`), so the guard looks past them.
  if (typeof value === 'string' && /^[\s]*[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvValue(answer: Answer, value: string): string {
  return answer.unit === 'money' ? roundCents(value) : value;
}

export function answerToCsv(answer: Answer): string {
  switch (answer.kind) {
    case 'scalar':
      return toCsv(
        ['question', 'instance', 'from', 'to', 'timezone', 'unit', 'value'],
        [[answer.question, answer.instance.id, answer.period.from?.toISO() ?? '', answer.period.to.toISO(), answer.period.timezone, answer.unit === 'money' ? answer.instance.currency : 'count', csvValue(answer, answer.value)]],
      );
    case 'series':
      return toCsv(['date', 'value'], answer.rows.map((r) => [r.date, csvValue(answer, r.value)]));
    case 'ranking':
      return toCsv(['enterprise_id', 'name', 'value', 'orders'], answer.rows.map((r) => [r.enterpriseId, r.name, csvValue(answer, r.value), r.orders ?? '']));
    case 'list':
      return toCsv(['enterprise_id', 'name', 'category', 'town', 'country', 'created_date'], answer.rows.map((r) => [r.enterpriseId, r.name, r.category, r.town, r.country, r.createdAt]));
  }
}

export function renderCsv(outcome: Outcome): string {
  if (outcome.kind === 'growth') return growthCsv(outcome);
  if (outcome.kind === 'global') return globalCsv(outcome.answer);
  if (outcome.kind === 'billing') return billingCsv(outcome);
  if (outcome.kind === 'help') return toCsv(['help'], outcome.lines.map((l) => [l]));
  return answerToCsv(outcome.answer);
}
