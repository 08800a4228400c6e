import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledQuery } from 'kysely';
import { ask } from '../src/commands/pipeline.js';
import type { Deps } from '../src/commands/types.js';
import { parseConfig, type Config } from '../src/installation.js';
import { Replica } from '../src/queries/replica.js';
import { renderCsv } from '../src/render/csv.js';
import { renderJson } from '../src/render/json.js';
import { renderText } from '../src/render/text.js';
import { slackMessage } from '../src/render/slack-message.js';
import { SELECTABLE_COLUMNS } from '../src/queries/ofn-tables.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { personalColumnViolations } from './support/personal-data.js';

/**
 * Issue 16, the growth story, against hand-computed figures on real PostgreSQL. Asked on 2026-11-15
 * 12:00 UTC (13:00 in Madrid, 23:00 in Melbourne). Every figure below is worked out by hand from the
 * fixture, in each instance's own time zone:
 *
 * Katuma (Europe/Madrid, EUR)
 *  Old     shop any, created 2020; orders 40.00 on 2025-10-10 (customer C1), 80.00 on 2026-09-10, 20.00 on 2026-10-05 (customer C1)
 *  P4      profile, created 2025-10-15
 *  F1      shop own, created 2026-01-31 23:30 local (22:30 UTC, still January); orders 10.00 each on
 *          2026-03-29 03:30 (the spring DST day), 2026-04-30 23:30 and 2026-05-01 00:30 local: three local
 *          months (in UTC the last two are both 30 April); first sale 57 days after creation
 *  F2      producer profile (sells none), created 2026-05-05; never sells
 *  F3      sells none today, created 2026-06-01 00:30 local (31 May in UTC); one order 10.00 on 2026-06-20: a shop then; 19 days
 *  P1      profile, created 2026-09-30 23:30 local (September)
 *  Mercat  shop any, created 2026-10-01 00:30 local (30 September in UTC); orders 50.00 on 2026-10-25 02:30
 *          (the autumn DST night) and 100.00 on 2026-10-31 23:30 (user U1 both), 999.00 canceled on
 *          2026-10-20, 999.00 on 2026-11-01 00:30 local (31 October in UTC; user U3); first sale after 24 days
 *  S2      shop own, created 2026-10-31 23:30 local, listed only through links; never sells
 *  S3      shop any, created 2026-11-01 00:30 local (31 October in UTC)
 *
 * OFN Australia (Australia/Melbourne, AUD), rates to EUR: 0.6 flat, 0.61 for 2026-10
 *  Sunny   shop own, created 2020; orders 100.00 on 2026-09-15, 200.00 on 2026-10-01 00:30 local (30 September
 *          in UTC; user X), 30.00 on 2026-10-20 with neither user nor customer, 50.00 on 2026-11-01 08:00 local
 *          (31 October in UTC). customers and spree_users are not replicated.
 */
const NOW = new Date('2026-11-15T12:00:00Z');
const MADRID = 'Europe/Madrid';
const MELBOURNE = 'Australia/Melbourne';
let katuma: TestDatabase;
let au: TestDatabase;
let config: Config;
let deps: Deps;
const captured: CompiledQuery[] = [];
let replicas: Map<string, Replica>;

async function orderFor(db: TestDatabase, f: OfnFixture, shop: number, total: string, completed: string, who: { user?: number; customer?: number; state?: string } = {}) {
  const id = await f.order(shop, { total, completed_at: completed, ...(who.state ? { state: who.state } : {}) });
  await db.client.query('update spree_orders set user_id = $2, customer_id = $3 where id = $1', [id, who.user ?? null, who.customer ?? null]);
  return id;
}

