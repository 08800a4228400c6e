/**
 * Issue 13: figures people can trust at the edges. Asked on Sunday 29 November 2026 in Madrid:
 * unfinished and future periods, totals, the instance's number formats, errors that name the real
 * problem, and a list that means what its period says.
 */
import { totalOfRows } from '../src/commands/metric-command.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask } from '../src/commands/pipeline.js';
import { composeBilling } from '../src/jobs/billing-post.js';
import { renderCsv } from '../src/render/csv.js';
import { renderJson } from '../src/render/json.js';
import { renderText } from '../src/render/text.js';
import { slackMessage } from '../src/render/slack-message.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { testDeps } from './support/deps.js';
import { createStateStore } from './support/state.js';

const TZ = 'Europe/Madrid';
const NOW = new Date('2026-11-29T11:00:00Z'); // Sunday 29 Nov 2026, 12:00 in Madrid

let db: TestDatabase;
let state: Awaited<ReturnType<typeof createStateStore>>;
let deps: ReturnType<typeof testDeps>;

beforeAll(async () => {
  db = await createTestDatabase('edges');
  const f = new OfnFixture(db.client);
  const old = await f.enterprise({ name: 'Mercat Verd', sells: 'any', created_at: utc('2024-03-01 10:00', TZ) });
  await f.enterprise({ name: 'Horta Nova', sells: 'own', created_at: utc('2026-11-03 10:00', TZ) }); // a shop created this year
  for (let i = 0; i < 1483; i += 100) await f.order(old, { total: '6.15', completed_at: utc(`2026-10-${String(1 + (i % 28)).padStart(2, '0')} 12:00`, TZ) });
  await f.order(old, { total: '9099.61', completed_at: utc('2026-10-20 12:00', TZ) });
  await f.order(old, { total: '40.00', completed_at: utc('2026-11-10 12:00', TZ) });
  state = await createStateStore();
  deps = testDeps([{ id: 'katuma', name: 'Katuma', url: db.url, timezone: TZ, currency: 'EUR', locale: 'es-ES' }], NOW);
  // A billing plan, and a billing channel for the post.
  const { parseConfig } = await import('../src/installation.js');
  (deps as { config: unknown }).config = parseConfig(
    {
      instances: { katuma: { name: 'Katuma', replica: db.url, timezone: TZ, currency: 'EUR', locale: 'es-ES', billing: { minimumTurnover: 100, fixed: 5, rate: 0.02, taxRate: 0.21, channel: 'C0BILL001' } } },
      access: [{ channel: 'C0BILL001', instances: ['katuma'], billing: true }],
    },
    {},
    'test',
  );
});

afterAll(async () => {
  await deps?.close();
  await state?.drop();
  await db?.drop();
});

