import { DateTime } from 'luxon';
import type { BillingReport } from '../core/outcome.js';
import { formatCount, formatMoney, moneyToJson } from '../core/money.js';
import { toCsv } from './csv-writer.js';
import { localMonthLabel, statusLabel } from './format.js';
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

export function billingJson(report: BillingReport): string {
  return JSON.stringify(
    {
      instance: report.instance.id,
      month: report.month,
      currency: report.instance.currency,
      provisional: report.provisional === true,
      ...(report.asOf ? { as_of: report.asOf } : {}),
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
    },
    null,
    2,
  );
}

/** The warning a provisional bill carries in text and Slack. */
function provisionalLine(report: BillingReport): string[] {
  if (!report.provisional) return [];
  const asOf = report.asOf ? DateTime.fromISO(report.asOf, { zone: report.instance.timezone }).setLocale(report.instance.locale).toFormat('d LLL HH:mm') : 'now';
  return [`⚠ Provisional: ${localMonthLabel(report)} is not over (figures to ${asOf}, ${report.instance.timezone}). Do not invoice from it.`];
}

function summaryLines(report: BillingReport): string[] {
  const t = report.totals;
  const n = (v: number) => formatCount(v, report.instance.locale);
  return [
    ...provisionalLine(report),
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
