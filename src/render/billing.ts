import { DateTime } from 'luxon';
import Big from 'big.js';
import type { BillingPlanTerms } from '../core/billing.js';
import type { BillingAllReport, BillingReport } from '../core/outcome.js';
import { formatCount, formatMoney, moneyToJson } from '../core/money.js';
import { toCsv } from './csv-writer.js';
import { localMonthLabel, statusLabel } from './format.js';
import { dateLocale } from '../core/periods.js';
import { globalTotalText } from './global.js';
import { codeBlock, contextLine, escapeMrkdwn, mrkdwnSection, plain, type Block, type SlackMessage } from './mrkdwn.js';
import { alignTable } from './table.js';

const money = (r: BillingReport, v: string) => formatMoney(v, r.instance.currency, r.instance.locale);
const createdDate = (r: BillingReport, utc: string) => DateTime.fromSQL(utc, { zone: 'UTC' }).setZone(r.instance.timezone).toISODate() ?? '';

/** The CSV of a month's billing: one line per billed entity, columns as in docs/billing.md. */
export function billingCsv(report: BillingReport): string {
  return toCsv(
    ['enterprise_id', 'name', 'category', 'created_date', 'turnover', 'orders', 'charge', 'tax', 'total', 'status', 'provisional'],
    report.lines.map((l) => [l.enterpriseId, l.name, l.category, createdDate(report, l.createdAt), l.turnover, l.orders, l.charge, l.tax, l.total, l.status, report.provisional ? 'true' : 'false']),
  );
}

const percent = (fraction: string) => `${new Big(fraction).times(100).toString()} %`;

/**
 * The plan a bill applied, in one line: `Plan Katuma 2026: €5.00 + 2 % of turnover, at most €20.00;
 * nothing below €100.00; first 30 days free; tax 21 %`.
 */