describe('a period that is not over, or has not started', () => {
  it('bills the current month as provisional in every format, and never posts it', async () => {
    const bill = await ask(deps, 'billing katuma 2026-11', state.db);
    expect(JSON.parse(renderJson(bill))).toMatchObject({ month: '2026-11', provisional: true });
    expect(renderCsv(bill).split('\r\n')[1]).toMatch(/,true$/);
    expect(renderText(bill)).toContain('Provisional');
    expect(JSON.stringify(slackMessage(bill, { ephemeral: true }).blocks)).toContain('Provisional');
    expect(JSON.parse(renderJson(await ask(deps, 'billing katuma 2026-10', state.db))).provisional).toBe(false);
    await expect(composeBilling(state.db, deps, { instance: 'katuma', month: '2026-11' }, 'C0BILL001')).rejects.toMatchObject({ code: 'BadPeriod' });
  });

  it('refuses to bill a month that has not started', async () => {
    await expect(ask(deps, 'billing katuma 2026-12', state.db)).rejects.toMatchObject({ code: 'BadPeriod', message: expect.stringContaining('has not started') });
  });

  it('leaves out buckets after now, marks the one containing now, and says "to date"', async () => {
    const outcome = await ask(deps, 'turnover katuma 2026 by month');
    if (outcome.kind !== 'answer' || outcome.answer.kind !== 'series') throw new Error('expected a series');
    const rows = outcome.answer.rows;
    expect(rows.map((r) => r.date).at(-1)).toBe('2026-11-01'); // no empty December
    expect(rows.at(-1)).toMatchObject({ partial: true });
    expect(rows.filter((r) => r.partial)).toHaveLength(1);
    const text = renderText(outcome);
    // An es-ES instance answers in Spanish (issue 18): "hasta hoy" is "to date".
    expect(text).toContain('hasta hoy');
    expect(text).not.toMatch(/dic 2026/);
    expect(JSON.parse(renderJson(outcome)).period.as_of).toMatch(/^2026-11-29T12:00/);
  });

  it('answers a future period with "no data yet", not zeros', async () => {
    const outcome = await ask(deps, 'turnover katuma 2027');
    expect(outcome.kind === 'answer' && outcome.answer.kind === 'scalar' && outcome.answer.value).toBeNull();
    expect(renderText(outcome)).toContain('Aún no hay datos: 2027 empieza el 1 de enero de 2027.');
    expect(JSON.parse(renderJson(outcome))).toMatchObject({ value: null, period: { future: true } });
  });

  it('gives an average over no orders as undefined, not 0', async () => {
    const outcome = await ask(deps, 'average-order katuma 2026-09-01..2026-10-31 by month');
    if (outcome.kind !== 'answer' || outcome.answer.kind !== 'series') throw new Error('expected a series');
    expect(outcome.answer.rows[0]).toEqual({ date: '2026-09-01', value: null });
    expect(renderText(outcome)).toContain('—');
    expect(JSON.parse(renderJson(outcome)).rows[0].value).toBeNull();
  });
});

describe('totals', () => {
  it('ends every breakdown with the scalar question’s figure, in text, Slack, CSV and JSON', async () => {
    const scalar = await ask(deps, 'turnover katuma 2026-10');
    const value = scalar.kind === 'answer' && scalar.answer.kind === 'scalar' ? scalar.answer.value : undefined;
    for (const breakdown of ['by day', 'by week', 'by shop']) {
      const outcome = await ask(deps, `turnover katuma 2026-10 ${breakdown}`);
      const json = JSON.parse(renderJson(outcome));
      expect(json.total.value, breakdown).toBe(Number(value));
      expect(renderText(outcome), breakdown).toMatch(/Total\s+9\.191,86\s€/);
      expect(JSON.stringify(slackMessage(outcome, { ephemeral: true }).blocks), breakdown).toContain('Total');
      expect(renderCsv(outcome).trim().split('\r\n').at(-1), breakdown).toMatch(/^total,.*9191\.86/);
    }
    // Sums and counts by day, week and month carry the total their own rows add up to (one statement):
    // the same figure as the scalar question's, with the orders behind money.
    const figure = async (q: string) => JSON.parse(renderJson(await ask(deps, q)));
    for (const [question, grains] of [
      ['turnover katuma 2026-01-01..2026-11-28', ['by day', 'by week', 'by month']],
      ['orders katuma 2026-01-01..2026-11-28', ['by day', 'by week', 'by month']],
      ['new-shops katuma 2026-01-01..2026-11-28', ['by week', 'by month']],
      ['turnover katuma 2026-09', ['by month']], // a month with no sales order: 0, not a missing total
    ] as const) {
      const alone = await figure(question);
      for (const grain of grains) {
        const broken = await figure(`${question} ${grain}`);
        expect(broken.total.value, `${question} ${grain}`).toBe(alone.value);
        if (question.startsWith('turnover')) expect(broken.total.orders, `${question} ${grain}`).toBe(alone.orders);
      }
    }
    // Active shops by month: the total is the distinct count over the whole period, not the sum of months.
    const active = JSON.parse(renderJson(await ask(deps, 'active-shops katuma 2026-10-01..2026-11-28 by month')));
    expect(active.rows.map((r: { value: number }) => r.value)).toEqual([1, 1]);
    expect(active.total.value).toBe(1);
  });
});