beforeAll(async () => {
  katuma = await createTestDatabase('story_katuma');
  const k = new OfnFixture(katuma.client);
  const spain = await k.country();
  const barcelona = await k.address(spain);
  const canaries = await k.address(spain, { city: 'Las Palmas' });
  await katuma.client.query('update spree_addresses set latitude = 41.38712, longitude = 2.16998 where id = $1', [barcelona]);
  await katuma.client.query('update spree_addresses set latitude = 28.12345, longitude = -15.43456 where id = $1', [canaries]);
  const old = await k.enterprise({ name: 'Old Hub', sells: 'any', address_id: canaries });
  await k.enterprise({ name: 'P4', sells: 'none', created_at: utc('2025-10-15 12:00', MADRID) });
  const f1 = await k.enterprise({ name: 'F1', sells: 'own', created_at: utc('2026-01-31 23:30', MADRID) });
  await k.enterprise({ name: 'F2', sells: 'none', is_primary_producer: true, created_at: utc('2026-05-05 12:00', MADRID) });
  const f3 = await k.enterprise({ name: 'F3', sells: 'none', created_at: utc('2026-06-01 00:30', MADRID) });
  await k.enterprise({ name: 'P1', sells: 'none', created_at: utc('2026-09-30 23:30', MADRID) });
  const mercat = await k.enterprise({ name: 'Mercat', sells: 'any', created_at: utc('2026-10-01 00:30', MADRID), address_id: barcelona });
  await k.enterprise({ name: 'S2', sells: 'own', visible: 'only_through_links', created_at: utc('2026-10-31 23:30', MADRID), address_id: barcelona });
  await k.enterprise({ name: 'S3', sells: 'any', created_at: utc('2026-11-01 00:30', MADRID) });
  const c1 = await k.customer(old);
  const u1 = await k.user();
  const u2 = await k.user();
  const u3 = await k.user();
  await orderFor(katuma, k, old, '40.00', utc('2025-10-10 12:00', MADRID), { customer: c1 });
  await orderFor(katuma, k, old, '80.00', utc('2026-09-10 12:00', MADRID));
  await orderFor(katuma, k, old, '20.00', utc('2026-10-05 12:00', MADRID), { customer: c1 });
  await orderFor(katuma, k, f1, '10.00', utc('2026-03-29 03:30', MADRID));
  await orderFor(katuma, k, f1, '10.00', utc('2026-04-30 23:30', MADRID));
  await orderFor(katuma, k, f1, '10.00', utc('2026-05-01 00:30', MADRID));
  await orderFor(katuma, k, f3, '10.00', utc('2026-06-20 12:00', MADRID));
  await orderFor(katuma, k, mercat, '50.00', utc('2026-10-25 02:30', MADRID), { user: u1 });
  await orderFor(katuma, k, mercat, '100.00', utc('2026-10-31 23:30', MADRID), { user: u1 });
  await orderFor(katuma, k, mercat, '999.00', utc('2026-10-20 12:00', MADRID), { user: u2, state: 'canceled' });
  await orderFor(katuma, k, mercat, '999.00', utc('2026-11-01 00:30', MADRID), { user: u3 });

  au = await createTestDatabase('story_au');
  const a = new OfnFixture(au.client);
  const sunny = await a.enterprise({ name: 'Sunny Hen Eggs', sells: 'own' });
  const x = await a.user();
  await orderFor(au, a, sunny, '100.00', utc('2026-09-15 12:00', MELBOURNE));
  await orderFor(au, a, sunny, '200.00', utc('2026-10-01 00:30', MELBOURNE), { user: x });
  await orderFor(au, a, sunny, '30.00', utc('2026-10-20 12:00', MELBOURNE));
  await orderFor(au, a, sunny, '50.00', utc('2026-11-01 08:00', MELBOURNE));
  // A central replica without the personal tables: buyers are counted from spree_orders' ids alone.
  await au.client.query('drop table customers, spree_users cascade');

  config = parseConfig(
    {
      reportingCurrency: 'EUR',
      exchangeRates: { AUD: 0.6, '2026-10': { AUD: 0.61 } },
      instances: {
        katuma: { name: 'Katuma', replica: katuma.url, timezone: MADRID, currency: 'EUR' },
        au: { name: 'OFN Australia', replica: au.url, timezone: MELBOURNE, currency: 'AUD' },
      },
    },
    {},
    'test',
  );
  replicas = new Map([...config.instances.values()].map((i) => [i.id, Replica.connect(i, undefined, (event) => void (event.level === 'query' && captured.push(event.query)))]));
  deps = { config, replica: (id) => replicas.get(id)!, now: () => NOW };
});

