/**
 * The official definitions, in code. docs/definitions.md says the same in words; change both together.
 * Every question, pulse and billing run reads OFN data through these functions and no other way.
 */
import { sql, type Expression, type ExpressionBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
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

export function salesOrders(tx: ReplicaTx, window: UtcWindow, distributors?: readonly EnterpriseFilter[]) {
  const query = tx
    .selectFrom('spree_orders as o')
    .where('o.completed_at', '>=', window.fromUtc)
    .where('o.completed_at', '<', window.toUtc)
    .where('o.state', 'in', SALES_ORDER_STATES);
  if (!distributors) return query;
  // `… for hubs`: only orders whose distributor is in the segment.
  return query.where('o.distributor_id', 'in', (eb) => eb.selectFrom('enterprises as e').select('e.id').where((w) => segmentCondition(w, distributors, window)));
}

/** Money columns a metric may add up: OFN's gross total, goods only, or total without tax. */
export type MoneyColumn = 'total' | 'item_total' | 'ex_tax_total';
export const MONEY_COLUMNS: readonly MoneyColumn[] = ['total', 'item_total', 'ex_tax_total'];

function amount(column: MoneyColumn) {
  switch (column) {
    case 'total':
      return sql<string>`o.total`;
    case 'item_total':
      return sql<string>`o.item_total`;
    case 'ex_tax_total':
      return sql<string>`(o.total - o.included_tax_total - o.additional_tax_total)`;
  }
}

export const SHOP_SELLS = ['own', 'any'] as const;

/** Enterprises of a segment (a list of filters from the registry, src/queries/registry.ts). */
function enterprises(tx: ReplicaTx, segment: readonly EnterpriseFilter[], window?: UtcWindow) {
  return tx.selectFrom('enterprises as e').where((eb) => segmentCondition(eb, segment, window));
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

/** What a money query adds up, and over which orders. Defaults: Σ total of every sales order. */
export interface SalesScope {
  column?: MoneyColumn;
  distributors?: readonly EnterpriseFilter[];
}

/** Turnover (Σ total of sales orders) and the number of sales orders in the window. */
export async function turnoverTotals(tx: ReplicaTx, window: UtcWindow, scope: SalesScope = {}): Promise<Totals> {
  const row = await salesOrders(tx, window, scope.distributors)
    .select((eb) => [sql<string>`coalesce(sum(${amount(scope.column ?? 'total')}), 0)`.as('turnover'), eb.fn.countAll<number>().as('orders')])
    .executeTakeFirstOrThrow();
  return { turnover: String(row.turnover), orders: Number(row.orders) };
}

export async function turnoverByBucket(tx: ReplicaTx, window: UtcWindow, buckets: Buckets, scope: SalesScope = {}) {
  const rows = await salesOrders(tx, window, scope.distributors)
    .select((eb) => [bucketIndex('o.completed_at', buckets).as('bucket'), sql<string>`sum(${amount(scope.column ?? 'total')})`.as('turnover'), eb.fn.countAll<number>().as('orders')])
    .groupBy(FIRST_COLUMN)
    .execute();
  return rows.map((r) => ({ bucket: bucketDate(buckets, r.bucket), turnover: String(r.turnover), orders: Number(r.orders) }));
}

export interface ShopTotals extends Totals {
  enterpriseId: number;
  name: string;
}

/** Turnover per shop (the order's distributor), largest first. */
export async function turnoverByShop(tx: ReplicaTx, window: UtcWindow, limit?: number, scope: SalesScope = {}): Promise<ShopTotals[]> {
  const sum = sql<string>`sum(${amount(scope.column ?? 'total')})`;
  let query = salesOrders(tx, window, scope.distributors)
    .innerJoin('enterprises as e', 'e.id', 'o.distributor_id')
    .select((eb) => ['e.id', 'e.name', sum.as('turnover'), eb.fn.countAll<number>().as('orders')])
    .groupBy(['e.id', 'e.name'])
    .orderBy(sum, 'desc')
    .orderBy('e.id');
  if (limit !== undefined) query = query.limit(limit);
  const rows = await query.execute();
  return rows.map((r) => ({ enterpriseId: r.id, name: r.name, turnover: String(r.turnover), orders: Number(r.orders) }));
}

/** Enterprises of a segment, optionally only those created in a window (new profiles, new shops). */
export async function countEnterprises(tx: ReplicaTx, segment: readonly EnterpriseFilter[], created?: Partial<UtcWindow>, window?: UtcWindow): Promise<number> {
  let query = enterprises(tx, segment, window);
  if (created?.fromUtc) query = query.where('e.created_at', '>=', created.fromUtc);
  if (created?.toUtc) query = query.where('e.created_at', '<', created.toUtc);
  const row = await query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function countEnterprisesByBucket(tx: ReplicaTx, segment: readonly EnterpriseFilter[], window: UtcWindow, buckets: Buckets) {
  const rows = await enterprises(tx, segment, window)
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
export async function countActiveShops(tx: ReplicaTx, window: UtcWindow, scope: SalesScope = {}): Promise<number> {
  const row = await salesOrders(tx, window, scope.distributors)
    .select(sql<number>`count(distinct o.distributor_id)`.as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function countActiveShopsByBucket(tx: ReplicaTx, window: UtcWindow, buckets: Buckets, scope: SalesScope = {}) {
  const rows = await salesOrders(tx, window, scope.distributors)
    .select([bucketIndex('o.completed_at', buckets).as('bucket'), sql<number>`count(distinct o.distributor_id)`.as('count')])
    .groupBy(FIRST_COLUMN)
    .execute();
  return rows.map((r) => ({ bucket: bucketDate(buckets, r.bucket), count: Number(r.count) }));
}

export type SalesOrdersQuery = SelectQueryBuilder<OfnDatabase & { o: OfnDatabase['spree_orders'] }, 'o', object>;

export interface EnterpriseListing {
  enterpriseId: number;
  name: string;
  sells: string;
  isPrimaryProducer: boolean | null;
  createdAt: string;
  town: string | null;
  country: string | null;
}

/** A segment's enterprises, newest first: names, types, towns, creation dates; never people. */
export async function listEnterprises(tx: ReplicaTx, segment: readonly EnterpriseFilter[], limit: number, window?: UtcWindow, withAddresses = true, created?: Partial<UtcWindow>): Promise<{ rows: EnterpriseListing[]; total: number }> {
  let base = enterprises(tx, segment, window);
  // `list shops katuma 2025`: what existed at the end of 2025, as `count` counts it.
  if (created?.toUtc) base = base.where('e.created_at', '<', created.toUtc);
  const counted = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = withAddresses
    ? await base
        .leftJoin('spree_addresses as a', 'a.id', 'e.address_id')
        .leftJoin('spree_countries as c', 'c.id', 'a.country_id')
        .select(['e.id', 'e.name', 'e.sells', 'e.is_primary_producer', 'e.created_at', 'a.city', 'c.name as country'])
        .orderBy('e.created_at', 'desc')
        .orderBy('e.id', 'desc')
        .limit(limit)
        .execute()
    : (
        await base.select(['e.id', 'e.name', 'e.sells', 'e.is_primary_producer', 'e.created_at']).orderBy('e.created_at', 'desc').orderBy('e.id', 'desc').limit(limit).execute()
      ).map((r) => ({ ...r, city: null, country: null }));
  return {
    total: Number(counted.n),
    rows: rows.map((r) => ({ enterpriseId: r.id, name: r.name, sells: r.sells, isPrimaryProducer: r.is_primary_producer, createdAt: r.created_at, town: r.city, country: r.country })),
  };
}

/**
 * The closed vocabulary segments are made of: filters on non-personal enterprise columns only. Config
 * can combine them but never write SQL; each becomes a parameterised condition on `enterprises as e`.
 */
export type EnterpriseFilter =
  | { kind: 'sells'; values: readonly string[] }
  | { kind: 'producer'; value: boolean }
  | { kind: 'visible'; values: readonly string[] }
  /** ISO country codes of the enterprise's address (needs spree_addresses on the replica). */
  | { kind: 'country'; iso: readonly string[] }
  /** Member of the enterprise group with this name. */
  | { kind: 'inGroup'; name: string }
  /** Distributor of at least one sales order in the period. */
  | { kind: 'active' }
  /** Created in the period. */
  | { kind: 'createdIn' };

type EnterpriseScope = ExpressionBuilder<OfnDatabase & { e: OfnDatabase['enterprises'] }, 'e'>;

/**
 * `enterprises.visible` as today's values on every release: a string (public, only_through_links,
 * hidden) since migration 20220410162955 (v4.1.27, April 2022), a boolean before, which that migration
 * turned into only_through_links (false) and public (the rest). Read as text, the one expression works
 * on both column types, so no question depends on a probe being fresh. A NULL boolean matches nothing:
 * those releases did not list it either (`scope :visible, where(visible: true)`).
 */
const visibility = sql<string>`(case e.visible::text when 'true' then 'public' when 'false' then 'only_through_links' else e.visible::text end)`;

export function needsPeriod(filters: readonly EnterpriseFilter[]): boolean {
  return filters.some((f) => f.kind === 'active' || f.kind === 'createdIn');
}

export function needsAddresses(filters: readonly EnterpriseFilter[]): boolean {
  return filters.some((f) => f.kind === 'country');
}

/** The condition a segment puts on `enterprises as e`. `window` is required by active/createdIn. */
export function segmentCondition(eb: EnterpriseScope, filters: readonly EnterpriseFilter[], window?: UtcWindow): Expression<SqlBool> {
  const parts: Expression<SqlBool>[] = filters.map((filter) => {
    switch (filter.kind) {
      case 'sells':
        return eb('e.sells', 'in', filter.values);
      case 'producer':
        return eb('e.is_primary_producer', '=', filter.value);
      case 'visible':
        return eb(visibility, 'in', filter.values);
      case 'country':
        return eb.exists(
          eb
            .selectFrom('spree_addresses as a')
            .innerJoin('spree_countries as c', 'c.id', 'a.country_id')
            .select(sql.lit(1).as('one'))
            .whereRef('a.id', '=', 'e.address_id')
            .where('c.iso', 'in', filter.iso),
        );
      case 'inGroup':
        return eb.exists(
          eb
            .selectFrom('enterprise_groups_enterprises as ge')
            .innerJoin('enterprise_groups as g', 'g.id', 'ge.enterprise_group_id')
            .select(sql.lit(1).as('one'))
            .whereRef('ge.enterprise_id', '=', 'e.id')
            .where('g.name', '=', filter.name),
        );
      case 'active':
        return eb.exists(
          eb
            .selectFrom('spree_orders as so')
            .select(sql.lit(1).as('one'))
            .whereRef('so.distributor_id', '=', 'e.id')
            .where('so.completed_at', '>=', window!.fromUtc)
            .where('so.completed_at', '<', window!.toUtc)
            .where('so.state', 'in', SALES_ORDER_STATES),
        );
      case 'createdIn':
        return eb.and([eb('e.created_at', '>=', window!.fromUtc), eb('e.created_at', '<', window!.toUtc)]);
    }
  });
  return parts.length === 0 ? eb.lit(true) : eb.and(parts);
}
