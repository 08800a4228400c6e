/**
 * The official definitions, in code. docs/definitions.md says the same in words; change both together.
 * Every question, pulse and billing run reads OFN data through these functions and no other way.
 */
import { sql, type Expression, type RawBuilder, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { OfnDatabase } from './ofn-tables.js';
import { sharingStatements, type ReplicaTx } from './replica.js';

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

/** Enterprises created in the window. */
function createdIn(tx: ReplicaTx, window: UtcWindow) {
  return tx.selectFrom('enterprises as e').where('e.created_at', '>=', window.fromUtc).where('e.created_at', '<', window.toUtc);
}

/** Money columns a metric may add up: OFN's gross total, goods only, or total without tax. */
export type MoneyColumn = 'total' | 'item_total' | 'ex_tax_total';
export const MONEY_COLUMNS: readonly MoneyColumn[] = ['total', 'item_total', 'ex_tax_total'];

const AMOUNT: Readonly<Record<MoneyColumn, RawBuilder<string>>> = {
  total: sql<string>`o.total`,
  item_total: sql<string>`o.item_total`,
  ex_tax_total: sql<string>`(o.total - o.included_tax_total - o.additional_tax_total)`,
};

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

/** Turnover (Σ total of sales orders) and the number of sales orders in the window (in a shared scope, from the ranking's statement). */
export async function turnoverTotals(tx: ReplicaTx, window: UtcWindow, scope: SalesScope = {}): Promise<Totals> {
  if (sharingStatements()) return windowTotals(await salesByDistributor(tx, window, undefined, scope));
  const row = await salesOrders(tx, window, scope.distributors)
    .select((eb) => [sql<string>`coalesce(sum(${AMOUNT[scope.column ?? 'total']}), 0)`.as('turnover'), eb.fn.countAll<number>().as('orders')])
    .executeTakeFirstOrThrow();
  return { turnover: String(row.turnover), orders: Number(row.orders) };
}

export async function turnoverByBucket(tx: ReplicaTx, window: UtcWindow, buckets: Buckets, scope: SalesScope = {}) {
  const rows = await salesOrders(tx, window, scope.distributors)
    .select((eb) => [bucketIndex('o.completed_at', buckets).as('bucket'), sql<string>`sum(${AMOUNT[scope.column ?? 'total']})`.as('turnover'), eb.fn.countAll<number>().as('orders')])
    .groupBy(FIRST_COLUMN)
    .execute();
  return rows.map((r) => ({ bucket: bucketDate(buckets, r.bucket), turnover: String(r.turnover), orders: Number(r.orders) }));
}

export interface ShopTotals extends Totals {
  enterpriseId: number;
  name: string;
}

/**
 * Sales orders of the window per distributor, largest turnover first (orders without a distributor last),
 * each with its shop's name and, on every row, the window's totals over all of them (taken before the
 * limit). Inside `shareStatements` (a dashboard, the Home tab) it is read without a limit, so that the
 * window's totals, its ranking by shop and its count of active shops are one statement, sent once.
 */
async function salesByDistributor(tx: ReplicaTx, window: UtcWindow, limit: number | undefined, scope: SalesScope) {
  const perDistributor = salesOrders(tx, window, scope.distributors)
    .select((eb) => ['o.distributor_id', sql<string>`sum(${AMOUNT[scope.column ?? 'total']})`.as('turnover'), eb.fn.countAll<number>().as('orders')])
    .groupBy('o.distributor_id')
    .as('p');
  let query = tx
    .selectFrom(perDistributor)
    .leftJoin('enterprises as e', 'e.id', 'p.distributor_id')
    .select(['p.distributor_id', 'e.id', 'e.name', 'p.turnover', 'p.orders', sql<string>`sum(p.turnover) over ()`.as('all_turnover'), sql<string>`sum(p.orders) over ()`.as('all_orders')])
    // Orders without a distributor have no row of their own (they count in the totals): last, so the limit keeps shops.
    .orderBy(sql`e.id is null`)
    .orderBy('p.turnover', 'desc')
    .orderBy('e.id');
  if (limit !== undefined && !sharingStatements()) query = query.limit(limit);
  return query.execute();
}

/** The window's totals, which every row of `salesByDistributor` carries; none when no order was sold. */
function windowTotals(rows: readonly { all_turnover: string; all_orders: string }[]): Totals {
  const first = rows[0];
  return first ? { turnover: String(first.all_turnover), orders: Number(first.all_orders) } : { turnover: '0', orders: 0 };
}

/**
 * Turnover per shop (the order's distributor), largest first, at most `limit` shops; and `all`, the
 * window's totals over every sales order (what `turnoverTotals` reads, orders without a distributor
 * included), from the same statement: orders are added up per distributor once, the shops' names joined
 * to those sums, and the window sums taken over all of them before the limit.
 */
export async function turnoverByShop(tx: ReplicaTx, window: UtcWindow, limit?: number, scope: SalesScope = {}): Promise<{ rows: ShopTotals[]; all: Totals }> {
  const rows = await salesByDistributor(tx, window, limit, scope);
  const all = windowTotals(rows);
  const shops = rows.filter((r) => r.id !== null).slice(0, limit);
  return { rows: shops.map((r) => ({ enterpriseId: r.id!, name: r.name!, turnover: String(r.turnover), orders: Number(r.orders) })), all };
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
  if (sharingStatements()) return (await salesByDistributor(tx, window, undefined, scope.distributors ? { distributors: scope.distributors } : {})).filter((r) => r.distributor_id !== null).length;
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
  const newest = base.orderBy('e.created_at', 'desc').orderBy('e.id', 'desc').limit(limit);
  const columns = ['e.id', 'e.name', 'e.sells', 'e.is_primary_producer', 'e.created_at'] as const;
  const rows = withAddresses
    ? await newest
        .leftJoin('spree_addresses as a', 'a.id', 'e.address_id')
        .leftJoin('spree_countries as c', 'c.id', 'a.country_id')
        .select([...columns, 'a.city', 'c.name as country'])
        .execute()
    : (await newest.select(columns).execute()).map((r) => ({ ...r, city: null, country: null }));
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

// ---------------------------------------------------------------------------------------------------
// The growth story (issue 16): growth, funnel, retention, buyers, the yearly report and maps.
// docs/definitions.md "The growth story" says the same in words. These statements are built with
// Kysely's builder on loosely typed tables (CTEs and FILTER aggregates), so that a replica's schema
// (`withSchema`) applies to every table they read; the column guard (test/registry.test.ts) checks them.
// ---------------------------------------------------------------------------------------------------

/** The five monthly figures of `growth`, for one window or bucket. Turnover is exact decimal text. */
export interface GrowthFigures {
  newProfiles: number;
  newShops: number;
  activeShops: number;
  orders: number;
  turnover: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LooseDb = Kysely<any>;
const loose = (tx: ReplicaTx) => tx as unknown as LooseDb;
const SHOPS = sql.join(SHOP_SELLS.map((s) => sql.lit(s)));

/**
 * The growth figures per bucket (local months, given as UTC instants as for every breakdown): two
 * statements, one over enterprises (new profiles, new shops by today's `sells`) and one over sales
 * orders (orders, turnover, active shops = distinct distributors).
 */
export async function growthByBucket(tx: ReplicaTx, buckets: Buckets): Promise<Map<string, GrowthFigures>> {
  const bounds = [...buckets.utcBoundaries];
  const window = { fromUtc: bounds[0]!, toUtc: bounds.at(-1)! };
  const [enterprises, orders] = await Promise.all([
    createdIn(tx, window)
      .select([sql<number>`width_bucket(e.created_at, ${bounds}::timestamp[])`.as('bucket'), sql<number>`count(*)`.as('profiles'), sql<number>`count(*) filter (where e.sells in (${SHOPS}))`.as('shops')])
      .groupBy(FIRST_COLUMN)
      .execute(),
    salesOrders(tx, window)
      .select([
        sql<number>`width_bucket(o.completed_at, ${bounds}::timestamp[])`.as('bucket'),
        sql<number>`count(*)`.as('orders'),
        sql<string>`sum(o.total)`.as('turnover'),
        sql<number>`count(distinct o.distributor_id)`.as('active'),
      ])
      .groupBy(FIRST_COLUMN)
      .execute(),
  ]);
  const result = new Map<string, GrowthFigures>(buckets.dates.map((d) => [d, { newProfiles: 0, newShops: 0, activeShops: 0, orders: 0, turnover: '0' }]));
  for (const r of enterprises) {
    const f = result.get(bucketDate(buckets, r.bucket))!;
    f.newProfiles = Number(r.profiles);
    f.newShops = Number(r.shops);
  }
  for (const r of orders) {
    const f = result.get(bucketDate(buckets, r.bucket))!;
    f.orders = Number(r.orders);
    f.turnover = String(r.turnover);
    f.activeShops = Number(r.active);
  }
  return result;
}

/**
 * The growth figures of arbitrary windows (a whole period, the one before, the same a year before, a
 * month to date) in two statements: one FILTER per window, over the rows between the earliest start
 * and the latest end. Active shops are distinct over each window, not a sum of months.
 */
export async function growthInWindows(tx: ReplicaTx, windows: readonly UtcWindow[]): Promise<GrowthFigures[]> {
  if (windows.length === 0) return [];
  const span = { fromUtc: windows.map((w) => w.fromUtc).sort()[0]!, toUtc: windows.map((w) => w.toUtc).sort().at(-1)! };
  const created = (w: UtcWindow) => sql`e.created_at >= ${w.fromUtc} and e.created_at < ${w.toUtc}`;
  const completed = (w: UtcWindow) => sql`o.completed_at >= ${w.fromUtc} and o.completed_at < ${w.toUtc}`;
  const [e, o] = await Promise.all([
    createdIn(tx, span)
      .select(windows.flatMap((w, i) => [sql<number>`count(*) filter (where ${created(w)})`.as(`p${i}`), sql<number>`count(*) filter (where ${created(w)} and e.sells in (${SHOPS}))`.as(`s${i}`)]))
      .executeTakeFirstOrThrow(),
    salesOrders(tx, span)
      .select(
        windows.flatMap((w, i) => [
          sql<number>`count(*) filter (where ${completed(w)})`.as(`o${i}`),
          sql<string>`coalesce(sum(o.total) filter (where ${completed(w)}), 0)`.as(`t${i}`),
          sql<number>`count(distinct o.distributor_id) filter (where ${completed(w)})`.as(`a${i}`),
        ]),
      )
      .executeTakeFirstOrThrow(),
  ]);
  return windows.map((_, i) => ({
    newProfiles: Number(e[`p${i}`]),
    newShops: Number(e[`s${i}`]),
    activeShops: Number(o[`a${i}`]),
    orders: Number(o[`o${i}`]),
    turnover: String(o[`t${i}`]),
  }));
}

/** A UTC timestamp column as local wall-clock time in `timezone`, DST included (PostgreSQL's zone rules). */
function local(column: string, timezone: string) {
  return sql`((${sql.ref(column)} at time zone 'UTC') at time zone ${timezone})`;
}

/** The funnel of the enterprises created in a window; see docs/definitions.md "Funnel". */
export interface FunnelCounts {
  created: number;
  shop: number;
  firstSale: number;
  threeMonths: number;
  /** Whole local days from creation to the first sales order (0 when it predates creation), one per enterprise that sold (for medians across instances). */
  daysToFirstSale: number[];
}

/**
 * Enterprises created in the window, and of them: shops (sells own/any today, or distributor of a sales
 * order ever: it was a shop then), those with a sales order ever, those with sales orders in three or
 * more distinct local months. "Ever" is up to the replica's now.
 */
export async function funnelCounts(tx: ReplicaTx, window: UtcWindow, timezone: string): Promise<FunnelCounts> {
  const r = await loose(tx)
    .with('created', () => createdIn(tx, window).select(['e.id', 'e.sells', 'e.created_at']))
    .with('sales', (db) =>
      db
        .selectFrom('spree_orders as o')
        .select([sql`o.distributor_id`.as('id'), sql`min(o.completed_at)`.as('first_sale'), sql`count(distinct date_trunc('month', ${local('o.completed_at', timezone)}))`.as('months')])
        .where('o.distributor_id', 'in', (sub: ExpressionBuilder<any, any>) => sub.selectFrom('created').select('id'))
        .where('o.completed_at', 'is not', null)
        .where('o.state', 'in', SALES_ORDER_STATES)
        .groupBy('o.distributor_id'),
    )
    .selectFrom('created as c')
    .leftJoin('sales as s', 's.id', 'c.id')
    .select([
      sql<number>`count(*)`.as('created'),
      sql<number>`count(*) filter (where c.sells in (${SHOPS}) or s.id is not null)`.as('shop'),
      sql<number>`count(s.id)`.as('first_sale'),
      sql<number>`count(*) filter (where s.months >= 3)`.as('three_months'),
      // A first sale dated before the enterprise's creation (imported or migrated data) counts as 0 days, never negative.
      sql<number[] | null>`array_agg(greatest(0, ${local('s.first_sale', timezone)}::date - ${local('c.created_at', timezone)}::date)) filter (where s.id is not null)`.as('days'),
    ])
    .executeTakeFirstOrThrow();
  return { created: Number(r.created), shop: Number(r.shop), firstSale: Number(r.first_sale), threeMonths: Number(r.three_months), daysToFirstSale: ((r.days as number[] | null) ?? []).map(Number) };
}

/** One cohort of `retention`: shops whose first sales order was in this local month. */
export interface CohortCounts {
  /** YYYY-MM, local to the instance. */
  month: string;
  size: number;
  /** active[k]: shops of the cohort with a sales order in the k-th local month after it (0 = the cohort's month). */
  active: number[];
}

/**
 * Shops grouped by the local month of their first sales order ever (when it falls in the window), and
 * for each of the following `months` local months how many of them distributed a sales order in it.
 */
export async function retentionCohorts(tx: ReplicaTx, window: UtcWindow, timezone: string, months = 12): Promise<CohortCounts[]> {
  const rows = await loose(tx)
    .with('cohorts', (db) =>
      db
        .selectFrom('spree_orders as o')
        .select([sql`o.distributor_id`.as('id'), sql`date_trunc('month', (min(o.completed_at) at time zone 'UTC') at time zone ${timezone})`.as('cohort')])
        .where('o.completed_at', 'is not', null)
        .where('o.state', 'in', SALES_ORDER_STATES)
        .groupBy('o.distributor_id')
        .having(sql`min(o.completed_at)`, '>=', window.fromUtc)
        .having(sql`min(o.completed_at)`, '<', window.toUtc),
    )
    .with('activity', (db) =>
      db
        .selectFrom('spree_orders as o')
        .innerJoin('cohorts as c', 'c.id', 'o.distributor_id')
        .select(['c.id', 'c.cohort', sql`date_trunc('month', ${local('o.completed_at', timezone)})`.as('month')])
        .distinct()
        .where('o.completed_at', '>=', window.fromUtc)
        .where('o.state', 'in', SALES_ORDER_STATES),
    )
    .selectFrom('cohorts')
    .select([sql<string>`to_char(cohort, 'YYYY-MM')`.as('cohort'), sql<number>`-1`.as('k'), sql<number>`count(*)`.as('shops')])
    .groupBy('cohort')
    .unionAll((db) =>
      db
        .selectFrom('activity')
        .select([
          sql<string>`to_char(cohort, 'YYYY-MM')`.as('cohort'),
          sql<number>`((extract(year from month) - extract(year from cohort)) * 12 + extract(month from month) - extract(month from cohort))::int`.as('k'),
          sql<number>`count(*)`.as('shops'),
        ])
        .groupBy(['cohort', sql`2`]),
    )
    .execute();
  const cohorts = new Map<string, CohortCounts>();
  for (const r of [...rows].sort((a, b) => String(a.cohort).localeCompare(String(b.cohort)))) {
    const cohort = cohorts.get(r.cohort) ?? { month: r.cohort, size: 0, active: new Array<number>(months).fill(0) };
    cohorts.set(r.cohort, cohort);
    const k = Number(r.k);
    if (k < 0) cohort.size = Number(r.shops);
    else if (k < months) cohort.active[k] = Number(r.shops);
  }
  return [...cohorts.values()];
}

/**
 * Buyers in a window: who placed sales orders, never named. A buyer is the order's user (`user_id`,
 * one person across every shop of the instance) and, for a guest order without a user, the shop's
 * customer record (`customer_id`, one per shop, so a guest at two shops counts twice). Orders with
 * neither are counted apart. Only ids are read, from spree_orders itself: the answer is the same on a
 * replica without customers or spree_users.
 */
export interface BuyerCounts {
  buyers: number;
  /** Buyers with two or more sales orders in the window. */
  repeatBuyers: number;
  /** Sales orders with neither a user nor a customer record. */
  ordersWithoutBuyer: number;
}

export async function buyerCounts(tx: ReplicaTx, window: UtcWindow): Promise<BuyerCounts> {
  const r = await loose(tx)
    .with('per_buyer', () =>
      salesOrders(tx, window)
        .select([sql`case when o.user_id is not null then 'u' || o.user_id when o.customer_id is not null then 'c' || o.customer_id end`.as('buyer'), sql`count(*)`.as('n')])
        .groupBy(FIRST_COLUMN),
    )
    .selectFrom('per_buyer')
    .select([
      sql<number>`count(*) filter (where buyer is not null)`.as('buyers'),
      sql<number>`count(*) filter (where buyer is not null and n >= 2)`.as('repeaters'),
      sql<number>`coalesce(sum(n) filter (where buyer is null), 0)`.as('anonymous'),
    ])
    .executeTakeFirstOrThrow();
  return { buyers: Number(r.buyers), repeatBuyers: Number(r.repeaters), ordersWithoutBuyer: Number(r.anonymous) };
}

/** The enterprise counts of the yearly report: what existed at the window's end, by today's type. */
export interface EnterpriseCounts {
  shops: number;
  producers: number;
  hubs: number;
}

export async function enterpriseCountsAt(tx: ReplicaTx, toUtc: string): Promise<EnterpriseCounts> {
  const r = await loose(tx)
    .selectFrom('enterprises as e')
    .select([
      sql<number>`count(*) filter (where e.sells in (${SHOPS}))`.as('shops'),
      sql<number>`count(*) filter (where e.is_primary_producer = true)`.as('producers'),
      sql<number>`count(*) filter (where e.sells = 'any')`.as('hubs'),
    ])
    .where('e.created_at', '<', toUtc)
    .executeTakeFirstOrThrow();
  return { shops: Number(r.shops), producers: Number(r.producers), hubs: Number(r.hubs) };
}

export type MapLayer = 'shops' | 'producers' | 'hubs';

/** One point of a map: a public enterprise at its own address, rounded to about 1 km. */
export interface MapPoint {
  latitude: number;
  longitude: number;
}

/** The precision of a map point: two decimals of a degree, about 1.1 km north–south. */
export const MAP_DECIMALS = 2;

/**
 * The points of a map: enterprises of the layer that OFN lists publicly (`visible` public), at their
 * own address's coordinates rounded in SQL (the exact ones never leave the replica), one per
 * enterprise; those without coordinates are only counted. Never a person's address: only the
 * enterprise's `address_id`.
 */
export async function mapPoints(tx: ReplicaTx, layer: MapLayer): Promise<{ points: MapPoint[]; withoutCoordinates: number }> {
  const condition = layer === 'shops' ? sql<boolean>`e.sells in (${SHOPS})` : layer === 'hubs' ? sql<boolean>`e.sells = 'any'` : sql<boolean>`e.is_primary_producer = true`;
  const rows = await loose(tx)
    .selectFrom('enterprises as e')
    .leftJoin('spree_addresses as a', 'a.id', 'e.address_id')
    .select([sql<string | null>`round(a.latitude::numeric, ${sql.lit(MAP_DECIMALS)})`.as('lat'), sql<string | null>`round(a.longitude::numeric, ${sql.lit(MAP_DECIMALS)})`.as('lon')])
    .where(condition)
    .where(visibility, '=', 'public')
    .execute();
  const points: MapPoint[] = [];
  let withoutCoordinates = 0;
  for (const r of rows) {
    const latitude = r.lat === null ? NaN : Number(r.lat);
    const longitude = r.lon === null ? NaN : Number(r.lon);
    // (0, 0) is a geocoder's "not found", in the Gulf of Guinea.
    if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180 || (latitude === 0 && longitude === 0)) withoutCoordinates++;
    else points.push({ latitude, longitude });
  }
  return { points, withoutCoordinates };
}
