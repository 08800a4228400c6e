/**
 * Growth-story definitions (src/queries/definitions.ts) that the other mutation tests leave open, called
 * directly on a real PostgreSQL: which enterprises each map layer shows, which coordinates are a place
 * (the edges ±90 and ±180 are; (0, 0), a geocoder's "not found", is not), the retention cohorts' month
 * offsets up to `months`, goods-only turnover and the bucket of a row past the last boundary.
 * Written for `npm run mutate` (issue 19).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { growthInWindows, mapPoints, retentionCohorts, turnoverByBucket, turnoverTotals, type MapPoint } from '../src/queries/definitions.js';
import { Replica, type ReplicaTx } from '../src/queries/replica.js';
import { createTestDatabase, OfnFixture, type TestDatabase } from './support/database.js';
import { testConfig } from './support/deps.js';

let db: TestDatabase;
let replica: Replica;
const read = <T>(work: (tx: ReplicaTx) => Promise<T>) => replica.read(work);

beforeAll(async () => {
  db = await createTestDatabase('misc');
  const f = new OfnFixture(db.client);
  const spain = await f.country('ES', 'Spain');
  /** An address at these coordinates (null: not geocoded). */
  const at = async (latitude: number | null, longitude: number | null) => {
    const id = await f.address(spain);
    await db.client.query('update spree_addresses set latitude = $1, longitude = $2 where id = $3', [latitude, longitude, id]);
    return id;
  };

  // The map layers: a shop selling its own products, a hub selling any, producers that sell nothing.
  await f.enterprise({ name: 'Own Shop', sells: 'own', address_id: await at(41.98, 2.82) });
  await f.enterprise({ name: 'Hub', sells: 'any', address_id: await at(45.76, 4.84) });
  // Not public: on no map.
  await f.enterprise({ name: 'Hidden Hub', sells: 'any', visible: 'hidden', address_id: await at(40.42, -3.7) });
  const producer = (latitude: number | null, longitude: number | null) => async () => f.enterprise({ name: `Producer ${latitude} ${longitude}`, sells: 'none', is_primary_producer: true, address_id: await at(latitude, longitude) });
  for (const make of [
    producer(-33.87, 151.21),
    // The edges of the globe are places.
    producer(90, 180),
    producer(-90, -180),
    // On the equator, or on the Greenwich meridian, is a place; both at once is "not found".
    producer(0, 10),
    producer(10, 0),
    producer(0, 0),
    // Out of range, or half geocoded: not a place.
    producer(91, 10),
    producer(10, 181),
    producer(null, 10),
    producer(10, null),
  ]) {
    await make();
  }
  await f.enterprise({ name: 'Producer without address', sells: 'none', is_primary_producer: true });

  // Retention (UTC): cohorts by the month of a shop's first sales order.
  const shop = (name: string) => f.enterprise({ name, sells: 'own', visible: 'hidden' });
  const sold = (id: number, completedAt: string) => f.order(id, { completed_at: completedAt, total: '1.00' });
  const s1 = await shop('S1');
  for (const d of ['2026-01-10 10:00:00', '2026-02-05 10:00:00', '2026-03-05 10:00:00', '2026-04-05 10:00:00']) await sold(s1, d);
  const s2 = await shop('S2');
  await sold(s2, '2026-01-20 10:00:00');
  const s3 = await shop('S3');
  await sold(s3, '2026-03-15 10:00:00');
  await sold(s3, '2026-04-10 10:00:00');
  const s4 = await shop('S4');
  await sold(s4, '2026-02-10 10:00:00');
  // A shop whose first order is before the window: in no cohort.
  const s0 = await shop('S0');
  await sold(s0, '2025-12-10 10:00:00');
  await sold(s0, '2026-01-05 10:00:00');

  // Goods only: 10.00 total of which 7.00 goods, 1.00 tax and 2.00 shipping (ex-tax 9.00).
  const goods = await shop('Goods');
  await f.order(goods, { completed_at: '2025-06-15 10:00:00', total: '10.00', item_total: '7.00' });
  await db.client.query(`update spree_orders set additional_tax_total = 1 where distributor_id = $1`, [goods]);

  // Buckets: one order on the first day, one on the day after the last bucket.
  const days = await shop('Days');
  await f.order(days, { completed_at: '2025-07-01 10:00:00', total: '1.00' });
  await f.order(days, { completed_at: '2025-07-04 12:00:00', total: '2.00' });

  const config = testConfig([{ id: 'katuma', url: db.url, timezone: 'UTC' }]);
  replica = Replica.connect(config.instances.get('katuma')!);
});

