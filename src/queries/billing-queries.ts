import { sql } from 'kysely';
import type { BillableEnterprise } from '../core/billing.js';
import { categoryLabel } from './watch-queries.js';
import { salesOrders, SHOP_SELLS, type UtcWindow } from './definitions.js';
import type { ReplicaTx } from './replica.js';

/**
 * Billable enterprises of a local month: the shops that existed at its end, each with the official
 * turnover and sales-order count of the month (zero when it sold nothing). One statement, so the
 * enterprise list and the turnover come from the same snapshot.
 */
export async function billableEnterprises(tx: ReplicaTx, month: UtcWindow, hasExternalBillingId = true): Promise<BillableEnterprise[]> {
  const sales = salesOrders(tx, month)
    .select((eb) => ['o.distributor_id', sql<string>`sum(o.total)`.as('turnover'), eb.fn.countAll<number>().as('orders')])
    .groupBy('o.distributor_id')
    .as('s');
  const rows = await tx
    .selectFrom('enterprises as e')
    .leftJoin(sales, 's.distributor_id', 'e.id')
    // Releases before migration 20241113185651 have no external_billing_id: every enterprise bills alone.
    .select(['e.id', 'e.name', 'e.sells', 'e.is_primary_producer', 'e.created_at', 's.turnover', 's.orders'])
    .select(hasExternalBillingId ? sql<string | null>`e.external_billing_id`.as('external_billing_id') : sql<string | null>`null`.as('external_billing_id'))
    .where('e.sells', 'in', SHOP_SELLS)
    .where('e.created_at', '<', month.toUtc)
    .orderBy('e.id')
    .execute();
  return rows.map((r) => ({
    enterpriseId: r.id,
    name: r.name,
    category: categoryLabel(r.is_primary_producer, r.sells),
    createdAt: r.created_at,
    externalBillingId: r.external_billing_id,
    turnover: r.turnover === null ? '0.00' : String(r.turnover),
    orders: r.orders === null ? 0 : Number(r.orders),
  }));
}
