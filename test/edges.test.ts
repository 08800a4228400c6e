import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask } from '../src/commands/pipeline.js';
import { renderJson } from '../src/render/json.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { testDeps } from './support/deps.js';

/**
 * Periods are half-open, [local midnight of the first day, local midnight of the day after the last),
 * asked through the whole pipeline (`ask`: parser, period resolution, definitions, renderers), with rows
 * exactly on the edges. Amounts are powers of two, so every wrong subset gives a different sum.
 *
 * Katuma (Europe/Madrid, +02:00 on 1 Oct, +01:00 on 1 Nov), orders of the hub Mercat Verd:
 *   1.00  2026-10-01 00:00:00 local   first instant of October: in
 *   2.00  2026-11-01 00:00:00 local   first instant of November: out of October
 *   4.00  2026-09-30 23:59:59 local   September
 *   8.00  2026-10-31 23:59:59 local   last second of October: in
 * October: 9.00 over 2 orders. Enterprises created at the same two midnights: one in October, one not.
 *
 * AU (Australia/Melbourne, +10:00 on 1 Oct, +11:00 on 1 Nov after DST began on 4 Oct), Sunny Hen:
 *   16.00 2026-10-01 00:00:00 local (30 Sep 14:00 UTC): in;  32.00 2026-11-01 00:00:00 local (31 Oct 13:00 UTC): out
 */
const NOW = new Date('2026-11-15T12:00:00Z');
const MADRID = 'Europe/Madrid';
const MELBOURNE = 'Australia/Melbourne';

let katuma: TestDatabase;
let au: TestDatabase;
let deps: ReturnType<typeof testDeps>;

beforeAll(async () => {
  katuma = await createTestDatabase('edges_katuma');
  const k = new OfnFixture(katuma.client);
  const hub = await k.enterprise({ name: 'Mercat Verd', sells: 'any' });
  const order = (local: string, total: string) => k.order(hub, { total, completed_at: utc(local, MADRID), created_at: '2026-09-01 10:00:00' });
  await order('2026-10-01 00:00:00', '1.00');
  await order('2026-11-01 00:00:00', '2.00');
  await order('2026-09-30 23:59:59', '4.00');
  await order('2026-10-31 23:59:59', '8.00');
  await k.enterprise({ name: 'Primer Dia', sells: 'any', created_at: utc('2026-10-01 00:00:00', MADRID) });
  await k.enterprise({ name: 'Dia Despres', sells: 'any', created_at: utc('2026-11-01 00:00:00', MADRID) });

  au = await createTestDatabase('edges_au');
  const a = new OfnFixture(au.client);
  const hen = await a.enterprise({ name: 'Sunny Hen', sells: 'own' });
  await a.order(hen, { total: '16.00', completed_at: utc('2026-10-01 00:00:00', MELBOURNE) });
  await a.order(hen, { total: '32.00', completed_at: utc('2026-11-01 00:00:00', MELBOURNE) });

  deps = testDeps(
    [
      { id: 'katuma', name: 'Katuma', url: katuma.url, timezone: MADRID, currency: 'EUR' },
      { id: 'au', name: 'OFN Australia', url: au.url, timezone: MELBOURNE, currency: 'AUD' },
    ],
    NOW,
  );
});

afterAll(async () => {
  await deps?.close();
  await katuma?.drop();
  await au?.drop();
});

/** The answer's JSON, as the CLI prints it. */
async function json(question: string) {
  return JSON.parse(renderJson(await ask(deps, question)));
}
const value = async (question: string) => (await json(question)).value;

describe('a period includes its first local midnight and excludes the next one', () => {
  it('turnover and orders of a month', async () => {
    expect(await value('turnover katuma 2026-10')).toBe(9);
    expect(await value('orders katuma 2026-10')).toBe(2);
    expect(await value('turnover katuma last-month')).toBe(9);
    // The neighbours get the edge orders that October does not.
    expect(await value('turnover katuma 2026-09')).toBe(4);
    expect(await value('turnover katuma 2026-11')).toBe(2);
  });

  it('turnover and orders of a day and of a range of days', async () => {
    expect(await value('orders katuma 2026-10-01')).toBe(1);
    expect(await value('turnover katuma 2026-10-01')).toBe(1);
    expect(await value('turnover katuma 2026-10-31')).toBe(8);
    expect(await value('turnover katuma 2026-11-01')).toBe(2);
    expect(await value('turnover katuma 2026-09-30')).toBe(4);
    expect(await value('turnover katuma 2026-10-01..2026-10-31')).toBe(9);
    expect(await value('orders katuma 2026-10-01..2026-10-31')).toBe(2);
  });

  it('puts the edge orders in the first and last bucket of a breakdown', async () => {
    const rows: { date: string; value: number }[] = (await json('turnover katuma 2026-10 by day')).rows;
    expect(rows).toHaveLength(31);
    expect(rows[0]).toMatchObject({ date: '2026-10-01', value: 1 });
    expect(rows[30]).toMatchObject({ date: '2026-10-31', value: 8 });
    expect(rows.reduce((sum, r) => sum + r.value, 0)).toBe(9);
    expect((await json('top-shops katuma 2026-10')).rows).toEqual([expect.objectContaining({ name: 'Mercat Verd', value: 9, orders: 2 })]);
  });

  it('counts new profiles, new shops and active shops on the same edges', async () => {
    expect(await value('new-profiles katuma 2026-10')).toBe(1);
    expect(await value('new-shops katuma 2026-10')).toBe(1);
    expect(await value('new-shops katuma 2026-11-01')).toBe(1);
    expect(await value('new-shops katuma 2026-09-30')).toBe(0);
    const created = async (question: string) => (await json(question)).rows.map((r: { date: string; value: number }) => [r.date, r.value]).filter(([, n]: [string, number]) => n > 0);
    expect(await created('new-shops katuma 2026-10 by day')).toEqual([['2026-10-01', 1]]);
    expect(await created('new-profiles katuma 2026-11 by day')).toEqual([['2026-11-01', 1]]);
    // Active on a day through an order at its first instant; not through one at the next day's.
    expect(await value('active-shops katuma 2026-10-01')).toBe(1);
    expect(await value('count active-shops katuma 2026-10-01')).toBe(1);
    expect(await value('active-shops au 2026-10-02..2026-10-31')).toBe(0);
    expect(await value('count active-shops au 2026-10-02..2026-10-31')).toBe(0);
  });

  it('in another zone, on both sides of its DST change', async () => {
    expect(await value('turnover au 2026-10')).toBe(16);
    expect(await value('orders au 2026-10')).toBe(1);
    expect(await value('turnover au 2026-11')).toBe(32);
    expect(await value('turnover au 2026-10-01')).toBe(16);
    expect(await value('turnover au 2026-09-30')).toBe(0);
  });
});