describe('the total of an additive series', () => {
  it('adds its rows exactly, at the largest scale of the rows, with the orders behind money, and is 0 over none', () => {
    expect(totalOfRows([{ value: '0.10', orders: 1 }, { value: '0.20', orders: 2 }, { value: '9191.56', orders: 13 }], 'money')).toEqual({ value: '9191.86', orders: 16 });
    expect(totalOfRows([{ value: '1.5' }, { value: '2' }, { value: null }], 'money')).toEqual({ value: '3.5', orders: 0 });
    expect(totalOfRows([{ value: '3' }, { value: '4' }], 'count')).toEqual({ value: '7' });
    expect(totalOfRows([], 'money')).toEqual({ value: '0', orders: 0 });
  });
});

describe('formats of the instance’s locale', () => {
  it('groups every number as es-ES does, counts included, and keeps counts as numbers in JSON', async () => {
    const outcome = await ask(deps, 'turnover katuma 2026-10');
    const text = renderText(outcome);
    expect(text).toMatch(/9\.191,86\s€/); // es-ES puts a no-break space before the sign
    expect(text).toContain('(de 16 pedidos)');
    const json = JSON.parse(renderJson(outcome));
    expect(json.orders).toBe(16);
    const orders = renderText(await ask(deps, 'orders katuma 2026-01-01..2026-10-31'));
    expect(orders).toMatch(/\b16\b/);
  });

  it('shows readable billing statuses and counts in the locale', async () => {
    const text = renderText(await ask(deps, 'billing katuma 2026-10', state.db));
    expect(text).not.toContain('below_minimum');
  });

  it('says "1 instance", not "1 instances"', async () => {
    const growth = await ask(deps, 'growth katuma 2026');
    // Read in English (--lang en) and in the instance's own language (Spanish, from es-ES).
    expect(renderText(growth, 'en')).toContain('Growth · 1 instance ·');
    expect(renderText(growth)).toContain('Crecimiento · 1 instancia ·');
  });
});

describe('a list means what its period says', () => {
  it('lists what existed at the end of the period, as count counts it', async () => {
    const count = JSON.parse(renderJson(await ask(deps, 'count shops katuma 2025')));
    const list = JSON.parse(renderJson(await ask(deps, 'list shops katuma 2025')));
    expect(count.value).toBe(1);
    expect(list.total_rows).toBe(1);
    expect(list.rows.map((r: { name: string }) => r.name)).toEqual(['Mercat Verd']);
  });
});

describe('errors that name the real problem', () => {
  it('checks the range of N before guessing a year', async () => {
    await expect(ask(deps, 'top-shops 1000 katuma')).rejects.toMatchObject({ code: 'BadArguments', message: expect.stringContaining('between 1 and') });
  });

  it('reads a month typed as a word, and says what is wrong with a period that cannot be read (issue 18)', async () => {
    const october = await ask(deps, 'turnover katuma octubre');
    expect(october.kind === 'answer' && october.answer.question).toBe('turnover katuma october');
    const q = await ask(deps, 'turnover katuma Q5').catch((e: unknown) => e);
    expect(q).toMatchObject({ code: 'BadPeriod', message: expect.stringContaining('Quarters are Q1 to Q4') });
    // Not "neither an instance nor a period" with UnknownInstance: a word the question does not know.
    const unknown = await ask(deps, 'turnover katuma zzzz').catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'BadArguments', message: expect.stringContaining("I don't understand `zzzz` in `turnover`") });
  });

  it('gives the list of accepted forms only when nothing more specific can be said', async () => {
    const year = (await ask(deps, 'turnover katuma 1999').catch((e: unknown) => e)) as { hint?: string; message: string };
    expect(year.message).toContain('Years go from');
    expect(year.hint).toBeUndefined();
  });
});
