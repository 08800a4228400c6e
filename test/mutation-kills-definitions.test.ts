/**
 * The official definitions (src/queries/definitions.ts) called directly on a real PostgreSQL, with rows
 * placed exactly on the edges of the half-open window [from, to): a local midnight in Madrid, and one
 * millisecond either side of it. Amounts are powers of two, so every wrong subset of orders gives a
 * different sum. Written for `npm run mutate` (issue 19); the flips of `>=`/`<` in the Kysely calls,
 * which Stryker cannot generate, were checked by hand (docs/testing.md).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import {
  needsAddresses,
  needsPeriod,
  countActiveShops,
  countActiveShopsByBucket,
  countEnterprises,
  countEnterprisesByBucket,
  funnelCounts,
  listEnterprises,
  MONEY_COLUMNS,
  SALES_ORDER_STATES,
  SHOP_SELLS,
  turnoverByBucket,
  turnoverByShop,
  turnoverTotals,
  type UtcWindow,
} from '../src/queries/definitions.js';
import type { EnterpriseFilter, SalesScope } from '../src/queries/definitions.js';
import { Replica, shareStatements, type ReplicaTx } from '../src/queries/replica.js';
import { bucketsOf, parsePeriod, resolvePeriod, toUtcTimestamp } from '../src/core/periods.js';
import { createTestDatabase, OfnFixture, type TestDatabase } from './support/database.js';
import { testConfig } from './support/deps.js';

const TZ = 'Europe/Madrid';
// October 2026 in Madrid: [2026-09-30 22:00 UTC, 2026-10-31 23:00 UTC), summer time at the start, winter at the end.
// Resolved inside the tests, never at load time: Stryker would count every period mutant on that path as static.
const october = () => resolvePeriod(parsePeriod('2026-10'), TZ, new Date('2026-11-15T12:00:00Z'));
const WINDOW: UtcWindow = { fromUtc: '2026-09-30 22:00:00.000', toUtc: '2026-10-31 23:00:00.000' };
const FROM = '2026-09-30 22:00:00';
const TO = '2026-10-31 23:00:00';
const JUST_BEFORE_FROM = '2026-09-30 21:59:59.999';
const JUST_BEFORE_TO = '2026-10-31 22:59:59.999';

const shops: readonly EnterpriseFilter[] = [{ kind: 'sells', values: SHOP_SELLS }];
const ownShops: readonly EnterpriseFilter[] = [{ kind: 'sells', values: ['own'] }];

let db: TestDatabase;
let replica: Replica;
const ids: Record<string, number> = {};

const read = <T>(work: (tx: ReplicaTx) => Promise<T>) => replica.read(work);

beforeAll(async () => {
  db = await createTestDatabase('defs');
  const f = new OfnFixture(db.client);
  const spain = await f.country('ES', 'Spain');
  const girona = await f.address(spain, { city: 'Girona' });
  ids.A = await f.enterprise({ name: 'Mercat Verd', sells: 'any', address_id: girona });
  const france = await f.country('FR', 'France');
  const lyon = await f.address(france, { city: 'Lyon' });
  ids.B = await f.enterprise({ name: 'Horta Nord', sells: 'own', is_primary_producer: true, address_id: lyon, visible: 'hidden' });
  ids.C = await f.enterprise({ name: 'Rebost', sells: 'any' });
  // Created on the edges of the window (profiles: they sell nothing).
  ids.atFrom = await f.enterprise({ name: 'At From', sells: 'none', created_at: FROM });
  ids.beforeFrom = await f.enterprise({ name: 'Before From', sells: 'none', created_at: JUST_BEFORE_FROM });
  ids.atTo = await f.enterprise({ name: 'At To', sells: 'none', created_at: TO });
  ids.beforeTo = await f.enterprise({ name: 'Before To', sells: 'unspecified', created_at: JUST_BEFORE_TO });

  const order = (id: number, completedAt: string, total: string, state = 'complete', itemTotal?: string) =>
    f.order(id, { total, state, completed_at: completedAt, created_at: '2026-09-01 10:00:00', ...(itemTotal ? { item_total: itemTotal } : {}) });
  // A: in = 1 + 8 + 32 = 41.00 over 3 orders.
  await order(ids.A, FROM, '1.00'); // local midnight of 1 Oct: in
  await order(ids.A, JUST_BEFORE_FROM, '2.00'); // 30 Sep 23:59:59.999: out
  await order(ids.A, TO, '4.00'); // local midnight of 1 Nov: out
  await order(ids.A, JUST_BEFORE_TO, '8.00'); // 31 Oct 23:59:59.999: in
  await order(ids.A, '2026-10-10 10:00:00', '16.00', 'canceled'); // completed_at kept: out
  await order(ids.A, '2026-10-11 10:00:00', '32.00', 'resumed'); // in
  // B: 64.00, one order; returned and awaiting_return are out.
  await order(ids.B, '2026-10-12 10:00:00', '64.00', 'complete', '60.00');
  await order(ids.B, '2026-10-13 10:00:00', '128.00', 'returned');
  await order(ids.B, '2026-10-14 10:00:00', '256.00', 'awaiting_return');
  // C: 41.00, one order (ties with A; A has the smaller id).
  await order(ids.C, '2026-10-20 10:00:00', '41.00');
  await f.group('Coop Girona', [ids.A, ids.B]);
  await f.group('Rebost Group', [ids.C]);
  // Taxes on B's order: ex-tax total = 64.00 - 3.00 - 1.00.
  await db.client.query(`update spree_orders set included_tax_total = 3, additional_tax_total = 1 where total = 64`);

  const config = testConfig([{ id: 'katuma', url: db.url, timezone: TZ }]);
  replica = Replica.connect(config.instances.get('katuma')!);
});

afterAll(async () => {
  await replica?.close();
  await db?.drop();
});

describe('sales orders in the half-open window', () => {
  it('counts an order at the opening local midnight and one a millisecond before the closing one, not the edges outside', async () => {
    expect(WINDOW).toEqual({ fromUtc: toUtcTimestamp(october().from), toUtc: toUtcTimestamp(october().to) });
    expect(await read((tx) => turnoverTotals(tx, WINDOW))).toEqual({ turnover: '146.00', orders: 5 });
  });

  it('gives the orders on the edges to the neighbouring months', async () => {
    const september = { fromUtc: '2026-08-31 22:00:00', toUtc: FROM };
    const november = { fromUtc: TO, toUtc: '2026-11-30 23:00:00' };
    expect(await read((tx) => turnoverTotals(tx, september))).toEqual({ turnover: '2.00', orders: 1 });
    expect(await read((tx) => turnoverTotals(tx, november))).toEqual({ turnover: '4.00', orders: 1 });
  });

  it('counts only complete and resumed orders (the documented sales-order states)', async () => {
    expect(SALES_ORDER_STATES).toEqual(['complete', 'resumed']);
    const resumedOnly = { fromUtc: '2026-10-11 00:00:00', toUtc: '2026-10-12 00:00:00' };
    expect(await read((tx) => turnoverTotals(tx, resumedOnly))).toEqual({ turnover: '32.00', orders: 1 });
  });

  it('gives 0 and no orders for an empty window, not null', async () => {
    expect(await read((tx) => turnoverTotals(tx, { fromUtc: '2020-01-01 00:00:00', toUtc: '2020-02-01 00:00:00' }))).toEqual({ turnover: '0', orders: 0 });
  });

  it('adds up each money column a metric may use', async () => {
    const byColumn = Object.fromEntries(await Promise.all(MONEY_COLUMNS.map(async (column) => [column, (await read((tx) => turnoverTotals(tx, WINDOW, { column }))).turnover])));
    expect(byColumn).toEqual({ total: '146.00', item_total: '142.00', ex_tax_total: '142.00' });
    const bOnly = { fromUtc: '2026-10-12 00:00:00', toUtc: '2026-10-13 00:00:00' };
    expect((await read((tx) => turnoverTotals(tx, bOnly, { column: 'ex_tax_total' }))).turnover).toBe('60.00');
    expect((await read((tx) => turnoverTotals(tx, bOnly, { column: 'item_total' }))).turnover).toBe('60.00');
    expect((await read((tx) => turnoverTotals(tx, bOnly, { column: 'total' }))).turnover).toBe('64.00');
  });

  it('keeps only the orders of the given distributors', async () => {
    expect(await read((tx) => turnoverTotals(tx, WINDOW, { distributors: ownShops }))).toEqual({ turnover: '64.00', orders: 1 });
    expect(await read((tx) => countActiveShops(tx, WINDOW, { distributors: ownShops }))).toBe(1);
  });

  it('puts the edge orders in the first and last local day', async () => {
    const buckets = bucketsOf(october(), 'day');
    const rows = await read((tx) => turnoverByBucket(tx, WINDOW, buckets));
    expect(rows.sort((a, b) => a.bucket.localeCompare(b.bucket))).toEqual([
      { bucket: '2026-10-01', turnover: '1.00', orders: 1 },
      { bucket: '2026-10-11', turnover: '32.00', orders: 1 },
      { bucket: '2026-10-12', turnover: '64.00', orders: 1 },
      { bucket: '2026-10-20', turnover: '41.00', orders: 1 },
      { bucket: '2026-10-31', turnover: '8.00', orders: 1 },
    ]);
    const months = await read((tx) => turnoverByBucket(tx, WINDOW, bucketsOf(october(), 'month'), { column: 'item_total', distributors: ownShops }));
    expect(months).toEqual([{ bucket: '2026-10-01', turnover: '60.00', orders: 1 }]);
  });

  it('ranks shops by turnover, ties by id, and honours the limit', async () => {
    const { rows: all } = await read((tx) => turnoverByShop(tx, WINDOW));
    expect(all).toEqual([
      { enterpriseId: ids.B, name: 'Horta Nord', turnover: '64.00', orders: 1 },
      { enterpriseId: ids.A, name: 'Mercat Verd', turnover: '41.00', orders: 3 },
      { enterpriseId: ids.C, name: 'Rebost', turnover: '41.00', orders: 1 },
    ]);
    expect((await read((tx) => turnoverByShop(tx, WINDOW, 2))).rows).toEqual(all.slice(0, 2));
    expect((await read((tx) => turnoverByShop(tx, WINDOW, undefined, { column: 'item_total', distributors: ownShops }))).rows).toEqual([{ enterpriseId: ids.B, name: 'Horta Nord', turnover: '60.00', orders: 1 }]);
  });

  it("reads the window's totals in the ranking's own statement: every sales order, whatever the limit", async () => {
    expect((await read((tx) => turnoverByShop(tx, WINDOW))).all).toEqual(await read((tx) => turnoverTotals(tx, WINDOW)));
    expect((await read((tx) => turnoverByShop(tx, WINDOW, 1))).all).toEqual({ turnover: '146.00', orders: 5 });
    const scope = { column: 'item_total', distributors: ownShops } as const;
    expect((await read((tx) => turnoverByShop(tx, WINDOW, 1, scope))).all).toEqual(await read((tx) => turnoverTotals(tx, WINDOW, scope)));
    expect(await read((tx) => turnoverByShop(tx, { fromUtc: '2020-01-01 00:00:00', toUtc: '2020-02-01 00:00:00' }))).toEqual({ rows: [], all: { turnover: '0', orders: 0 } });
  });

  it('counts a sales order without a distributor in the total, not as a shop of its own', async () => {
    const december = { fromUtc: '2026-11-30 23:00:00', toUtc: '2026-12-31 23:00:00' };
    await db.client.query(
      `insert into spree_orders (number, item_total, total, adjustment_total, state, created_at, updated_at, completed_at, distributor_id, currency)
       values ('R-NODIST-1', 5, 5, 0, 'complete', '2026-12-10 10:00:00', '2026-12-10 10:00:00', '2026-12-10 10:00:00', null, 'EUR'),
              ('R-NODIST-2', 7, 7, 0, 'complete', '2026-12-11 10:00:00', '2026-12-11 10:00:00', '2026-12-11 10:00:00', null, 'EUR')`,
    );
    const order = await db.client.query(`insert into spree_orders (number, item_total, total, adjustment_total, state, created_at, updated_at, completed_at, distributor_id, currency)
       values ('R-DEC-A', 3, 3, 0, 'complete', '2026-12-12 10:00:00', '2026-12-12 10:00:00', '2026-12-12 10:00:00', $1, 'EUR') returning id`, [ids.A]);
    try {
      expect(await read((tx) => turnoverByShop(tx, december, 1))).toEqual({
        rows: [{ enterpriseId: ids.A, name: 'Mercat Verd', turnover: '3.00', orders: 1 }],
        all: { turnover: '15.00', orders: 3 },
      });
      expect((await read((tx) => turnoverByShop(tx, december))).all).toEqual(await read((tx) => turnoverTotals(tx, december)));
    } finally {
      await db.client.query(`delete from spree_orders where number in ('R-NODIST-1', 'R-NODIST-2') or id = $1`, [order.rows[0].id]);
    }
  });

  it('counts active shops: distinct distributors of a sales order, by local day too', async () => {
    expect(await read((tx) => countActiveShops(tx, WINDOW))).toBe(3);
    expect(await read((tx) => countActiveShops(tx, { fromUtc: '2026-10-12 00:00:00', toUtc: '2026-10-21 00:00:00' }))).toBe(2);
    const rows = await read((tx) => countActiveShopsByBucket(tx, WINDOW, bucketsOf(october(), 'month')));
    expect(rows).toEqual([{ bucket: '2026-10-01', count: 3 }]);
    const own = await read((tx) => countActiveShopsByBucket(tx, WINDOW, bucketsOf(october(), 'day'), { distributors: ownShops }));
    expect(own).toEqual([{ bucket: '2026-10-12', count: 1 }]);
  });
});

describe('statements shared within one scope (dashboards, the Home tab)', () => {
  it('sends an identical statement once inside shareStatements, never inside a snapshot, and each time outside', async () => {
    const query = vi.spyOn(pg.Client.prototype, 'query');
    const totalsSent = () => query.mock.calls.filter((c) => typeof c[0] === 'string' && c[0].includes('spree_orders')).length;
    const totals = () => read((tx) => turnoverTotals(tx, WINDOW));
    try {
      const shared = await shareStatements(() => Promise.all([totals(), totals(), read((tx) => turnoverTotals(tx, WINDOW, { column: 'item_total' }))]));
      expect(shared).toEqual([{ turnover: '146.00', orders: 5 }, { turnover: '146.00', orders: 5 }, { turnover: '142.00', orders: 5 }]);
      expect(totalsSent()).toBe(2); // the two alike once, the other column on its own
      query.mockClear();
      await shareStatements(() => Promise.all([1, 2].map(() => replica.read((tx) => turnoverTotals(tx, WINDOW), { snapshot: true }))));
      expect(totalsSent()).toBe(2);
      query.mockClear();
      await Promise.all([totals(), totals()]);
      expect(totalsSent()).toBe(2);
    } finally {
      query.mockRestore();
    }
  });
});

describe('one window read once in a shared scope', () => {
  it('gives the totals, the ranking (with or without a limit) and the active shops it gives alone, from one statement', async () => {
    const december = { fromUtc: '2026-11-30 23:00:00', toUtc: '2026-12-31 23:00:00' };
    await db.client.query(`insert into spree_orders (number, item_total, total, adjustment_total, state, created_at, updated_at, completed_at, distributor_id, currency)
       values ('R-SHARED-1', 5, 5, 0, 'complete', '2026-12-10 10:00:00', '2026-12-10 10:00:00', '2026-12-10 10:00:00', null, 'EUR')`);
    try {
      const cases: [UtcWindow, SalesScope][] = [
        [WINDOW, {}],
        [WINDOW, { column: 'item_total', distributors: ownShops }],
        [WINDOW, { distributors: shops }],
        [december, {}],
        [{ fromUtc: '2020-01-01 00:00:00', toUtc: '2020-02-01 00:00:00' }, {}],
      ];
      for (const [window, scope] of cases) {
        const figures = (tx: ReplicaTx) => Promise.all([turnoverTotals(tx, window, scope), turnoverByShop(tx, window, 2, scope), turnoverByShop(tx, window, undefined, scope), countActiveShops(tx, window, scope)]);
        const alone = await read(figures);
        const query = vi.spyOn(pg.Client.prototype, 'query');
        try {
          expect(await shareStatements(() => read(figures)), JSON.stringify(scope)).toEqual(alone);
          const sent = query.mock.calls.filter((c) => typeof c[0] === 'string' && c[0].includes('spree_orders'));
          // The item_total ranking and the count of shops (which adds up no money) are two statements; otherwise one.
          expect(sent, JSON.stringify(scope)).toHaveLength(scope.column ? 2 : 1);
        } finally {
          query.mockRestore();
        }
      }
    } finally {
      await db.client.query(`delete from spree_orders where number = 'R-SHARED-1'`);
    }
  });
});

describe('enterprises created in the half-open window', () => {
  it('counts creations at the opening midnight and just before the closing one', async () => {
    expect(await read((tx) => countEnterprises(tx, [], WINDOW))).toBe(2);
    // Open on one side only.
    expect(await read((tx) => countEnterprises(tx, [], { fromUtc: WINDOW.fromUtc }))).toBe(3);
    expect(await read((tx) => countEnterprises(tx, [], { toUtc: WINDOW.toUtc }))).toBe(6);
    expect(await read((tx) => countEnterprises(tx, []))).toBe(7);
    expect(await read((tx) => countEnterprises(tx, [], {}))).toBe(7);
  });

  it('applies the segment: shops are enterprises selling own or any', async () => {
    expect(SHOP_SELLS).toEqual(['own', 'any']);
    expect(await read((tx) => countEnterprises(tx, shops))).toBe(3);
    expect(await read((tx) => countEnterprises(tx, ownShops))).toBe(1);
    expect(await read((tx) => countEnterprises(tx, [{ kind: 'sells', values: ['none'] }], WINDOW))).toBe(1);
  });

  it('buckets creations by local day, the edges included in the first and last day', async () => {
    const rows = await read((tx) => countEnterprisesByBucket(tx, [], WINDOW, bucketsOf(october(), 'day')));
    expect(rows.sort((a, b) => a.bucket.localeCompare(b.bucket))).toEqual([
      { bucket: '2026-10-01', count: 1 },
      { bucket: '2026-10-31', count: 1 },
    ]);
    expect(await read((tx) => countEnterprisesByBucket(tx, [{ kind: 'sells', values: ['none'] }], WINDOW, bucketsOf(october(), 'month')))).toEqual([{ bucket: '2026-10-01', count: 1 }]);
  });
});

describe('listing enterprises', () => {
  it('lists newest first with towns and countries, and the total beyond the limit', async () => {
    const { rows, total } = await read((tx) => listEnterprises(tx, shops, 2));
    expect(total).toBe(3);
    // Same created_at: the larger id first.
    expect(rows).toEqual([
      { enterpriseId: ids.C, name: 'Rebost', sells: 'any', isPrimaryProducer: false, createdAt: '2020-01-01 00:00:00', town: null, country: null },
      { enterpriseId: ids.B, name: 'Horta Nord', sells: 'own', isPrimaryProducer: true, createdAt: '2020-01-01 00:00:00', town: 'Lyon', country: 'France' },
    ]);
    const withTown = await read((tx) => listEnterprises(tx, [{ kind: 'sells', values: ['any'] }], 5));
    expect(withTown.rows.map((r) => [r.name, r.town, r.country])).toEqual([
      ['Rebost', null, null],
      ['Mercat Verd', 'Girona', 'Spain'],
    ]);
  });

  it('orders by creation time first, and leaves towns out on a replica without addresses', async () => {
    const { rows, total } = await read((tx) => listEnterprises(tx, [{ kind: 'sells', values: ['none', 'unspecified', 'any'] }], 10, undefined, false));
    expect(total).toBe(6);
    expect(rows.map((r) => r.name)).toEqual(['At To', 'Before To', 'At From', 'Before From', 'Rebost', 'Mercat Verd']);
    expect(rows.every((r) => r.town === null && r.country === null)).toBe(true);
    expect(rows[0]).toEqual({ enterpriseId: ids.atTo, name: 'At To', sells: 'none', isPrimaryProducer: false, createdAt: TO, town: null, country: null });
    const limited = await read((tx) => listEnterprises(tx, [{ kind: 'sells', values: ['any'] }], 1, undefined, false));
    expect(limited).toEqual({ total: 2, rows: [{ enterpriseId: ids.C, name: 'Rebost', sells: 'any', isPrimaryProducer: false, createdAt: '2020-01-01 00:00:00', town: null, country: null }] });
  });
});

describe('listing what existed at the end of a period', () => {
  it('keeps enterprises created before the end, not one created exactly at it', async () => {
    const profiles: readonly EnterpriseFilter[] = [{ kind: 'sells', values: ['none', 'unspecified'] }];
    const atEnd = await read((tx) => listEnterprises(tx, profiles, 10, undefined, false, { toUtc: TO }));
    expect(atEnd.total).toBe(3);
    expect(atEnd.rows.map((r) => r.name)).toEqual(['Before To', 'At From', 'Before From']);
    // Only the end counts: a start is ignored, and no end lists everything.
    expect((await read((tx) => listEnterprises(tx, profiles, 10, undefined, false, { fromUtc: TO }))).total).toBe(4);
    expect((await read((tx) => listEnterprises(tx, profiles, 10, undefined, false, {}))).total).toBe(4);
  });
});

describe('segments: the closed vocabulary of enterprise filters', () => {
  const count = (segment: readonly EnterpriseFilter[], window?: UtcWindow) => read((tx) => countEnterprises(tx, segment, undefined, window));

  it('filters on producer, visibility, country and group', async () => {
    expect(await count([{ kind: 'producer', value: true }])).toBe(1);
    expect(await count([{ kind: 'producer', value: false }])).toBe(6);
    expect(await count([{ kind: 'visible', values: ['hidden'] }])).toBe(1);
    expect(await count([{ kind: 'visible', values: ['public'] }])).toBe(6);
    expect(await count([{ kind: 'country', iso: ['FR'] }])).toBe(1);
    expect(await count([{ kind: 'country', iso: ['ES'] }])).toBe(1);
    expect(await count([{ kind: 'country', iso: ['ES', 'FR'] }])).toBe(2);
    expect(await count([{ kind: 'inGroup', name: 'Coop Girona' }])).toBe(2);
    expect(await count([{ kind: 'inGroup', name: 'Rebost Group' }])).toBe(1);
    expect(await count([{ kind: 'inGroup', name: 'Nobody' }])).toBe(0);
  });

  it('combines filters with AND, and an empty segment is every enterprise', async () => {
    expect(await count([{ kind: 'sells', values: SHOP_SELLS }, { kind: 'producer', value: true }])).toBe(1);
    expect(await count([{ kind: 'inGroup', name: 'Coop Girona' }, { kind: 'country', iso: ['ES'] }])).toBe(1);
    expect(await count([])).toBe(7);
  });

  it('finds active shops by their sales orders in the half-open window', async () => {
    expect(await count([{ kind: 'active' }], WINDOW)).toBe(3);
    // Only the order at the opening midnight is in this window: A is active.
    expect(await count([{ kind: 'active' }], { fromUtc: FROM, toUtc: '2026-10-01 00:00:00' })).toBe(1);
    // C's only order sits exactly at the end of this one: nobody is active.
    expect(await count([{ kind: 'active' }], { fromUtc: '2026-10-15 00:00:00', toUtc: '2026-10-20 10:00:00' })).toBe(0);
    // Returned and awaiting_return orders do not make a shop active; a resumed one does.
    expect(await count([{ kind: 'active' }], { fromUtc: '2026-10-13 00:00:00', toUtc: '2026-10-15 00:00:00' })).toBe(0);
    expect(await count([{ kind: 'active' }], { fromUtc: '2026-10-11 00:00:00', toUtc: '2026-10-12 00:00:00' })).toBe(1);
  });

  it('finds enterprises created in the half-open window', async () => {
    expect(await count([{ kind: 'createdIn' }], WINDOW)).toBe(2);
    expect(await count([{ kind: 'createdIn' }], { fromUtc: JUST_BEFORE_FROM, toUtc: FROM })).toBe(1);
    expect(await count([{ kind: 'createdIn' }], { fromUtc: FROM, toUtc: JUST_BEFORE_TO })).toBe(1);
    expect(await count([{ kind: 'sells', values: ['none'] }, { kind: 'createdIn' }], WINDOW)).toBe(1);
  });

  it('restricts sales to distributors of the segment, with the window the question asks about', async () => {
    expect(await read((tx) => turnoverTotals(tx, WINDOW, { distributors: [{ kind: 'inGroup', name: 'Coop Girona' }] }))).toEqual({ turnover: '105.00', orders: 4 });
    expect(await read((tx) => turnoverTotals(tx, WINDOW, { distributors: [{ kind: 'createdIn' }] }))).toEqual({ turnover: '0', orders: 0 });
    expect(await read((tx) => turnoverTotals(tx, { fromUtc: '2026-10-12 00:00:00', toUtc: '2026-10-21 00:00:00' }, { distributors: [{ kind: 'active' }] }))).toEqual({ turnover: '105.00', orders: 2 });
  });

  it('tells which filters need a period and which need addresses', () => {
    expect(needsPeriod([{ kind: 'active' }])).toBe(true);
    expect(needsPeriod([{ kind: 'sells', values: ['any'] }, { kind: 'createdIn' }])).toBe(true);
    expect(needsPeriod([{ kind: 'sells', values: ['any'] }, { kind: 'country', iso: ['ES'] }])).toBe(false);
    expect(needsPeriod([])).toBe(false);
    expect(needsAddresses([{ kind: 'sells', values: ['any'] }, { kind: 'country', iso: ['ES'] }])).toBe(true);
    expect(needsAddresses([{ kind: 'active' }, { kind: 'inGroup', name: 'x' }])).toBe(false);
  });
});

describe('the funnel: days from creation to the first sale', () => {
  let own: TestDatabase;
  let ownReplica: Replica;
  beforeAll(async () => {
    own = await createTestDatabase('funnel');
    const f = new OfnFixture(own.client);
    // March 2025 in Madrid. Early: its first sale is dated 9 days before it was created (imported data).
    const early = await f.enterprise({ name: 'Early', sells: 'any', created_at: '2025-03-10 11:00:00' });
    const ten = await f.enterprise({ name: 'Ten Days', sells: 'own', created_at: '2025-03-05 11:00:00' });
    await f.enterprise({ name: 'Never Sold', sells: 'any', created_at: '2025-03-06 11:00:00' });
    await f.order(early, { completed_at: '2025-03-01 11:00:00', created_at: '2025-03-01 10:00:00' });
    await f.order(early, { completed_at: '2025-04-01 11:00:00', created_at: '2025-04-01 10:00:00' });
    await f.order(ten, { completed_at: '2025-03-15 11:00:00', created_at: '2025-03-15 10:00:00' });
    ownReplica = Replica.connect(testConfig([{ id: 'katuma', url: own.url, timezone: TZ }]).instances.get('katuma')!);
  });
  afterAll(async () => {
    await ownReplica?.close();
    await own?.drop();
  });

  it('counts a first sale dated before creation as 0 days, never negative', async () => {
    const counts = await ownReplica.read((tx) => funnelCounts(tx, { fromUtc: '2025-02-28 23:00:00.000', toUtc: '2025-03-31 22:00:00.000' }, TZ));
    expect(counts).toMatchObject({ created: 3, shop: 3, firstSale: 2, threeMonths: 0 });
    expect([...counts.daysToFirstSale].sort((a, b) => a - b)).toEqual([0, 10]);
  });
});
