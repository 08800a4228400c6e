import { createHash } from 'node:crypto';
import type { BillingReport } from '../core/outcome.js';
import { toCsv } from './csv-writer.js';

/**
 * A month's bill as flat lines for accounting tools (the API's `billing-lines`, the `billing.closed`
 * webhook): one object per line with a stable id, amounts as exact decimal strings ("9.31"), and a
 * revision that changes whenever the line's figures do.
 */
export interface BillingLineItem {
  /** `<instance>:<YYYY-MM>:<line key>`; the key is the external billing id on a grouped line, else the enterprise id. */
  id: string;
  instance: string;
  month: string;
  enterprise_id: number;
  external_billing_id: string | null;
  name: string;
  currency: string;
  turnover: string;
  orders: number;
  charge: string;
  tax: string;
  total: string;
  status: string;
  provisional: boolean;
  /** A fingerprint of the line and its billed figures: the same while the line is the same, another when a late change alters it. */
  revision: string;
}

export const BILLING_LINE_COLUMNS = ['id', 'instance', 'month', 'enterprise_id', 'external_billing_id', 'name', 'currency', 'turnover', 'orders', 'charge', 'tax', 'total', 'status', 'provisional', 'revision'] as const;

export function billingLineItems(report: BillingReport, options: { provisional: boolean; groupedByBillingId: boolean }): BillingLineItem[] {
  return report.lines.map((line) => {
    const key = options.groupedByBillingId && line.billingId !== null ? line.billingId : String(line.enterpriseId);
    const id = `${report.instance.id}:${report.month}:${key}`;
    // The id is part of it, so a revision is unique across lines too (Zapier can deduplicate on it to see corrections).
    const figures = [id, line.turnover, line.orders, line.charge, line.tax, line.total, line.status, line.members];
    return {
      id,
      instance: report.instance.id,
      month: report.month,
      enterprise_id: line.enterpriseId,
      external_billing_id: line.billingId,
      name: line.name,
      currency: report.instance.currency,
      turnover: line.turnover,
      orders: line.orders,
      charge: line.charge,
      tax: line.tax,
      total: line.total,
      status: line.status,
      provisional: options.provisional,
      revision: createHash('sha256').update(JSON.stringify(figures)).digest('hex').slice(0, 16),
    };
  });
}

/** The same lines as CSV (formula guard included: names are typed by the public). */
export function billingLinesCsv(items: readonly BillingLineItem[]): string {
  return toCsv(BILLING_LINE_COLUMNS, items.map((item) => BILLING_LINE_COLUMNS.map((column) => { const v = item[column]; return typeof v === 'boolean' ? String(v) : v; })));
}
