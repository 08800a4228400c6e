import type { GrowthChange, GrowthReport, GrowthSection, GrowthValues, PercentChange, RateUsed } from '../core/story.js';
import { GROWTH_FIGURES } from '../core/story.js';
import { formatCount, formatMoney, formatPercent, moneyToJson, roundCents } from '../core/money.js';
import { jsonPeriod } from './answer.js';
import { toCsv } from './csv-writer.js';
import { numbersLocale, t, type Language } from '../core/i18n.js';
import { bucketLabel, describePeriod, periodInWords, ratesAndNote, sharedLanguage, warningLine } from './format.js';
import { alignTable } from './table.js';

/** `growth`: per local month the five figures, their change against the month before and the same month a year before, and totals. */

const LOCALE = 'en-GB';
const SNAKE: Record<(typeof GROWTH_FIGURES)[number], string> = {
  newProfiles: 'new_profiles',
  newShops: 'new_shops',
  activeShops: 'active_shops',
  orders: 'orders',
  turnover: 'turnover',
};
/** The five figures' headings in `lang`: the catalogs' metric names. */
function headers(lang: Language): string[] {
  return [t(lang, 'metric.new-profiles'), t(lang, 'metric.new-shops'), t(lang, 'metric.active-shops'), t(lang, 'metric.orders'), t(lang, 'metric.turnover')];
}

/** The language of a growth report: the reader's; else one instance's own; else English (several instances). */
export function growthLanguage(report: GrowthReport, reader?: Language): Language {
  return sharedLanguage(report.instances.length === 1 ? [report.instances[0]!.instance] : [], reader);
}

/** "+12.5%", "−3.0%" (en), "+12,5 %" (es), "—" (nothing to compare with): written as the counts beside it. */
export function formatChange(change: PercentChange, locale: string = LOCALE): string {
  return formatPercent(change, locale, { signed: true });
}

function money(section: GrowthSection, value: string | null, lang: Language): string {
  if (value === null || section.currency === null) return t(lang, 'growth.na');
  return formatMoney(roundCents(value), section.currency, numbersLocale(section.instance, lang));
}

function cells(section: GrowthSection, v: GrowthValues, lang: Language): string[] {
  const l = numbersLocale(section.instance, lang);
  return [formatCount(v.newProfiles, l), formatCount(v.newShops, l), formatCount(v.activeShops, l), formatCount(v.orders, l), money(section, v.turnover, lang)];
}

function changeCells(change: GrowthChange, locale: string): string[] {
  return GROWTH_FIGURES.map((f) => `${formatChange(change[f].previous, locale)} / ${formatChange(change[f].yearBefore, locale)}`);
}

export function ratesText(rates: readonly RateUsed[], currency: string | null, lang: Language = 'en'): string | undefined {
  if (rates.length === 0 || !currency) return undefined;
  return t(lang, 'growth.rates', { list: rates.map((r) => `1 ${r.currency} = ${r.rate} ${currency}${r.month ? ` (${r.month})` : ''}`).join(', ') });
}

function sectionText(section: GrowthSection, count: number, months: number, lang: Language): string[] {
  // Numbers and month labels as the reader's language writes them (`numbersLocale`).
  const l = numbersLocale(section.instance, lang);
  const label = (date: string, partial?: true) => `${bucketLabel(date, 'month', l, lang)}${partial ? ` ${t(lang, 'table.toDate')}` : ''}`;
  const name = t(lang, 'growth.all', { n: count });
  const title = section.instance
    ? `${section.instance.name} · ${describePeriod(section.period, l, lang)}`
    : section.currency
      ? t(lang, 'growth.allSectionCurrency', { name, currency: section.currency })
      : t(lang, 'growth.allSection', { name });
  if (section.rows.length === 0) return [title, t(lang, 'growth.noData'), ''];
  const head = [t(lang, 'table.month'), ...headers(lang)];
  const total = t(lang, 'table.total');
  return [
    title,
    alignTable(head, [...section.rows.map((r) => [label(r.date, r.partial), ...cells(section, r, lang)]), [total, ...cells(section, section.total, lang)]]),
    '',
    t(lang, 'growth.change', { months }),
    alignTable(head, [...section.rows.map((r) => [label(r.date, r.partial), ...changeCells(r.change, l)]), [total, ...changeCells(section.total.change, l)]]),
    '',
  ];
}

/** The period as typed in English (`last-3-months`), in words in other languages ("los últimos 3 meses"). */
export function growthPeriod(report: GrowthReport, lang: Language): string {
  return periodInWords(report.periodLabel, report.instances[0]?.instance.locale ?? LOCALE, lang);
}

function monthsOf(report: GrowthReport): number {
  return report.instances[0]?.rows.length ?? 0;
}

