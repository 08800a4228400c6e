import { DateTime } from 'luxon';
import Big from 'big.js';
import type { BillingPlanTerms } from '../core/billing.js';
import type { BillingAllReport, BillingReport } from '../core/outcome.js';
import { formatCount, formatMoney, moneyToJson } from '../core/money.js';
import { toCsv } from './csv-writer.js';
import { answerLanguage, localMonthLabel, statusLabel, warningLine } from './format.js';
import { numbersLocale, t, type Language } from '../core/i18n.js';
import { dateLocale } from '../core/periods.js';
import { globalTotalText } from './global.js';
import { codeBlock, contextLine, escapeMrkdwn, mrkdwnSection, plain, type Block, type SlackMessage } from './mrkdwn.js';
import { alignTable } from './table.js';

/** An amount as the reader's language writes numbers (`numbersLocale`), in the instance's currency. */
const money = (r: BillingReport, v: string, lang: Language) => formatMoney(v, r.instance.currency, numbersLocale(r.instance, lang));
const createdDate = (r: BillingReport, utc: string) => DateTime.fromSQL(utc, { zone: 'UTC' }).setZone(r.instance.timezone).toISODate() ?? '';

const LINE_COLUMNS = ['enterprise_id', 'name', 'category', 'created_date', 'turnover', 'orders', 'charge', 'tax', 'total', 'status', 'provisional'];
const lineCells = (r: BillingReport, l: BillingReport['lines'][number]) => [l.enterpriseId, l.name, l.category, createdDate(r, l.createdAt), l.turnover, l.orders, l.charge, l.tax, l.total, l.status, r.provisional ? 'true' : 'false'];

/** The CSV of a month's billing: one line per billed entity, columns as in docs/billing.md. */
export function billingCsv(report: BillingReport): string {
  return toCsv(LINE_COLUMNS, report.lines.map((l) => lineCells(report, l)));
}

/** An exact rate as a percentage, with the locale's decimal mark: `0.025` → "2.5 %", "2,5 %". */
const percent = (fraction: string, locale: string) =>
  `${new Intl.NumberFormat(locale, { maximumFractionDigits: 6, useGrouping: false }).format(Number(new Big(fraction).times(100).toString()))} %`;

/**
 * The plan a bill applied, in one line, in `lang`: `Plan Katuma 2026: €5.00 + 2 % of turnover, at most
 * €20.00; nothing below €100.00 turnover; first 30 days free; tax 21 %`.
 */
export function planText(plan: BillingPlanTerms | null, currency: string, locale: string, lang: Language = 'en'): string {
  if (!plan) return t(lang, 'billing.plan.notRecorded');
  const m = (v: string) => formatMoney(v, currency, locale);
  const charge =
    plan.kind === 'rate'
      ? [new Big(plan.fixed).gt(0) ? m(plan.fixed) : '', new Big(plan.rate).gt(0) ? t(lang, 'billing.plan.rate', { rate: percent(plan.rate, locale) }) : ''].filter(Boolean).join(' + ') +
        (plan.cap ? `, ${t(lang, 'billing.plan.cap', { cap: m(plan.cap) })}` : '')
      : t(lang, 'billing.plan.bands', {
          list: plan.tiers.map((tier) => (tier.upTo ? t(lang, 'billing.plan.band', { upTo: m(tier.upTo), charge: m(tier.charge) }) : t(lang, 'billing.plan.lastBand', { charge: m(tier.charge) }))).join(', '),
        });
  const terms = [
    charge,
    new Big(plan.minimumTurnover).gt(0) ? t(lang, 'billing.plan.minimum', { minimum: m(plan.minimumTurnover) }) : '',
    plan.trialDays > 0 ? t(lang, 'billing.plan.trial', { days: plan.trialDays }) : '',
    new Big(plan.taxRate).gt(0) ? t(lang, 'billing.plan.tax', { rate: percent(plan.taxRate, locale) }) : t(lang, 'billing.plan.noTax'),
    plan.groupBy ? t(lang, 'billing.plan.grouped') : '',
  ].filter(Boolean);
  return plan.name ? t(lang, 'billing.plan.named', { name: plan.name, terms: terms.join('; ') }) : t(lang, 'billing.plan.unnamed', { terms: terms.join('; ') });
}

/** The plan in JSON (the API's "plan used"): decimals as strings, as in the config. */
export function planJson(plan: BillingPlanTerms | null): Record<string, unknown> | null {
  if (!plan) return null;
  return {
    name: plan.name ?? null,
    kind: plan.kind,
    minimum_turnover: plan.minimumTurnover,
    ...(plan.kind === 'rate' ? { fixed: plan.fixed, rate: plan.rate, cap: plan.cap } : { tiers: plan.tiers.map((t) => ({ up_to: t.upTo, charge: t.charge })) }),
    tax_rate: plan.taxRate,
    trial_days: plan.trialDays,
    group_by: plan.groupBy,
  };
}