afterAll(async () => {
  for (const r of replicas?.values() ?? []) await r.close();
  await katuma?.drop();
  await au?.drop();
});

const json = async (question: string) => JSON.parse(renderJson(await ask(deps, question)));
const change = (previous: number | null, year_before: number | null) => ({ previous, year_before });

describe('growth', () => {
  it('gives one month with its change against the month before and the same month a year before', async () => {
    const g = await json('growth katuma 2026-10');
    expect(g.rows).toEqual([
      {
        month: '2026-10',
        new_profiles: 2, // Mercat (1 Oct 00:30 local) and S2 (31 Oct 23:30 local)
        new_shops: 2,
        active_shops: 2, // Old and Mercat; the canceled order does not count
        orders: 3,
        turnover: 170,
        change: {
          new_profiles: change(100, 100), // September: P1; October 2025: P4
          new_shops: change(null, null), // none before: no percentage
          active_shops: change(100, 100),
          orders: change(200, 200),
          turnover: change(112.5, 325), // 80.00 in September, 40.00 in October 2025
        },
      },
    ]);
    expect(g.currency).toBe('EUR');
    expect(g.total).toMatchObject({ orders: 3, turnover: 170, change: { turnover: change(112.5, 325) } });
  });

  it('defaults to the last 12 complete months, each month in the local zone (DST and month ends)', async () => {
    const g = await json('growth katuma');
    expect(g.question).toBe('growth katuma last-12-months');
    expect(g.rows.map((r: any) => r.month)).toEqual(['2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10']);
    const byMonth = Object.fromEntries(g.rows.map((r: any) => [r.month, [r.new_profiles, r.new_shops, r.active_shops, r.orders, r.turnover]]));
    expect(byMonth['2026-01']).toEqual([1, 1, 0, 0, 0]); // F1 at 23:30 on 31 January local
    expect(byMonth['2026-03']).toEqual([0, 0, 1, 1, 10]);
    expect(byMonth['2026-04']).toEqual([0, 0, 1, 1, 10]);
    expect(byMonth['2026-05']).toEqual([1, 0, 1, 1, 10]); // F2; F1's order at 00:30 on 1 May local
    expect(byMonth['2026-06']).toEqual([1, 0, 1, 1, 10]); // F3 created 00:30 on 1 June local, sells none today
    expect(byMonth['2026-09']).toEqual([1, 0, 1, 1, 80]);
    expect(g.rows.find((r: any) => r.month === '2026-05').change.orders).toEqual(change(0, null));
    // Totals: 6 profiles, 3 shops, 4 distinct active shops, 8 orders, 290.00; the 12 months before: P4, Old, 1 order of 40.00.
    expect(g.total).toEqual({
      new_profiles: 6,
      new_shops: 3,
      active_shops: 4,
      orders: 8,
      turnover: 290,
      change: { new_profiles: change(500, 500), new_shops: change(null, null), active_shops: change(300, 300), orders: change(700, 700), turnover: change(625, 625) },
    });
  });

  it('compares a month in progress with the same part of the months before, and says "to date"', async () => {
    const outcome = await ask(deps, 'growth katuma this-month');
    const g = JSON.parse(renderJson(outcome));
    // 1–15 Nov 13:00 local: S3 and Mercat's 999.00; 1–15 Oct 13:00: Mercat (created 1 Oct) and Old's 20.00; 1–15 Nov 2025: nothing.
    expect(g.rows).toEqual([
      {
        month: '2026-11',
        new_profiles: 1,
        new_shops: 1,
        active_shops: 1,
        orders: 1,
        turnover: 999,
        partial: true,
        change: { new_profiles: change(0, null), new_shops: change(0, null), active_shops: change(0, null), orders: change(0, null), turnover: change(4895, null) },
      },
    ]);
    expect(renderText(outcome)).toContain('Nov 2026 (to date)');
  });

  it('adds instances up in the reporting currency, each month at its own rate, with the rates shown', async () => {
    const outcome = await ask(deps, 'growth katuma,au 2026-10');
    const g = JSON.parse(renderJson(outcome));
    expect(g.instances.map((i: any) => [i.instance, i.currency, i.rows[0].turnover])).toEqual([
      ['katuma', 'EUR', 170],
      ['au', 'AUD', 230],
    ]);
    // October: 170 + 230 × 0.61 = 310.30; September: 80 + 100 × 0.6 = 140.00; October 2025: 40.00.
    expect(g.combined.currency).toBe('EUR');
    expect(g.combined.rows).toEqual([
      {
        month: '2026-10',
        new_profiles: 2,
        new_shops: 2,
        active_shops: 3,
        orders: 5,
        turnover: 310.3,
        change: { new_profiles: change(100, 100), new_shops: change(null, null), active_shops: change(50, 200), orders: change(150, 400), turnover: change(121.6, 675.8) },
      },
    ]);
    expect(g.rates).toEqual([
      { currency: 'AUD', rate: '0.6' },
      { currency: 'AUD', rate: '0.61', month: '2026-10' },
    ]);
    const text = renderText(outcome);
    expect(text).toContain('1 AUD = 0.61 EUR (2026-10)');
    expect(text).toContain('€310.30');
    const csv = renderCsv(outcome);
    expect(csv).toContain('all,2026-10,2,2,3,5,310.30,EUR,false,100,100,,,50,200,150,400,121.6,675.8');
  });

  it('refuses periods that are not whole months, saying what to type', async () => {
    await expect(ask(deps, 'growth katuma last-4-weeks')).rejects.toMatchObject({ code: 'BadPeriod', message: expect.stringContaining('whole months') });
  });
});