/** The report as text, in `reader`'s language (the CLI's --lang), else one instance's own, else English. */
export function growthText(report: GrowthReport, reader?: Language): string {
  const lang = growthLanguage(report, reader);
  const n = report.instances.length;
  const lines = [t(lang, n > 1 ? 'growth.titleSeveral' : 'growth.title', { n, period: growthPeriod(report, lang) }), ''];
  const months = monthsOf(report);
  for (const section of report.instances) lines.push(...sectionText(section, n, months, lang));
  if (report.combined) lines.push(...sectionText(report.combined, n, months, lang));
  lines.push(...ratesAndNote(ratesText(report.rates, report.combined?.currency ?? null, lang), report, lang));
  if (report.instances.some((s) => s.rows.some((r) => r.partial))) lines.push(t(lang, 'growth.partial'));
  for (const w of report.warnings) lines.push(warningLine(w, lang));
  return lines.join('\n').trimEnd();
}

function changeJson(change: GrowthChange) {
  return Object.fromEntries(GROWTH_FIGURES.map((f) => [SNAKE[f], { previous: change[f].previous, year_before: change[f].yearBefore }]));
}

function valuesJson(v: GrowthValues) {
  return Object.fromEntries(GROWTH_FIGURES.map((f) => [SNAKE[f], f === 'turnover' && v.turnover !== null ? moneyToJson(v.turnover) : v[f]]));
}

/** One section in the issue's shape: {"rows": [{"month", …, "change"}], "total"}. */
export function growthSectionJson(section: GrowthSection) {
  return {
    ...(section.instance ? { instance: section.instance.id, period: jsonPeriod(section.period) } : {}),
    currency: section.currency,
    rows: section.rows.map((r) => ({ month: r.date.slice(0, 7), ...valuesJson(r), ...(r.partial ? { partial: true } : {}), change: changeJson(r.change) })),
    total: { ...valuesJson(section.total), change: changeJson(section.total.change) },
  };
}

export function growthJson(report: GrowthReport): Record<string, unknown> {
  const common = { question: report.question, ...(report.note ? { note: report.note } : {}), warnings: report.warnings.map((w) => ({ instance: w.instance, message: w.message })) };
  if (!report.combined) return { ...growthSectionJson(report.instances[0]!), ...common };
  return {
    period: report.periodLabel,
    instances: report.instances.map(growthSectionJson),
    combined: growthSectionJson(report.combined),
    rates: report.rates,
    ...common,
  };
}

export function growthCsv(report: GrowthReport): string {
  const header = ['instance', 'month', ...GROWTH_FIGURES.map((f) => SNAKE[f]), 'currency', 'partial', ...GROWTH_FIGURES.flatMap((f) => [`${SNAKE[f]}_change_previous`, `${SNAKE[f]}_change_year_before`])];
  const line = (section: GrowthSection, month: string, v: GrowthValues, change: GrowthChange, partial?: true) => [
    section.instance?.id ?? 'all',
    month,
    ...GROWTH_FIGURES.map((f) => (f === 'turnover' ? (v.turnover === null ? '' : roundCents(v.turnover)) : v[f])),
    section.currency ?? '',
    partial ? 'true' : 'false',
    ...GROWTH_FIGURES.flatMap((f) => [change[f].previous ?? '', change[f].yearBefore ?? '']),
  ];
  const rows = [...report.instances, ...(report.combined ? [report.combined] : [])].flatMap((s) => [
    ...s.rows.map((r) => line(s, r.date.slice(0, 7), r, r.change, r.partial)),
    line(s, 'total', s.total, s.total.change),
  ]);
  return toCsv(header, rows);
}

/**
 * What Slack shows: one instance in full; for several, the instances added up in full and one line
 * of totals per instance (every instance's months are in the CSV that goes with it).
 */
export function growthSlackText(report: GrowthReport, reader?: Language): string {
  if (!report.combined) return growthText(report, reader);
  const lang = growthLanguage(report, reader);
  const n = report.instances.length;
  const months = monthsOf(report);
  const lines = sectionText(report.combined, n, months, lang);
  lines.push(
    t(lang, 'growth.perInstance'),
    alignTable(
      [t(lang, 'growth.col.instance'), ...headers(lang), t(lang, 'growth.col.vsYear')],
      report.instances.map((s) => [s.instance.name, ...cells(s, s.total, lang), formatChange(s.total.change.turnover.yearBefore, numbersLocale(s.instance, lang))]),
    ),
    '',
  );
  lines.push(...ratesAndNote(ratesText(report.rates, report.combined.currency, lang), report, lang));
  for (const w of report.warnings) lines.push(warningLine(w, lang));
  return lines.join('\n').trimEnd();
}