export function billingJson(report: BillingReport): Record<string, unknown> {
  return {
    instance: report.instance.id,
    month: report.month,
    currency: report.instance.currency,
    provisional: report.provisional === true,
    ...(report.asOf ? { as_of: report.asOf } : {}),
    plan: planJson(report.plan),
    rows: report.lines.map((l) => ({
      enterprise_id: l.enterpriseId,
      name: l.name,
      turnover: moneyToJson(l.turnover),
      orders: l.orders,
      charge: moneyToJson(l.charge),
      tax: moneyToJson(l.tax),
      total: moneyToJson(l.total),
      status: l.status,
    })),
    totals: { turnover: moneyToJson(report.totals.turnover), charge: moneyToJson(report.totals.charge), tax: moneyToJson(report.totals.tax), total: moneyToJson(report.totals.total) },
    ...(report.sentAt ? { sent_at: report.sentAt.toISOString() } : {}),
    ...(report.changes ? { changes_since_sent: report.changes } : {}),
  };
}

/** The warning a provisional bill carries in text and Slack. */
function provisionalLine(report: BillingReport, lang: Language): string[] {
  if (!report.provisional) return [];
  const asOf = report.asOf ? DateTime.fromISO(report.asOf, { zone: report.instance.timezone }).setLocale(dateLocale(report.instance.locale, lang)).toFormat('d LLL HH:mm') : t(lang, 'billing.now');
  return [t(lang, 'billing.provisional', { month: localMonthLabel(report, lang), asOf, zone: report.instance.timezone })];
}

function summaryLines(report: BillingReport, lang: Language): string[] {
  const totals = report.totals;
  return [
    ...provisionalLine(report, lang),
    planText(report.plan, report.instance.currency, numbersLocale(report.instance, lang), lang),
    t(lang, 'billing.counts', { billed: totals.billed, trial: totals.trial, below: totals.belowMinimum }),
    t(lang, 'billing.totals', { turnover: money(report, totals.turnover, lang), charge: money(report, totals.charge, lang), tax: money(report, totals.tax, lang), total: money(report, totals.total, lang) }),
  ];
}

function topTable(report: BillingReport, limit: number, lang: Language): string {
  const rows = report.lines.slice(0, limit).map((l) => [l.name, money(report, l.turnover, lang), money(report, l.total, lang), statusLabel(l.status, lang)]);
  const head = [t(lang, 'billing.col.enterprise'), t(lang, 'billing.col.turnover'), t(lang, 'billing.col.total'), t(lang, 'billing.col.status')];
  return alignTable(head, rows, ['left', 'right', 'right', 'left']);
}

function changeLines(report: BillingReport, lang: Language): string[] {
  if (!report.changes?.length) return [];
  return [t(lang, 'billing.changed', { n: report.changes.length }), ...report.changes.slice(0, 20).map((c) => `  ${c.name} (#${c.enterpriseId}) ${c.field}: ${c.sent} → ${c.now}`)];
}

/** "Billing · Katuma · October 2026 (provisional)", in `lang`. */
function billingTitle(report: BillingReport, lang: Language): string {
  const title = t(lang, 'billing.title', { name: report.instance.name, month: localMonthLabel(report, lang) });
  return report.provisional ? t(lang, 'billing.provisionalTag', { title }) : title;
}

/** A month's bill as text, in `lang` (default: the instance's language). */
export function billingText(report: BillingReport, reader?: Language): string {
  const lang = answerLanguage(report, reader);
  return [
    `${billingTitle(report, lang)} (${report.instance.timezone})${report.sentAt ? ` · ${t(lang, 'billing.asSent', { when: report.sentAt.toISOString() })}` : ''}`,
    ...summaryLines(report, lang),
    '',
    report.lines.length ? topTable(report, report.lines.length, lang) : t(lang, 'billing.noLines'),
    ...(report.changes?.length ? ['', ...changeLines(report, lang)] : []),
  ].join('\n');
}