describe('funnel', () => {
  it('follows the enterprises created in the period to their first sale and three local months of sales', async () => {
    const f = await json('funnel katuma 2026');
    // Created in 2026: F1, F2, F3, P1, Mercat, S2, S3. Shops: F1, F3 (sold), Mercat, S2, S3. Sold: F1, F3, Mercat. 3+ months: F1.
    expect(f.steps).toEqual([
      { step: 'created', count: 7, of_previous: 100, of_first: 100 },
      { step: 'shop', count: 5, of_previous: 71.4, of_first: 71.4 },
      { step: 'first_sale', count: 3, of_previous: 60, of_first: 42.9 },
      { step: 'three_months', count: 1, of_previous: 33.3, of_first: 14.3 },
    ]);
    expect(f.median_days_to_first_sale).toBe(24); // 57 (F1), 19 (F3), 24 (Mercat)
  });

  it('adds instances up for all, and needs a period', async () => {
    const f = await json('funnel all 2026-10');
    expect(f.instances.map((i: any) => i.steps.map((s: any) => s.count))).toEqual([
      [2, 2, 1, 0],
      [0, 0, 0, 0],
    ]);
    expect(f.combined.steps.map((s: any) => s.count)).toEqual([2, 2, 1, 0]);
    expect(f.combined.median_days_to_first_sale).toBe(24);
    await expect(ask(deps, 'funnel katuma')).rejects.toMatchObject({ code: 'BadPeriod', hint: expect.stringContaining('funnel katuma last-year') });
  });
});

describe('retention', () => {
  it('groups shops by the local month of their first sale and fills each later month, blank when not started', async () => {
    const r = await json('retention katuma 2026');
    const blank = (n: number) => new Array(n).fill(null);
    expect(r.cohorts).toEqual([
      { month: '2026-03', size: 1, active: [100, 100, 100, 0, 0, 0, 0, 0, 0, ...blank(3)] }, // F1: March, April, May local
      { month: '2026-06', size: 1, active: [100, 0, 0, 0, 0, 0, ...blank(6)] }, // F3
      { month: '2026-10', size: 1, active: [100, 100, ...blank(10)] }, // Mercat, November to date
    ]);
  });

  it('adds cohorts of several instances month by month', async () => {
    const r = await json('retention all 2026-09-01..2026-10-31');
    // Katuma: Mercat first sold in October; Australia: Sunny first sold in September (100.00 on the 15th).
    expect(r.combined.cohorts).toEqual([
      { month: '2026-09', size: 1, active: [100, 100, 100, ...new Array(9).fill(null)] },
      { month: '2026-10', size: 1, active: [100, 100, ...new Array(10).fill(null)] },
    ]);
  });
});

