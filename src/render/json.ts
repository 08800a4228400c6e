import { growthJson } from './growth.js';
import { globalJson } from './global.js';
import { billingJson } from './billing.js';
import type { Answer, AnswerPeriod } from '../core/answer.js';
import { moneyToJson } from '../core/money.js';
import type { Outcome } from '../commands/pipeline.js';
import type { OfnError } from '../core/errors.js';

function jsonValue(answer: Answer, value: string): number {
  return answer.unit === 'money' ? moneyToJson(value) : Number(value);
}

export function jsonPeriod(period: AnswerPeriod) {
  return { from: period.from ? period.from.toISO() : null, to: period.to.toISO(), timezone: period.timezone, label: period.label };
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
  };
  switch (answer.kind) {
    case 'scalar':
      return { value: jsonValue(answer, answer.value), ...common, ...(answer.detail ? { detail: answer.detail } : {}) };
    case 'series':
      return { rows: answer.rows.map((r) => ({ date: r.date, value: jsonValue(answer, r.value) })), grain: answer.grain, ...common };
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
        ...common,
      };
  }
}

export function renderJson(outcome: Outcome): string {
  if (outcome.kind === 'growth') return JSON.stringify(growthJson(outcome), null, 2);
  if (outcome.kind === 'global') return JSON.stringify(globalJson(outcome.answer), null, 2);
  if (outcome.kind === 'billing') return billingJson(outcome);
  if (outcome.kind === 'help') return JSON.stringify({ help: { title: outcome.title, lines: outcome.lines } }, null, 2);
  return JSON.stringify(answerToJson(outcome.answer), null, 2);
}

export function errorToJson(error: OfnError): string {
  return JSON.stringify({ error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) } }, null, 2);
}
