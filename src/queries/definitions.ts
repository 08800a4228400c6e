/**
 * The official definitions, in code. docs/definitions.md says the same in words; change both together.
 * Every question, pulse and billing run reads OFN data through these functions and no other way.
 */
import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';
import type { OfnDatabase } from './ofn-tables.js';
import type { ReplicaTx } from './replica.js';

/** A half-open UTC window [fromUtc, toUtc) as OFN stores timestamps (text, UTC, no zone). */
export interface UtcWindow {
  fromUtc: string;
  toUtc: string;
}

/**
 * Sales orders: completed in the window and in state complete or resumed. OFN keeps `completed_at` and
 * every total on a canceled order, so `completed_at IS NOT NULL` alone would count canceled ones;
 * returned and awaiting_return are unsuccessful too (app/models/concerns/balance.rb).
 */
export const SALES_ORDER_STATES = ['complete', 'resumed'] as const;

export function salesOrders(tx: ReplicaTx, window: UtcWindow) {
  return tx
    .selectFrom('spree_orders as o')
    .where('o.completed_at', '>=', window.fromUtc)
    .where('o.completed_at', '<', window.toUtc)
    .where('o.state', 'in', SALES_ORDER_STATES);
}

/** Segments of enterprises (OFN's `sells` and producer flag; see Enterprise#category). */
export type EnterpriseSegment = 'profiles' | 'shops' | 'hubs' | 'producers';
export const SHOP_SELLS = ['own', 'any'] as const;

function segmentFilter(segment: EnterpriseSegment) {
  return (eb: ExpressionBuilder<OfnDatabase & { e: OfnDatabase['enterprises'] }, 'e'>) => {
    switch (segment) {
      case 'profiles':
        return eb.lit(true);
      case 'shops':
        return eb('e.sells', 'in', SHOP_SELLS);
      case 'hubs':
        return eb('e.sells', '=', 'any');
      case 'producers':
        return eb('e.is_primary_producer', '=', true);
    }
  };
}

function enterprises(tx: ReplicaTx, segment: EnterpriseSegment) {
  return tx.selectFrom('enterprises as e').where(segmentFilter(segment));
}

/**
 * Local buckets (days, weeks, months in the instance's zone), given as their UTC start instants, which
 * the caller computes with the zone's DST rules. SQL only has to find a row's bucket by binary search
 * (width_bucket) instead of converting every timestamp to local time: at 1M orders that is most of
 * the query's cost.
 */
export interface Buckets {
  /** Local start date of each bucket, YYYY-MM-DD. */
  dates: readonly string[];
  /** UTC instant of each bucket start, as OFN stores timestamps, followed by the end of the last bucket. */
  utcBoundaries: readonly string[];
}

function bucketIndex(column: 'o.completed_at' | 'e.created_at', buckets: Buckets) {
  return sql<number>`width_bucket(${sql.ref(column)}, ${[...buckets.utcBoundaries]}::timestamp[])`;
}

function bucketDate(buckets: Buckets, index: number | string): string {
  return buckets.dates[Number(index) - 1] ?? buckets.dates.at(-1)!;
}

// The bucket expression carries parameters ($1, $2); repeating it in GROUP BY would give new
// placeholders that PostgreSQL can't match to the SELECT list, so group by position instead.
const FIRST_COLUMN = sql<string>`1`;

export interface Totals {
  turnover: string;
  orders: number;
}

/** Turnover (Σ total of sales orders) and the number of sales orders in the window. */
export async function turnoverTotals(tx: ReplicaTx, window: UtcWindow): Promise<Totals> {
  const row = await salesOrders(tx, window)
    .select((eb) => [sql<string>`coalesce(sum(o.total), 0)`.as('turnover'), eb.fn.countAll<number>().as('orders')])
    .executeTakeFirstOrThrow();
  return { turnover: String(row.turnover), orders: Number(row.orders) };
}

export async function turnoverByBucket(tx: ReplicaTx, window: UtcWindow, buckets: Buckets) {
  const rows = await salesOrders(tx, window)
    .select((eb) => [bucketIndex('o.completed_at', buckets).as('bucket'), sql<string>`sum(o.total)`.as('turnover'), eb.fn.countAll<number>().as('orders')])
    .groupBy(FIRST_COLUMN)
    .execute();
  return rows.map((r) => ({ bucket: bucketDate(buckets, r.bucket), turnover: String(r.turnover), orders: Number(r.orders) }));
}

export interface ShopTotals extends Totals {
  enterpriseId: number;
  name: string;
}

/** Turnover per shop (the order's distributor), largest first. */
export async function turnoverByShop(tx: ReplicaTx, window: UtcWindow, limit?: number): Promise<ShopTotals[]> {
  let query = salesOrders(tx, window)
    .innerJoin('enterprises as e', 'e.id', 'o.distributor_id')
    .select((eb) => ['e.id', 'e.name', sql<string>`sum(o.total)`.as('turnover'), eb.fn.countAll<number>().as('orders')])
    .groupBy(['e.id', 'e.name'])
    .orderBy(sql`sum(o.total)`, 'desc')
    .orderBy('e.id');
  if (limit !== undefined) query = query.limit(limit);
  const rows = await query.execute();
  return rows.map((r) => ({ enterpriseId: r.id, name: r.name, turnover: String(r.turnover), orders: Number(r.orders) }));
}

/** Enterprises of a segment, optionally only those created in a window (new profiles, new shops). */
export async function countEnterprises(tx: ReplicaTx, segment: EnterpriseSegment, created?: Partial<UtcWindow>): Promise<number> {
  let query = enterprises(tx, segment);
  if (created?.fromUtc) query = query.where('e.created_at', '>=', created.fromUtc);
  if (created?.toUtc) query = query.where('e.created_at', '<', created.toUtc);
  const row = await query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function countEnterprisesByBucket(tx: ReplicaTx, segment: EnterpriseSegment, window: UtcWindow, buckets: Buckets) {
  const rows = await enterprises(tx, segment)
    .where('e.created_at', '>=', window.fromUtc)
    .where('e.created_at', '<', window.toUtc)
    .select((eb) => [bucketIndex('e.created_at', buckets).as('bucket'), eb.fn.countAll<number>().as('count')])
    .groupBy(FIRST_COLUMN)
    .execute();
  return rows.map((r) => ({ bucket: bucketDate(buckets, r.bucket), count: Number(r.count) }));
}

/**
 * Active shops: distinct distributors of at least one sales order in the window. An enterprise that
 * distributed an order was a shop then, even if it has stopped selling since, so `sells` is not checked.
 */
export async function countActiveShops(tx: ReplicaTx, window: UtcWindow): Promise<number> {
  const row = await salesOrders(tx, window)
    .select(sql<number>`count(distinct o.distributor_id)`.as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function countActiveShopsByBucket(tx: ReplicaTx, window: UtcWindow, buckets: Buckets) {
  const rows = await salesOrders(tx, window)
    .select([bucketIndex('o.completed_at', buckets).as('bucket'), sql<number>`count(distinct o.distributor_id)`.as('count')])
    .groupBy(FIRST_COLUMN)
    .execute();
  return rows.map((r) => ({ bucket: bucketDate(buckets, r.bucket), count: Number(r.count) }));
}

export type SalesOrdersQuery = SelectQueryBuilder<OfnDatabase & { o: OfnDatabase['spree_orders'] }, 'o', object>;