describe('buyers', () => {
  it('counts distinct buyers and the repeat rate, and never names them', async () => {
    const outcome = await ask(deps, 'buyers katuma 2026-10');
    // U1 (two orders at Mercat), C1 (Old, a guest's customer record); the canceled order's user does not count.
    expect(JSON.parse(renderJson(outcome))).toMatchObject({ buyers: 2, repeat_rate: 50, repeat_buyers: 1, orders_without_buyer: 0 });
    expect(renderText(outcome)).not.toMatch(/example\.org|Núria|Soler/);
  });

  it('answers on a replica without customers and spree_users, and adds instances up', async () => {
    const b = await json('buyers all 2026-10');
    expect(b.instances).toEqual([
      expect.objectContaining({ instance: 'katuma', buyers: 2, repeat_rate: 50 }),
      expect.objectContaining({ instance: 'au', buyers: 1, repeat_rate: 0, orders_without_buyer: 1 }),
    ]);
    expect(b.combined).toEqual({ buyers: 3, repeat_rate: 33.3, repeat_buyers: 1, orders_without_buyer: 1 });
  });
});

describe('report', () => {
  it('gives the headline figures of a year to date against the same days of the year before', async () => {
    const outcome = await ask(deps, 'report katuma this-year');
    const r = JSON.parse(renderJson(outcome));
    expect(r.year).toBe(2026);
    expect(r.to_date).toBe(true);
    expect(r.headline).toEqual([
      { figure: 'shops', value: 5, previous_year: 1, change: 400 },
      { figure: 'producers', value: 1, previous_year: 0, change: null },
      { figure: 'hubs', value: 3, previous_year: 1, change: 200 },
      { figure: 'active_shops', value: 4, previous_year: 1, change: 300 },
      { figure: 'orders', value: 9, previous_year: 1, change: 800 },
      { figure: 'turnover', value: 1289, previous_year: 40, change: 3122.5 },
      { figure: 'buyers', value: 3, previous_year: 1, change: 200 },
    ]);
    expect(r.months.at(-1)).toEqual({ month: '2026-11', turnover: 999, partial: true });
    expect(renderText(outcome)).toContain('2026 is not over: every figure is to date');
  });

  it('adds instances up in the reporting currency for all', async () => {
    const r = await json('report all 2026');
    // Australia 2026: 100 × 0.6 + 230 × 0.61 + 50 × 0.6 = 230.30 EUR.
    const turnover = r.combined.headline.find((h: any) => h.figure === 'turnover');
    expect(turnover).toEqual({ figure: 'turnover', value: 1519.3, previous_year: 40, change: 3698.3 });
    expect(r.combined.currency).toBe('EUR');
    expect(r.combined.headline.find((h: any) => h.figure === 'shops').value).toBe(6);
  });
});

describe('map', () => {
  it('places only publicly listed enterprises, rounded to about 1 km, and counts those without coordinates', async () => {
    captured.length = 0;
    const m = await json('map shops katuma');
    // Public shops: Old (Las Palmas), F1, Mercat (Barcelona), S3; S2 is listed only through links.
    expect(m.instances).toEqual([{ instance: 'katuma', points: expect.arrayContaining([[28.12, -15.43], [41.39, 2.17]]), without_coordinates: 2 }]);
    expect(m.instances[0].points).toHaveLength(2);
    const statements = captured.map((q) => q.sql).filter((s) => s.includes('latitude'));
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) expect(s.replace(/round\("?a"?\."?latitude"?::numeric, 2\)|round\("?a"?\."?longitude"?::numeric, 2\)/g, '')).not.toMatch(/latitude|longitude/);
  });
});