/** A month's bill for Slack, in `reader`'s language (an ephemeral answer) or the instance's (the monthly post). */
export function billingMessage(report: BillingReport, reader?: Language): SlackMessage {
  const lang = answerLanguage(report, reader);
  const title = billingTitle(report, lang);
  const blocks: Block[] = [{ type: 'header', text: plain(title) }, mrkdwnSection(escapeMrkdwn(summaryLines(report, lang).join('\n')))];
  if (report.lines.length) blocks.push(mrkdwnSection(codeBlock(topTable(report, 10, lang))));
  if (report.changes?.length) blocks.push(mrkdwnSection(`:warning: ${escapeMrkdwn(changeLines(report, lang).join('\n').slice(0, 2800))}`));
  const context = t(lang, 'billing.context', { n: report.lines.length, hash: report.hash.slice(0, 12) });
  blocks.push(contextLine(`${report.sentAt ? `${t(lang, 'billing.asSent', { when: report.sentAt.toISOString() })} · ` : ''}${context}`));
  return { text: escapeMrkdwn(`${title}: ${money(report, report.totals.total, lang)}`), blocks };
}

/** `billing all`: one row per instance in its own currency, the total in the reporting currency. */
function allTable(report: BillingAllReport, lang: Language): string {
  const provisional = (title: string) => t(lang, 'billing.provisionalTag', { title });
  const rows = report.reports.map((r) => [
    r.instance.name,
    `${r.provisional ? provisional(r.month) : r.month}${r.sentAt ? ` ${t(lang, 'billingAll.asSent')}` : ''}`,
    r.plan?.name ?? (r.plan ? t(lang, 'billingAll.unnamed') : t(lang, 'billingAll.notRecorded')),
    formatCount(r.totals.billed, numbersLocale(r.instance, lang)),
    money(r, r.totals.turnover, lang),
    money(r, r.totals.total, lang),
  ]);
  const head = [t(lang, 'billingAll.col.instance'), t(lang, 'billingAll.col.month'), t(lang, 'billingAll.col.plan'), t(lang, 'billingAll.col.billed'), t(lang, 'billing.col.turnover'), t(lang, 'billing.col.total')];
  return alignTable(head, rows, ['left', 'left', 'left', 'right', 'right', 'right']);
}

function allTotalLine(report: BillingAllReport, lang: Language): string {
  return globalTotalText({ total: report.total }, lang) ?? '';
}

function allTitle(report: BillingAllReport, lang: Language): string {
  const title = t(lang, 'billingAll.title', { n: report.reports.length, month: report.month ?? t(lang, 'period.last-month') });
  return report.reports.some((r) => r.provisional) ? t(lang, 'billing.provisionalTag', { title }) : title;
}

/** The notes under `billing all`: each plan, the provisional months, the instances that did not answer. */
function allNotes(report: BillingAllReport, lang: Language): string[] {
  return [
    ...report.reports.map((r) => `${r.instance.name}: ${planText(r.plan, r.instance.currency, numbersLocale(r.instance, lang), lang)}`),
    ...report.reports.filter((r) => r.provisional).map((r) => provisionalLine(r, lang)[0]!),
    ...report.warnings.map((w) => warningLine(w, lang)),
  ];
}

/** `billing all` as text, in the reader's language (the CLI's --lang), English by default. */
export function billingAllText(report: BillingAllReport, lang: Language = 'en'): string {
  return [t(lang, 'billingAll.each', { title: allTitle(report, lang) }), '', allTable(report, lang), '', allTotalLine(report, lang), ...allNotes(report, lang)].join('\n');
}

export function billingAllJson(report: BillingAllReport): Record<string, unknown> {
  const t = report.total;
  return {
    month: report.month ?? null,
    instances: report.reports.map(billingJson),
    total: { value: t.value === null ? null : moneyToJson(t.value), currency: t.currency, partial: t.partial, rates: t.rates },
    warnings: report.warnings.map((w) => ({ instance: w.instance, message: w.message })),
  };
}

/** One line per billed entity of every instance, each amount in its instance's currency (named per row). */
export function billingAllCsv(report: BillingAllReport): string {
  return toCsv(['instance', 'month', 'currency', ...LINE_COLUMNS], report.reports.flatMap((r) => r.lines.map((l) => [r.instance.id, r.month, r.instance.currency, ...lineCells(r, l)])));
}

export function billingAllMessage(report: BillingAllReport, lang: Language = 'en'): SlackMessage {
  const title = allTitle(report, lang);
  const notes = [allTotalLine(report, lang), ...allNotes(report, lang)];
  const blocks: Block[] = [
    { type: 'header', text: plain(title) },
    mrkdwnSection(codeBlock(allTable(report, lang))),
    mrkdwnSection(escapeMrkdwn(notes.join('\n').slice(0, 2800))),
    contextLine(escapeMrkdwn(t(lang, 'billingAll.context'))),
  ];
  return { text: escapeMrkdwn(`${title}: ${allTotalLine(report, lang)}`), blocks };
}
