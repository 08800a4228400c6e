import type { Outcome } from '../core/outcome.js';
import { isMessageKey, t, type Language } from '../core/i18n.js';
import { answerLanguage } from './format.js';
import { answerToCsv } from './answer.js';
import { billingAllCsv, billingCsv } from './billing.js';
import { csvCell, toCsv } from './csv-writer.js';
import { dashboardCsv } from './dashboard.js';
import { globalCsv } from './global.js';
import { growthCsv } from './growth.js';
import { storyCsv } from './story.js';

export { csvCell, toCsv } from './csv-writer.js';

export function renderCsv(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'answer':
      return answerToCsv(outcome.answer);
    case 'global':
      return globalCsv(outcome.answer);
    case 'growth':
      return growthCsv(outcome);
    case 'story':
      return storyCsv(outcome);
    case 'billing':
      return billingCsv(outcome);
    case 'billing-all':
      return billingAllCsv(outcome);
    case 'help':
      return toCsv(['help'], outcome.lines.map((l) => [l]));
    case 'notice':
      return toCsv(['notice'], [[outcome.text]]);
    case 'dashboard':
      return dashboardCsv(outcome, renderCsv);
  }
}

/** One machine header in `lang`: its own words, `month_3` as "Month 3", `turnover_change_previous` as "Turnover, change on the previous period"; a name without words stays as it is. */
function headerIn(name: string, lang: Language): string {
  const own = `csv.${name}`;
  if (isMessageKey(own)) return t(lang, own);
  const month = /^month_(\d+)$/.exec(name);
  if (month) return t(lang, 'csv.monthN', { n: Number(month[1]) });
  const change = /^(.+)_change_(previous|year_before)$/.exec(name);
  const base = change ? `csv.${change[1]}` : '';
  if (change && isMessageKey(base)) return t(lang, change[2] === 'previous' ? 'csv.changePrevious' : 'csv.changeYearBefore', { figure: t(lang, base) });
  return name;
}

/**
 * `--headers localized`: the header line in `lang` (an answer's own language when not given) for a
 * person opening the file in a spreadsheet; the machine names stay the default, for tools. A column
 * the catalogs have no name for keeps its machine name.
 */
export function localizeCsvHeaders(csv: string, outcome: Outcome, lang?: Language): string {
  const language = lang ?? (outcome.kind === 'answer' ? answerLanguage(outcome.answer) : 'en');
  const end = csv.indexOf('\r\n');
  const header = end < 0 ? csv : csv.slice(0, end);
  const named = header
    .split(',')
    .map((name) => csvCell(headerIn(name, language)))
    .join(',');
  return named + (end < 0 ? '' : csv.slice(end));
}

/** The CSV attached to an answer in Slack (or served by a face): file name, title and content. */
export function csvFile(outcome: Outcome): { filename: string; title: string; text: string } {
  const text = renderCsv(outcome);
  switch (outcome.kind) {
    case 'answer': {
      const a = outcome.answer;
      return { filename: `${fileBase(a.question)}.csv`, title: `${a.title} · ${a.instance.name} · ${a.period.label} (CSV)`, text };
    }
    case 'global':
      return { filename: `${fileBase(outcome.answer.question)}.csv`, title: `${outcome.answer.title} (CSV)`, text };
    case 'growth':
      return { filename: `${fileBase(outcome.question)}.csv`, title: 'Growth (CSV)', text };
    case 'story':
      return { filename: `${fileBase(outcome.question)}.csv`, title: `${outcome.question} (CSV)`, text };
    case 'billing':
      return { filename: `billing-${outcome.instance.id}-${outcome.month}.csv`, title: `Billing ${outcome.instance.name} ${outcome.month} (CSV)`, text };
    case 'billing-all':
      return { filename: `billing-all-${outcome.month ?? 'last-month'}.csv`, title: `Billing, ${outcome.reports.length} instances, ${outcome.month ?? 'last month'} (CSV)`, text };
    default:
      return { filename: 'answer.csv', title: 'Answer (CSV)', text };
  }
}

/** The question an outcome answers, when it answers one (the name of its files). */
export function questionOf(outcome: Outcome): string | undefined {
  switch (outcome.kind) {
    case 'answer':
    case 'global':
      return outcome.answer.question;
    case 'growth':
    case 'story':
      return outcome.question;
    default:
      return undefined;
  }
}

/** The chart's PNG, named from its question as the CSV is: `report-all-2025.png`, `map-shops-katuma.png`. */
export function chartFilename(outcome: Outcome): string {
  return `${fileBase(questionOf(outcome) ?? 'chart')}.png`;
}

/** A question as a file name: `turnover-katuma-last-month`. */
export function fileBase(question: string): string {
  return question.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 80) || 'answer';
}
