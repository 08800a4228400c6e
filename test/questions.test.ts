import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, type Outcome } from '../src/commands/pipeline.js';
import type { Answer } from '../src/core/answer.js';
import { renderJson } from '../src/render/json.js';
import { renderCsv } from '../src/render/csv.js';
import { renderText } from '../src/render/text.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { testDeps } from './support/deps.js';
import { KATUMA_NOW, KATUMA_TZ, seedKatumaOctober } from './support/katuma-october.js';

/**
 * Hand-computed fixture for Katuma (Europe/Madrid; built by test/support/katuma-october.ts), asked on 2026-11-15: last-month is October 2026,
 * which starts in summer time (+2) and ends in winter time (+1).
 *
 * Orders (distributor, local time, total, state):            counted in October?
 *  A 2026-10-31 23:30  100.00 complete    (UTC Oct 31 22:30)  yes
 *  A 2026-11-01 00:30    7.00 complete    (UTC Oct 31 23:30)  no: November locally
 *  A 2026-10-01 00:15   20.05 complete    (UTC Sep 30 22:15)  yes: UTC grouping would miss it
 *  A 2026-09-30 23:50    3.00 complete    (UTC Sep 30 21:50)  no
 *  A 2026-10-20 12:00  500.00 canceled (completed_at kept)    no
 *  A 2026-10-20 12:00   40.00 returned                        no
 *  A 2026-10-21 12:00   41.00 awaiting_return                 no
 *  A 2026-10-25 02:30   12.34 complete (DST fall-back hour)   yes
 *  B 2026-10-10 09:00    0.10 resumed                         yes
 *  B 2026-10-11 09:00    0.20 complete                        yes
 *  B cart, never completed 999.99                             no
 * October: turnover 132.69 over 5 orders (A 132.39 / 3, B 0.30 / 2), average 26.538 → 26.54.
 *
 * Enterprises: A hub (any), B producer shop (own, producer), C producer profile (none), D unfinished
 * (unspecified), E hub created 2026-10-31 23:59 local, F profile created 2026-11-01 00:01 local
 * (UTC still Oct 31), G profile created 2026-10-01 00:00:30 local (UTC Sep 30).
 */
const TZ = KATUMA_TZ;
const NOW = KATUMA_NOW;

let db: TestDatabase;
let deps: ReturnType<typeof testDeps>;
let ids: Record<string, number>;

beforeAll(async () => {
  db = await createTestDatabase('questions');
  ids = await seedKatumaOctober(db.client);
  deps = testDeps([{ id: 'katuma', name: 'Katuma', url: db.url, timezone: TZ, currency: 'EUR' }], NOW);
});

afterAll(async () => {
  await deps?.close();
  await db?.drop();
});

async function answer(text: string): Promise<Answer> {
  const outcome = await ask(deps, text);
  if (outcome.kind !== 'answer') throw new Error('expected an answer');
  return outcome.answer;
}

async function scalar(text: string): Promise<string | null> {
  const a = await answer(text);
  if (a.kind !== 'scalar') throw new Error(`expected a scalar for ${text}`);
  return a.value;
}

