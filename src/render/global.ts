import type { GlobalAnswer, GlobalTotal } from '../core/answer.js';
import { formatCount, formatMoney, moneyToJson, roundCents } from '../core/money.js';
import { answerToJson } from './answer.js';
import { toCsv } from './csv-writer.js';
import { numbersLocale, t, type Language } from '../core/i18n.js';
import { describePeriod, formatValue, localTitle, periodInWords, warningLine } from './format.js';
import { alignTable, answerTable } from './table.js';

const LOCALE = 'en-GB';

export function globalTotalText(answer: { total?: GlobalTotal | undefined }, lang: Language = 'en'): string | undefined {
  const total = answer.total;
  if (!total) return undefined;
  const partial = (text: string) => (total.partial ? t(lang, 'global.partial', { total: text }) : text);
  if (total.value === null) return partial(t(lang, 'global.noTotal'));
  // Several instances: the reader's usual way of writing numbers.
  const value = total.currency ? formatMoney(total.value, total.currency, numbersLocale(undefined, lang)) : formatCount(total.value, numbersLocale(undefined, lang));
  const rates = total.rates.map((r) => `1 ${r.currency} = ${r.rate} ${total.currency}${r.month ? ` (${r.month})` : ''}`).join(', ');
  return partial(rates ? t(lang, 'global.totalAt', { value, rates }) : t(lang, 'global.total', { value }));
}

/** Rows per instance (single figures) or one block per instance (breakdowns); in `lang` (the reader's; English by default). */
export function globalText(answer: GlobalAnswer, lang: Language = 'en'): string {
  const title = localTitle(answer, lang);
  const period = periodInWords(answer.periodLabel, LOCALE, lang);
  const lines = [t(lang, 'global.title', { title, n: answer.results.length, period }), ''];
  if (answer.results.every((a) => a.kind === 'scalar')) {
    const rows = answer.results.map((a) => [a.instance.name, a.kind === 'scalar' ? formatValue(a, a.value, lang) : '', describePeriod(a.period, LOCALE, lang)]);
    lines.push(alignTable([t(lang, 'growth.col.instance'), title, t(lang, 'global.col.period')], rows, ['left', 'right', 'left']));
  } else {
    for (const a of answer.results) {
      const table = answerTable(a, lang)!;
      lines.push(`${a.instance.name} · ${describePeriod(a.period, LOCALE, lang)}`, table.rows.length ? alignTable(table.header, table.rows, table.align) : t(lang, 'answer.noData'), '');
    }
  }
  const total = globalTotalText(answer, lang);
  if (total) lines.push('', total);
  for (const w of answer.warnings) lines.push(warningLine(w, lang));
  return lines.join('\n');
}

export function globalJson(answer: GlobalAnswer): Record<string, unknown> {
  const scalar = answer.results.every((a) => a.kind === 'scalar');
  const money = answer.unit === 'money';
  return {
    question: answer.question,
    title: answer.title,
    unit: money ? 'money' : 'count',
    period: answer.periodLabel,
    rows: answer.results.map((a) =>
      scalar && a.kind === 'scalar'
        ? { instance: a.instance.id, value: a.value === null ? null : money ? moneyToJson(a.value) : Number(a.value), currency: money ? a.instance.currency : null, period: answerToJson(a).period }
        : { instance: a.instance.id, currency: money ? a.instance.currency : null, ...answerToJson(a) },
    ),
    total: answer.total
      ? { value: answer.total.value === null ? null : money ? moneyToJson(answer.total.value) : Number(answer.total.value), currency: answer.total.currency, partial: answer.total.partial, rates: answer.total.rates }
      : null,
    warnings: answer.warnings.map((w) => ({ instance: w.instance, message: w.message })),
  };
}

export function globalCsv(answer: GlobalAnswer): string {
  const money = answer.unit === 'money';
  const rows: (string | number)[][] = [];
  for (const a of answer.results) {
    const currency = money ? a.instance.currency : 'count';
    const value = (v: string | null) => (v === null ? '' : money ? roundCents(v) : v);
    if (a.kind === 'scalar') rows.push([a.instance.id, '', '', value(a.value), currency]);
    if (a.kind === 'series') for (const r of a.rows) rows.push([a.instance.id, r.date, '', value(r.value), currency]);
    if (a.kind === 'ranking') for (const r of a.rows) rows.push([a.instance.id, '', r.name, value(r.value), currency]);
    if (a.kind === 'list') for (const r of a.rows) rows.push([a.instance.id, r.createdAt, r.name, '', r.category]);
  }
  if (answer.total?.value) rows.push(['total', '', '', answer.total.value, answer.total.currency ?? 'count']);
  return toCsv(['instance', 'date', 'name', 'value', 'unit'], rows);
}