afterAll(async () => {
  await replica?.close();
  await db?.drop();
});

const sorted = (points: MapPoint[]) => [...points].sort((a, b) => a.latitude - b.latitude || a.longitude - b.longitude);

describe('maps', () => {
  it('shows on each layer its own enterprises: shops sell own or any, hubs any, producers produce', async () => {
    const shops = await read((tx) => mapPoints(tx, 'shops'));
    expect(sorted(shops.points)).toEqual([
      { latitude: 41.98, longitude: 2.82 },
      { latitude: 45.76, longitude: 4.84 },
    ]);
    expect(shops.withoutCoordinates).toBe(0);
    expect(await read((tx) => mapPoints(tx, 'hubs'))).toEqual({ points: [{ latitude: 45.76, longitude: 4.84 }], withoutCoordinates: 0 });
  });

  it('takes latitudes up to ±90 and longitudes up to ±180 and a zero in one of them, not (0, 0), beyond range or half geocoded', async () => {
    const producers = await read((tx) => mapPoints(tx, 'producers'));
    expect(sorted(producers.points)).toEqual([
      { latitude: -90, longitude: -180 },
      { latitude: -33.87, longitude: 151.21 },
      { latitude: 0, longitude: 10 },
      { latitude: 10, longitude: 0 },
      { latitude: 90, longitude: 180 },
    ]);
    // (0, 0), (91, 10), (10, 181), (null, 10), (10, null) and the one without an address.
    expect(producers.withoutCoordinates).toBe(6);
  });
});

describe('retention cohorts', () => {
  const window = { fromUtc: '2026-01-01 00:00:00', toUtc: '2026-04-01 00:00:00' };

  it('counts each cohort’s shops in the months 0 to months - 1 after it, in month order, and no further', async () => {
    // S1 sold in January (its cohort), February (k = 1), March (k = 2) and April (k = 3): with
    // months = 2 only k = 0 and 1 are counted. S0's first order is before the window.
    expect(await read((tx) => retentionCohorts(tx, window, 'UTC', 2))).toEqual([
      { month: '2026-01', size: 2, active: [2, 1] },
      { month: '2026-02', size: 1, active: [1, 0] },
      { month: '2026-03', size: 1, active: [1, 1] },
    ]);
    expect(await read((tx) => retentionCohorts(tx, window, 'UTC', 4))).toEqual([
      { month: '2026-01', size: 2, active: [2, 1, 1, 1] },
      { month: '2026-02', size: 1, active: [1, 0, 0, 0] },
      { month: '2026-03', size: 1, active: [1, 1, 0, 0] },
    ]);
  });
});

describe('money and buckets', () => {
  it('adds up goods only for item_total, which is neither the total nor the total without tax', async () => {
    const june = { fromUtc: '2025-06-01 00:00:00', toUtc: '2025-07-01 00:00:00' };
    expect(await read((tx) => turnoverTotals(tx, june, { column: 'item_total' }))).toEqual({ turnover: '7.00', orders: 1 });
    expect(await read((tx) => turnoverTotals(tx, june, { column: 'ex_tax_total' }))).toEqual({ turnover: '9.00', orders: 1 });
    expect(await read((tx) => turnoverTotals(tx, june, { column: 'total' }))).toEqual({ turnover: '10.00', orders: 1 });
  });

  it('puts a row past the last bucket boundary in the last bucket', async () => {
    const buckets = { dates: ['2025-07-01', '2025-07-02', '2025-07-03'], utcBoundaries: ['2025-07-01 00:00:00', '2025-07-02 00:00:00', '2025-07-03 00:00:00', '2025-07-04 00:00:00'] };
    const rows = await read((tx) => turnoverByBucket(tx, { fromUtc: '2025-07-01 00:00:00', toUtc: '2025-07-05 00:00:00' }, buckets));
    expect([...rows].sort((a, b) => a.bucket.localeCompare(b.bucket))).toEqual([
      { bucket: '2025-07-01', turnover: '1.00', orders: 1 },
      { bucket: '2025-07-03', turnover: '2.00', orders: 1 },
    ]);
  });

  it('gives no growth figures for no windows', async () => {
    expect(await read((tx) => growthInWindows(tx, []))).toEqual([]);
  });
});