describe('every face', () => {
  it('reads only declared, non-personal columns (coordinates only rounded) in every statement', async () => {
    captured.length = 0;
    for (const q of ['growth all', 'growth katuma this-month', 'funnel all 2026', 'retention all', 'buyers all 2026', 'report all this-year', 'map shops all', 'map producers all', 'map hubs all']) await ask(deps, q);
    const tables: Record<string, keyof typeof SELECTABLE_COLUMNS> = { e: 'enterprises', o: 'spree_orders', a: 'spree_addresses' };
    const problems = captured.flatMap((q) => [
      ...personalColumnViolations(q.sql),
      ...[...q.sql.matchAll(/"?\b([a-z_]+)"?\."?([a-z_]+)"?/g)].flatMap(([, alias, column]) => {
        const table = tables[alias!];
        return table && !SELECTABLE_COLUMNS[table].includes(column!) ? [`${alias}.${column}`] : [];
      }),
    ]);
    expect(captured.length).toBeGreaterThan(20);
    expect(problems).toEqual([]);
    // The check sees an unrounded coordinate.
    expect(personalColumnViolations('select a.latitude from spree_addresses a')).not.toEqual([]);
  });

  it('renders each question in Slack without breaking the message limits', async () => {
    for (const q of ['growth all', 'funnel all 2026', 'retention all', 'buyers all 2026', 'report all 2026', 'map hubs all']) {
      const message = slackMessage(await ask(deps, q), { ephemeral: true });
      expect(JSON.stringify(message.blocks).length, q).toBeLessThan(13_000);
      expect(message.blocks.length, q).toBeLessThanOrEqual(50);
    }
  });
});

describe('charts', () => {
  it('draws every kind as a PNG of the size its spec says: growth panels, funnel bars, the heat map, maps and the A4 page', async () => {
    const { chartSpecOf } = await import('../src/render/answer-chart.js');
    const { chartSize, renderChart } = await import('../src/render/chart.js');
    const kinds: Record<string, string> = {};
    for (const q of ['growth katuma', 'funnel all 2026', 'retention katuma 2026', 'buyers all 2026', 'map shops katuma', 'report all 2026']) {
      const spec = chartSpecOf(await ask(deps, q), config)!;
      expect(spec, q).toBeDefined();
      kinds[q] = spec.figure?.kind ?? (spec.horizontal ? 'bars' : `${spec.panels?.length ?? 1} panels`);
      const png = await renderChart(spec);
      const { width, height } = chartSize(spec);
      expect(png.subarray(1, 4).toString('latin1'), q).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)], q).toEqual([width * 2, height * 2]);
    }
    expect(kinds).toEqual({
      'growth katuma': '3 panels',
      'funnel all 2026': 'bars',
      'retention katuma 2026': 'heatmap',
      'buyers all 2026': 'bars',
      'map shops katuma': 'map',
      'report all 2026': 'report',
    });
    // The heat map has a row for every month between the first and last cohort, empty ones included.
    const heat = chartSpecOf(await ask(deps, 'retention katuma 2026'), config)!.figure as { rows: { label: string; note: string }[] };
    expect(heat.rows.map((r) => r.note)).toEqual(['1 shop', 'none', 'none', '1 shop', 'none', 'none', 'none', '1 shop']);
    // The page is A4 portrait.
    const page = chartSpecOf(await ask(deps, 'report katuma 2026'), config)!;
    expect(chartSize(page)).toEqual({ width: 794, height: 1123 });
  });
});

describe('file names', () => {
  it('names the PNG and the CSV of growth and story answers after their question, as answers are', async () => {
    const { chartFilename, csvFile } = await import('../src/render/csv.js');
    const names: Record<string, [string, string]> = {};
    for (const q of ['growth all 2026-10', 'funnel katuma 2026', 'retention katuma', 'buyers all 2026', 'report all 2026', 'map shops katuma', 'turnover katuma 2026-10 by day']) {
      const outcome = await ask(deps, q);
      names[q] = [chartFilename(outcome), csvFile(outcome).filename];
    }
    expect(names).toEqual({
      'growth all 2026-10': ['growth-all-2026-10.png', 'growth-all-2026-10.csv'],
      'funnel katuma 2026': ['funnel-katuma-2026.png', 'funnel-katuma-2026.csv'],
      'retention katuma': ['retention-katuma-last-12-months.png', 'retention-katuma-last-12-months.csv'],
      'buyers all 2026': ['buyers-all-2026.png', 'buyers-all-2026.csv'],
      'report all 2026': ['report-all-2026.png', 'report-all-2026.csv'],
      'map shops katuma': ['map-shops-katuma.png', 'map-shops-katuma.csv'],
      'turnover katuma 2026-10 by day': ['turnover-katuma-2026-10-by-day.png', 'turnover-katuma-2026-10-by-day.csv'],
    });
  });
});