export function planText(plan: BillingPlanTerms | null, currency: string, locale: string): string {
  if (!plan) return 'Plan: not recorded (sent before plans were stored with each post)';
  const m = (v: string) => formatMoney(v, currency, locale);
  const charge =
    plan.kind === 'rate'
      ? [new Big(plan.fixed).gt(0) ? m(plan.fixed) : '', new Big(plan.rate).gt(0) ? `${percent(plan.rate)} of turnover` : ''].filter(Boolean).join(' + ') + (plan.cap ? `, at most ${m(plan.cap)}` : '')
      : `bands ${plan.tiers.map((t) => (t.upTo ? `below ${m(t.upTo)} → ${m(t.charge)}` : `then ${m(t.charge)}`)).join(', ')}`;
  const terms = [
    charge,
    new Big(plan.minimumTurnover).gt(0) ? `nothing below ${m(plan.minimumTurnover)} turnover` : '',
    plan.trialDays > 0 ? `first ${plan.trialDays} days free` : '',
    new Big(plan.taxRate).gt(0) ? `tax ${percent(plan.taxRate)}` : 'no tax',
    plan.groupBy ? 'one line per external billing id' : '',
  ].filter(Boolean);
  return `Plan${plan.name ? ` ${plan.name}` : ''}: ${terms.join('; ')}`;
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

export function billingJson(report: BillingReport): string {
  return JSON.stringify(billingJsonObject(report), null, 2);
}

export function billingJsonObject(report: BillingReport): Record<string, unknown> {
  return (
    {
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
    }
  );
}

/** The warning a provisional bill carries in text and Slack. */
function provisionalLine(report: BillingReport): string[] {
  if (!report.provisional) return [];
  const asOf = report.asOf ? DateTime.fromISO(report.asOf, { zone: report.instance.timezone }).setLocale(dateLocale(report.instance.locale, 'en')).toFormat('d LLL HH:mm') : 'now';
  return [`⚠ Provisional: ${localMonthLabel(report)} is not over (figures to ${asOf}, ${report.instance.timezone}). Do not invoice from it.`];
}

function summaryLines(report: BillingReport): string[] {
  const t = report.totals;
  const n = (v: number) => formatCount(v, report.instance.locale);
  return [
    ...provisionalLine(report),
    planText(report.plan, report.instance.currency, report.instance.locale),
    `${n(t.billed)} billed · ${n(t.trial)} in trial · ${n(t.belowMinimum)} below the minimum`,
    `Turnover ${money(report, t.turnover)} · charges ${money(report, t.charge)} + tax ${money(report, t.tax)} = ${money(report, t.total)}`,
  ];
}

function topTable(report: BillingReport, limit: number): string {
  const rows = report.lines.slice(0, limit).map((l) => [l.name, money(report, l.turnover), money(report, l.total), statusLabel(l.status)]);
  return alignTable(['Enterprise', 'Turnover', 'Total', 'Status'], rows, ['left', 'right', 'right', 'left']);
}

function changeLines(report: BillingReport): string[] {
  if (!report.changes?.length) return [];
  return [
    `Changed since it was sent (${report.changes.length}):`,
    ...report.changes.slice(0, 20).map((c) => `  ${c.name} (#${c.enterpriseId}) ${c.field}: ${c.sent} → ${c.now}`),
  ];
}

export function billingText(report: BillingReport): string {
  return [
    `Billing · ${report.instance.name} · ${localMonthLabel(report)}${report.provisional ? ' (provisional)' : ''} (${report.instance.timezone})${report.sentAt ? ` · as sent ${report.sentAt.toISOString()}` : ''}`,
    ...summaryLines(report),
    '',
    report.lines.length ? topTable(report, report.lines.length) : 'No billable shops this month.',
    ...(report.changes?.length ? ['', ...changeLines(report)] : []),
  ].join('\n');
}

export function billingMessage(report: BillingReport): SlackMessage {
  const title = `Billing · ${report.instance.name} · ${localMonthLabel(report)}${report.provisional ? ' (provisional)' : ''}`;
  const blocks: Block[] = [{ type: 'header', text: plain(title) }, mrkdwnSection(escapeMrkdwn(summaryLines(report).join('\n')))];
  if (report.lines.length) blocks.push(mrkdwnSection(codeBlock(topTable(report, 10))));
  if (report.changes?.length) blocks.push(mrkdwnSection(`:warning: ${escapeMrkdwn(changeLines(report).join('\n').slice(0, 2800))}`));
  blocks.push(contextLine(`${report.sentAt ? `As sent ${report.sentAt.toISOString()} · ` : ''}${report.lines.length} lines in the CSV · fingerprint ${report.hash.slice(0, 12)}`));
  return { text: escapeMrkdwn(`${title}: ${money(report, report.totals.total)}`), blocks };
}

/** `billing all`: one row per instance in its own currency, the total in the reporting currency. */
function allTable(report: BillingAllReport): string {
  const rows = report.reports.map((r) => [
    r.instance.name,
    `${r.month}${r.provisional ? ' (provisional)' : ''}${r.sentAt ? ' (as sent)' : ''}`,
    r.plan?.name ?? (r.plan ? '(unnamed)' : '(not recorded)'),
    formatCount(r.totals.billed, r.instance.locale),
    money(r, r.totals.turnover),
    money(r, r.totals.total),
  ]);
  return alignTable(['Instance', 'Month', 'Plan', 'Billed', 'Turnover', 'Total'], rows, ['left', 'left', 'left', 'right', 'right', 'right']);
}

function allTotalLine(report: BillingAllReport): string {
  return globalTotalText({ total: report.total }) ?? '';
}

function allTitle(report: BillingAllReport): string {
  return `Billing · ${report.reports.length} instance${report.reports.length === 1 ? '' : 's'} · ${report.month ?? 'last month'}${report.reports.some((r) => r.provisional) ? ' (provisional)' : ''}`;
}

export function billingAllText(report: BillingAllReport): string {
  return [
    `${allTitle(report)} (each in its own time zone and currency)`,
    '',
    allTable(report),
    '',
    allTotalLine(report),
    ...report.reports.map((r) => `${r.instance.name}: ${planText(r.plan, r.instance.currency, r.instance.locale)}`),
    ...report.reports.filter((r) => r.provisional).map((r) => provisionalLine(r)[0]!),
    ...report.warnings.map((w) => `⚠ ${w.name}: ${w.message}`),
  ].join('\n');
}

export function billingAllJson(report: BillingAllReport): string {
  const t = report.total;
  return JSON.stringify(
    {
      month: report.month ?? null,
      instances: report.reports.map(billingJsonObject),
      total: { value: t.value === null ? null : moneyToJson(t.value), currency: t.currency, partial: t.partial, rates: t.rates },
      warnings: report.warnings.map((w) => ({ instance: w.instance, message: w.message })),
    },
    null,
    2,
  );
}

/** One line per billed entity of every instance, each amount in its instance's currency (named per row). */
export function billingAllCsv(report: BillingAllReport): string {
  return toCsv(
    ['instance', 'month', 'currency', 'enterprise_id', 'name', 'category', 'created_date', 'turnover', 'orders', 'charge', 'tax', 'total', 'status', 'provisional'],
    report.reports.flatMap((r) =>
      r.lines.map((l) => [r.instance.id, r.month, r.instance.currency, l.enterpriseId, l.name, l.category, createdDate(r, l.createdAt), l.turnover, l.orders, l.charge, l.tax, l.total, l.status, r.provisional ? 'true' : 'false']),
    ),
  );
}

export function billingAllMessage(report: BillingAllReport): SlackMessage {
  const title = allTitle(report);
  const notes = [
    allTotalLine(report),
    ...report.reports.map((r) => `${r.instance.name}: ${planText(r.plan, r.instance.currency, r.instance.locale)}`),
    ...report.reports.filter((r) => r.provisional).map((r) => provisionalLine(r)[0]!),
    ...report.warnings.map((w) => `⚠ ${w.name}: ${w.message}`),
  ];
  const blocks: Block[] = [
    { type: 'header', text: plain(title) },
    mrkdwnSection(codeBlock(allTable(report))),
    mrkdwnSection(escapeMrkdwn(notes.join('\n').slice(0, 2800))),
    contextLine('Each instance in its own time zone and currency · `billing <instance> <YYYY-MM>` for the lines · the CSV has every line'),
  ];
  return { text: escapeMrkdwn(`${title}: ${allTotalLine(report)}`), blocks };
}

