import type { GrowthChange, GrowthReport, GrowthSection, GrowthValues, PercentChange, RateUsed } from '../core/story.js';
import { GROWTH_FIGURES } from '../core/story.js';
import { formatCount, formatMoney, formatPercent, moneyToJson, roundCents } from '../core/money.js';
import { jsonPeriod } from './answer.js';
import { toCsv } from './csv-writer.js';
import { bucketLabel, describePeriod } from './format.js';
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
const HEADERS = ['New profiles', 'New shops', 'Active shops', 'Orders', 'Turnover'];

/** "+12.5%", "−3.0%" (en), "+12,5 %" (es), "—" (nothing to compare with): written as the counts beside it. */
export function formatChange(change: PercentChange, locale: string = LOCALE): string {
  return formatPercent(change, locale, { signed: true });
}

export function sectionName(section: { instance: { name: string } | null }, count: number): string {
  return section.instance ? section.instance.name : `All ${count} instances`;
}

function locale(section: GrowthSection): string {
  return section.instance?.locale ?? LOCALE;
}

function money(section: GrowthSection, value: string | null): string {
  if (value === null || section.currency === null) return 'n/a';
  return formatMoney(roundCents(value), section.currency, locale(section));
}

function cells(section: GrowthSection, v: GrowthValues): string[] {
  const l = locale(section);
  return [formatCount(v.newProfiles, l), formatCount(v.newShops, l), formatCount(v.activeShops, l), formatCount(v.orders, l), money(section, v.turnover)];
}

function changeCells(change: GrowthChange, locale: string): string[] {
  return GROWTH_FIGURES.map((f) => `${formatChange(change[f].previous, locale)} / ${formatChange(change[f].yearBefore, locale)}`);
}

export function ratesText(rates: readonly RateUsed[], currency: string | null): string | undefined {
  if (rates.length === 0 || !currency) return undefined;
  return `Rates: ${rates.map((r) => `1 ${r.currency} = ${r.rate} ${currency}${r.month ? ` (${r.month})` : ''}`).join(', ')}`;
}

function sectionText(section: GrowthSection, count: number, months: number): string[] {
  const l = locale(section);
  const label = (date: string, partial?: true) => `${bucketLabel(date, 'month', l)}${partial ? ' (to date)' : ''}`;
  const title = section.instance ? `${section.instance.name} · ${describePeriod(section.period, l)}` : `${sectionName(section, count)} · each in its own time zone${section.currency ? `, turnover in ${section.currency}` : ''}`;
  if (section.rows.length === 0) return [title, 'No data: the period has not started.', ''];
  const vsPrevious = months === 1 ? 'the month before' : `the ${months} months before`;
  return [
    title,
    alignTable(['Month', ...HEADERS], [...section.rows.map((r) => [label(r.date, r.partial), ...cells(section, r)]), ['Total', ...cells(section, section.total)]]),
    '',
    `Change: against the month before / the same month a year before (total: ${vsPrevious} / a year before)`,
    alignTable(['Month', ...HEADERS], [...section.rows.map((r) => [label(r.date, r.partial), ...changeCells(r.change, locale(section))]), ['Total', ...changeCells(section.total.change, locale(section))]]),
    '',
  ];
}

function monthsOf(report: GrowthReport): number {
  return report.instances[0]?.rows.length ?? 0;
}

export function growthText(report: GrowthReport): string {
  const n = report.instances.length;
  const lines = [`Growth · ${n} instance${n === 1 ? '' : 's'} · ${report.periodLabel}${n > 1 ? ' (each in its own time zone)' : ''}`, ''];
  const months = monthsOf(report);
  for (const section of report.instances) lines.push(...sectionText(section, n, months));
  if (report.combined) lines.push(...sectionText(report.combined, n, months));
  const rates = ratesText(report.rates, report.combined?.currency ?? null);
  if (rates) lines.push(rates);
  if (report.note) lines.push(report.note);
  if (report.instances.some((s) => s.rows.some((r) => r.partial))) lines.push('A month marked "to date" is not over: it is compared with the same part of the months before.');
  for (const w of report.warnings) lines.push(`⚠ ${w.name}: ${w.message}`);
  return lines.join('\n').trimEnd();
}

function changeJson(change: GrowthChange) {
  return Object.fromEntries(GROWTH_FIGURES.map((f) => [SNAKE[f], { previous: change[f].previous, year_before: change[f].yearBefore }]));
}

function valuesJson(v: GrowthValues) {
  return {
    new_profiles: v.newProfiles,
    new_shops: v.newShops,
    active_shops: v.activeShops,
    orders: v.orders,
    turnover: v.turnover === null ? null : moneyToJson(v.turnover),
  };
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
    v.newProfiles,
    v.newShops,
    v.activeShops,
    v.orders,
    v.turnover === null ? '' : roundCents(v.turnover),
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
export function growthSlackText(report: GrowthReport): string {
  if (!report.combined) return growthText(report);
  const n = report.instances.length;
  const months = monthsOf(report);
  const lines = sectionText(report.combined, n, months);
  lines.push(
    'Totals per instance (each in its own currency and time zone)',
    alignTable(
      ['Instance', ...HEADERS, 'Turnover vs a year before'],
      report.instances.map((s) => [s.instance.name, ...cells(s, s.total), formatChange(s.total.change.turnover.yearBefore, locale(s))]),
    ),
    '',
  );
  const rates = ratesText(report.rates, report.combined.currency);
  if (rates) lines.push(rates);
  if (report.note) lines.push(report.note);
  for (const w of report.warnings) lines.push(`⚠ ${w.name}: ${w.message}`);
  return lines.join('\n').trimEnd();
}
