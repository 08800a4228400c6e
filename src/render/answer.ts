import type { Answer, AnswerPeriod } from '../core/answer.js';
import { moneyToJson, roundCents } from '../core/money.js';
import { toCsv } from './csv-writer.js';
import { t, type Language } from '../core/i18n.js';
import { answerLanguage, answerNote, describePeriod, formatValue, headline, ordersDetail } from './format.js';
import { alignTable, answerTable } from './table.js';

/** One answer (one instance) in each format: text, the JSON contract (README), CSV. */

/** One answer as plain text: headline, period, the figure or the table. */
export function answerText(answer: Answer, language?: Language): string {
  const lang = answerLanguage(answer, language);
  const note = answerNote(answer, lang);
  const lines = [
    headline(answer, lang),
    describePeriod(answer.period, answer.instance.locale, lang),
    ...(answer.dataAsOf ? [t(lang, 'answer.dataAsOf', { when: answer.dataAsOf })] : []),
    ...(note ? [note] : []),
    '',
  ];
  if (answer.kind === 'scalar') {
    const detail = ordersDetail(answer, lang);
    lines.push(`${formatValue(answer, answer.value, lang)}${detail ? `  (${detail})` : ''}`);
  } else {
    const table = answerTable(answer, lang)!;
    if (table.rows.length === 0) lines.push(t(lang, 'answer.noData'));
    else {
      // Ranking tables put the rank first; keep it narrow and left-aligned like the name.
      lines.push(alignTable(table.header, table.rows, table.align));
      if (answer.kind === 'list' && answer.totalRows > answer.rows.length) lines.push(t(lang, 'answer.firstOf', { shown: answer.rows.length, total: answer.totalRows }));
    }
  }
  return lines.join('\n');
}

function jsonValue(answer: Answer, value: string | null): number | null {
  if (value === null) return null;
  return answer.unit === 'money' ? moneyToJson(value) : Number(value);
}

/** The period; `as_of` when it is not over (the figures are to date), `future` when it has not started. */
export function jsonPeriod(period: AnswerPeriod) {
  return {
    from: period.from ? period.from.toISO() : null,
    to: period.to.toISO(),
    timezone: period.timezone,
    label: period.label,
    ...(period.asOf ? { as_of: period.asOf.toISO() } : {}),
    ...(period.future ? { future: true } : {}),
  };
}

function jsonTotal(answer: Extract<Answer, { kind: 'series' | 'ranking' }>) {
  return answer.total ? { total: { value: jsonValue(answer, answer.total.value), ...(answer.total.orders !== undefined ? { orders: answer.total.orders } : {}) } } : {};
}

/** The JSON contract scripts depend on (README "JSON output"). */
export function answerToJson(answer: Answer): Record<string, unknown> {
  const common = {
    unit: answer.unit === 'money' ? answer.instance.currency : 'count',
    instance: answer.instance.id,
    period: jsonPeriod(answer.period),
    question: answer.question,
    title: answer.title,
    ...(answer.dataAsOf ? { data_as_of: answer.dataAsOf } : {}),
    ...(answer.note ? { note: answer.note } : {}),
  };
  switch (answer.kind) {
    case 'scalar':
      return { value: jsonValue(answer, answer.value), ...common, ...(answer.orders !== undefined ? { orders: answer.orders } : {}), ...(answer.detail ? { detail: answer.detail } : {}) };
    case 'series':
      return { rows: answer.rows.map((r) => ({ date: r.date, value: jsonValue(answer, r.value), ...(r.partial ? { partial: true } : {}) })), grain: answer.grain, ...jsonTotal(answer), ...common };
    case 'list':
      return {
        rows: answer.rows.map((r) => ({ enterprise_id: r.enterpriseId, name: r.name, category: r.category, town: r.town, country: r.country, created_date: r.createdAt })),
        total_rows: answer.totalRows,
        ...common,
      };
    case 'ranking':
      return {
        rows: answer.rows.map((r) => ({
          enterprise_id: r.enterpriseId,
          name: r.name,
          value: jsonValue(answer, r.value),
          ...(r.orders !== undefined ? { orders: r.orders } : {}),
        })),
        ...jsonTotal(answer),
        ...common,
      };
  }
}

function csvValue(answer: Answer, value: string | null): string {
  if (value === null) return '';
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
      // `partial`: the bucket containing now, not over; the last line is the total (the scalar question's figure).
      return toCsv(
        ['date', 'value', 'partial'],
        [...answer.rows.map((r) => [r.date, csvValue(answer, r.value), r.partial ? 'true' : 'false']), ...(answer.total ? [['total', csvValue(answer, answer.total.value), '']] : [])],
      );
    case 'ranking':
      return toCsv(
        ['enterprise_id', 'name', 'value', 'orders'],
        [...answer.rows.map((r) => [r.enterpriseId, r.name, csvValue(answer, r.value), r.orders ?? '']), ...(answer.total ? [['total', 'All shops', csvValue(answer, answer.total.value), answer.total.orders ?? '']] : [])],
      );
    case 'list':
      return toCsv(['enterprise_id', 'name', 'category', 'town', 'country', 'created_date'], answer.rows.map((r) => [r.enterpriseId, r.name, r.category, r.town, r.country, r.createdAt]));
  }
}