describe('official definitions on hand-computed fixtures', () => {
  it('turnover counts complete and resumed orders by local completion month, exactly', async () => {
    expect(await scalar('turnover katuma last-month')).toBe('132.69');
    expect(await scalar('turnover katuma 2026-11')).toBe('7.00');
    expect(await scalar('turnover katuma 2026-09')).toBe('3.00');
    expect(await scalar('turnover katuma 2026-10-10..2026-10-11')).toBe('0.30');
  });

  it('orders and average order follow the same sales-order definition', async () => {
    expect(await scalar('orders katuma last-month')).toBe('5');
    expect(await scalar('average-order katuma last-month')).toBe('26.54');
  });

  it('breaks turnover down by local day, month and shop', async () => {
    const byDay = await answer('turnover katuma last-month by day');
    expect(byDay.kind).toBe('series');
    if (byDay.kind !== 'series') return;
    expect(byDay.rows).toHaveLength(31);
    const nonZero = byDay.rows.filter((r) => r.value !== '0.00');
    expect(nonZero).toEqual([
      { date: '2026-10-01', value: '20.05' },
      { date: '2026-10-10', value: '0.10' },
      { date: '2026-10-11', value: '0.20' },
      { date: '2026-10-25', value: '12.34' },
      { date: '2026-10-31', value: '100.00' },
    ]);
    const byMonth = await answer('turnover katuma 2026-09-01..2026-11-30 by month');
    expect(byMonth.kind === 'series' && byMonth.rows).toEqual([
      { date: '2026-09-01', value: '3.00' },
      { date: '2026-10-01', value: '132.69' },
      { date: '2026-11-01', value: '7.00', partial: true }, // November is not over on 15 Nov: marked, never passed off as whole
    ]);
    const byShop = await answer('turnover katuma last-month by shop');
    expect(byShop.kind === 'ranking' && byShop.rows).toEqual([
      { enterpriseId: ids.A, name: 'Mercat Verd', value: '132.39', orders: 3 },
      { enterpriseId: ids.B, name: 'Horta Nord', value: '0.30', orders: 2 },
    ]);
    const weeks = await answer('orders katuma 2026-10 by week');
    // Week rows are clipped to the period: the first covers 1–4 Oct and is labelled by its first day inside it.
    expect(weeks.kind === 'series' && weeks.rows.map((r) => r.date)).toEqual(['2026-10-01', '2026-10-05', '2026-10-12', '2026-10-19', '2026-10-26']);
    expect(weeks.kind === 'series' && weeks.rows.map((r) => r.value)).toEqual(['1', '2', '0', '1', '1']);
  });

  it('top-shops ranks by turnover and honours N', async () => {
    const top = await answer('top-shops 1 katuma last-month');
    expect(top.kind === 'ranking' && top.rows).toEqual([{ enterpriseId: ids.A, name: 'Mercat Verd', value: '132.39', orders: 3 }]);
  });

  it('counts new profiles and new shops by local creation time', async () => {
    expect(await scalar('new-profiles katuma last-month')).toBe('2'); // E and G; F is November locally
    expect(await scalar('new shops katuma last-month')).toBe('1'); // E
    expect(await scalar('new-profiles katuma this-month')).toBe('1'); // F
    const byDay = await answer('new-profiles katuma last-month by day');
    expect(byDay.kind === 'series' && byDay.rows.filter((r) => r.value !== '0')).toEqual([
      { date: '2026-10-01', value: '1' },
      { date: '2026-10-31', value: '1' },
    ]);
  });

  it('counts shops, hubs, producers and profiles, now or at the end of a period', async () => {
    expect(await scalar('shops katuma')).toBe('3'); // A, B, E
    expect(await scalar('hubs katuma')).toBe('2'); // A, E
    expect(await scalar('producers katuma')).toBe('2'); // B, C
    expect(await scalar('profiles katuma')).toBe('7');
    expect(await scalar('profiles katuma last-month')).toBe('6'); // F came later
    expect(await scalar('shops katuma 2026-09')).toBe('2'); // E did not exist yet
  });

  it('counts active shops: distributors of at least one sales order', async () => {
    expect(await scalar('active-shops katuma last-month')).toBe('2');
    expect(await scalar('active shops katuma 2026-11')).toBe('1');
    const byMonth = await answer('active-shops katuma 2026-09-01..2026-11-30 by month');
    expect(byMonth.kind === 'series' && byMonth.rows.map((r) => r.value)).toEqual(['1', '2', '1']);
  });
});

describe('renderers', () => {
  let outcome: Outcome;
  beforeAll(async () => {
    outcome = await ask(deps, 'turnover katuma last-month');
  });

  it('text names the period in the instance zone and formats the currency', () => {
    const text = renderText(outcome);
    expect(text).toContain('Turnover · Katuma');
    expect(text).toContain('last-month: 1 Oct 2026 – 31 Oct 2026 (Europe/Madrid)');
    expect(text).toContain('€132.69');
  });

  it('JSON follows the contract: value rounded to cents, unit, instance, period with offsets', () => {
    const json = JSON.parse(renderJson(outcome));
    expect(json).toMatchObject({
      value: 132.69,
      unit: 'EUR',
      instance: 'katuma',
      question: 'turnover katuma last-month',
      period: { from: '2026-10-01T00:00:00.000+02:00', to: '2026-11-01T00:00:00.000+01:00', timezone: 'Europe/Madrid' },
    });
  });

  it('JSON breakdowns carry date or enterprise_id and name', async () => {
    const series = JSON.parse(renderJson(await ask(deps, 'turnover katuma 2026-09-01..2026-11-30 by month')));
    expect(series.rows[1]).toEqual({ date: '2026-10-01', value: 132.69 });
    expect(series.unit).toBe('EUR');
    const shops = JSON.parse(renderJson(await ask(deps, 'top-shops katuma last-month')));
    expect(shops.rows[0]).toEqual({ enterprise_id: ids.A, name: 'Mercat Verd', value: 132.39, orders: 3 });
  });

  it('CSV has a header row and exact cents', async () => {
    const csv = renderCsv(await ask(deps, 'turnover katuma last-month by shop'));
    // The last line is the total of every shop, equal to `turnover katuma last-month`.
    expect(csv.split('\r\n')).toEqual(['enterprise_id,name,value,orders', `${ids.A},Mercat Verd,132.39,3`, `${ids.B},Horta Nord,0.30,2`, 'total,All shops,132.69,5', '']);
  });
});