describe('the figures beside a chart in Slack', () => {
  it('puts the figures of growth and story answers in the file comment, escaped, as answers do', async () => {
    const { figuresComment } = await import('../src/render/slack-message.js');
    const funnel = await ask(deps, 'funnel katuma 2026');
    const comment = figuresComment('Funnel · Katuma <2026>', funnel);
    expect(comment.split('\n')[0]).toBe('Funnel · Katuma &lt;2026&gt;');
    expect(comment).toMatch(/```[\s\S]*Made a first sale\s+3\s+60\.0%\s+42\.9%[\s\S]*```$/);
    const growth = figuresComment('Growth', await ask(deps, 'growth katuma 2026-10'));
    expect(growth).toContain('```');
    expect(growth).toMatch(/New shops/i);
  });
});

describe('maps, as drawn', () => {
  it('outlines the countries a frame reaches, neighbours included, and no others', async () => {
    const { countriesIn, mapLayout } = await import('../src/render/figure.js');
    // Barcelona, Madrid, A Coruña and Seville: a frame of Spain.
    const spain = [
      { latitude: 41.39, longitude: 2.17 },
      { latitude: 40.42, longitude: -3.7 },
      { latitude: 43.36, longitude: -8.41 },
      { latitude: 37.39, longitude: -5.98 },
    ];
    const [frame] = mapLayout([{ label: 'Katuma', points: spain }], 464).frames;
    const names = countriesIn(frame!).features.map((f) => (f.properties as { name: string }).name);
    expect(names).toEqual(expect.arrayContaining(['Spain', 'Portugal', 'France', 'Morocco']));
    expect(names).not.toContain('Australia');
    expect(names).not.toContain('Brazil');
    // A world frame keeps every country.
    const [world] = mapLayout([{ label: 'a', points: spain }, { label: 'b', points: [{ latitude: -37.81, longitude: 144.96 }] }], 464).frames;
    expect(world!.world).toBe(true);
    expect(countriesIn(world!).features.length).toBeGreaterThan(150);
  });

  it('says under the map, each on its own line, how many are shown and how many have no coordinates', async () => {
    const { chartSpecOf } = await import('../src/render/answer-chart.js');
    const spec = chartSpecOf(await ask(deps, 'map shops katuma'), config)!;
    expect((spec.figure as { footer: string[] }).footer).toEqual([
      '2 publicly listed shops, each at its own address rounded to about 1 km.',
      '2 more without coordinates are not shown.',
      'Country outlines: Natural Earth.',
    ]);
  });
});

describe('percentages written as the counts beside them', () => {
  it('follows the instance locale: "71,4 %" beside "1.289" at a Spanish instance, "71.4%" in English', async () => {
    const spanish = parseConfig(
      { instances: { katuma: { name: 'Katuma', replica: katuma.url, timezone: MADRID, currency: 'EUR', locale: 'es-ES' } } },
      {},
      'test',
    );
    const replica = Replica.connect(spanish.instances.get('katuma')!);
    try {
      const es: Deps = { config: spanish, replica: () => replica, now: () => NOW };
      const funnel = renderText(await ask(es, 'funnel katuma 2026'));
      // A Spanish instance answers in Spanish (issue 18), numbers as Spain writes them.
      expect(funnel).toMatch(/Se hicieron tienda\s+5\s+71,4\u00a0%\s+71,4\u00a0%/);
      expect(funnel).not.toMatch(/\d\.\d%/);
      const report = renderText(await ask(es, 'report katuma this-year'));
      expect(report).toMatch(/Pedidos\s+9\s+1\s+\+800,0\u00a0%/);
      expect(renderText(await ask(es, 'buyers katuma 2026'))).toMatch(/\(tasa de repetición \d+,\d\u00a0%\)/);
    } finally {
      await replica.close();
    }
    expect(renderText(await ask(deps, 'funnel katuma 2026'))).toMatch(/Became shops\s+5\s+71\.4%\s+71\.4%/);
  });
});
