import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { ask } from '../src/commands/pipeline.js';
import { parseConfig } from '../src/installation.js';
import { createLogger } from '../src/core/log.js';
import { DeliveryWorker } from '../src/jobs/outbox.js';
import { composeBilling, enqueueMonthlyBilling } from '../src/jobs/start-jobs.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import { renderCsv } from '../src/render/csv.js';
import { renderJson } from '../src/render/json.js';
import { renderText } from '../src/render/text.js';
import type { Deps } from '../src/commands/types.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { createStateStore } from './support/state.js';

/**
 * Katuma (Europe/Madrid) billing for October 2026 with the plan below, hand-computed:
 *  A hub, 2020:   300.00 (Oct 31 23:30 local) + 200.00 (Oct 1 00:15 local = Sep 30 UTC) + 10.00 resumed
 *                 (not: 50.00 on Nov 1 00:30 local, 1000.00 canceled, 77.00 returned) → 510.00
 *                 charge 5 + 2% = 15.20, tax 21% = 3.192 → 3.19, total 18.39, billed
 *  B shop, 2020:  2000.00 → 5 + 40 = 45 capped at 20.00, tax 4.20, total 24.20, billed
 *  C shop, 2020:  99.99 → below_minimum (100)
 *  D shop created 2026-10-05: 500.00 → trial (30 days, not over when October began)
 *  E shop created 2026-11-01 00:01 local (Oct 31 UTC): not billable for October
 *  F profile (sells none): not billable
 * Totals: turnover 3109.99, charge 35.20, tax 7.39, total 42.59; 2 billed, 1 trial, 1 below the minimum.
 */
const TZ = 'Europe/Madrid';
let replica: TestDatabase;
let state: Awaited<ReturnType<typeof createStateStore>>;
let fake: FakeSlack;
let deps: Deps & { close(): Promise<void> };
let clock = new Date('2026-11-15T12:00:00Z');
let bOrder: number;
const ids: Record<string, number> = {};

beforeAll(async () => {
  replica = await createTestDatabase('billing');
  const f = new OfnFixture(replica.client);
  ids.A = await f.enterprise({ name: 'Mercat Verd', sells: 'any' });
  ids.B = await f.enterprise({ name: 'Horta Nord', sells: 'own', is_primary_producer: true });
  ids.C = await f.enterprise({ name: 'Petit Rebost', sells: 'any' });
  ids.D = await f.enterprise({ name: 'Cistella Nova', sells: 'any', created_at: utc('2026-10-05 10:00', TZ) });
  ids.E = await f.enterprise({ name: 'Hort Tardà', sells: 'any', created_at: utc('2026-11-01 00:01', TZ) });
  ids.F = await f.enterprise({ name: 'Granja Sol', sells: 'none', is_primary_producer: true });
  const o = (id: number, local: string, total: string, state = 'complete') => f.order(id, { total, state, completed_at: utc(local, TZ) });
  await o(ids.A!, '2026-10-31 23:30', '300.00');
  await o(ids.A!, '2026-10-01 00:15', '200.00');
  await o(ids.A!, '2026-10-12 10:00', '10.00', 'resumed');
  await o(ids.A!, '2026-11-01 00:30', '50.00');
  await o(ids.A!, '2026-10-20 10:00', '1000.00', 'canceled');
  await o(ids.A!, '2026-10-21 10:00', '77.00', 'returned');
  bOrder = await o(ids.B!, '2026-10-15 10:00', '2000.00');
  await o(ids.C!, '2026-10-15 10:00', '99.99');
  await o(ids.D!, '2026-10-15 10:00', '500.00');
  await o(ids.E!, '2026-11-01 10:00', '500.00');
  state = await createStateStore();
  fake = await startFakeSlack({ botToken: 'xoxb-bill' });
  const config = parseConfig(
    {
      instances: {
        katuma: {
          name: 'Katuma',
          replica: replica.url,
          timezone: TZ,
          currency: 'EUR',
          billing: { minimumTurnover: 100, fixed: 5, rate: 0.02, cap: 20, taxRate: 0.21, trialDays: 30, channel: 'C0BILL001', postAt: '09:00' },
        },
        // The same data, without a billing plan.
        plain: { name: 'Plain Food', replica: replica.url, timezone: TZ, currency: 'EUR' },
      },
      access: [{ channel: 'C0BILL001', instances: ['katuma'], billing: true }],
    },
    {},
    'test',
  );
  const replicas = new ReplicaSet(config);
  deps = { config, replica: (id) => replicas.get(id), now: () => clock, close: () => replicas.closeAll() };
});

afterAll(async () => {
  await deps?.close();
  await fake?.close();
  await state?.drop();
  await replica?.drop();
});

// A story, in this order: the month is computed, posted on the 1st, a late cancellation then shows as a
// change since sending. Shuffled runs (--sequence.shuffle) keep it in order.
describe('billing a month', { shuffle: false }, () => {
  it('computes each line and the totals from the official turnover of the local month', async () => {
    const json = JSON.parse(renderJson(await ask(deps, 'billing katuma 2026-10', state.db)));
    expect(json).toMatchObject({ instance: 'katuma', month: '2026-10', currency: 'EUR', totals: { turnover: 3109.99, charge: 35.2, tax: 7.39, total: 42.59 } });
    expect(json.rows).toEqual([
      { enterprise_id: ids.B, name: 'Horta Nord', turnover: 2000, orders: 1, charge: 20, tax: 4.2, total: 24.2, status: 'billed' },
      { enterprise_id: ids.A, name: 'Mercat Verd', turnover: 510, orders: 3, charge: 15.2, tax: 3.19, total: 18.39, status: 'billed' },
      { enterprise_id: ids.C, name: 'Petit Rebost', turnover: 99.99, orders: 1, charge: 0, tax: 0, total: 0, status: 'below_minimum' },
      { enterprise_id: ids.D, name: 'Cistella Nova', turnover: 500, orders: 1, charge: 0, tax: 0, total: 0, status: 'trial' },
    ]);
  });

  it('defaults to last month and writes the CSV columns', async () => {
    const csv = renderCsv(await ask(deps, 'billing katuma', state.db)).split('\r\n');
    // `provisional`: false for a month that is over (issue 13).
    expect(csv[0]).toBe('enterprise_id,name,category,created_date,turnover,orders,charge,tax,total,status,provisional');
    expect(csv[1]).toBe(`${ids.B},Horta Nord,Producer Shop,2020-01-01,2000.00,1,20.00,4.20,24.20,billed,false`);
    expect(csv).toContain(`${ids.D},Cistella Nova,Hub Shop,2026-10-05,500.00,1,0.00,0.00,0.00,trial,false`);
    expect(renderText(await ask(deps, 'billing katuma', state.db))).toContain('2 billed · 1 in trial · 1 below the minimum');
  });

  it('posts the previous month once on the 1st at the configured local time, across processes, and shows it again as sent', async () => {
    const logger = createLogger('silent');
    clock = new Date('2026-11-01T07:59:00Z'); // 08:59 in Madrid: not yet
    expect(await enqueueMonthlyBilling(state.db, deps, clock, logger)).toBe(0);
    clock = new Date('2026-11-01T08:00:30Z');
    const other = await (await import('../src/state/store.js')).openStateStore({ url: state.url });
    try {
      const enqueued = await Promise.all([enqueueMonthlyBilling(state.db, deps, clock, logger), enqueueMonthlyBilling(other.db, deps, clock, logger)]);
      expect(enqueued.sort()).toEqual([0, 1]);
      const client = new WebClient('xoxb-bill', { slackApiUrl: fake.url, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
      const worker = (db: typeof state.db) =>
        new DeliveryWorker({ db, client, logger, compose: (d) => composeBilling(db, deps, d.source as { instance: string; month: string }, d.channel_id), onChannelGone: async () => {} });
      await Promise.all([worker(state.db).drain(), worker(other.db).drain()]);
      const posts = fake.calls.filter((c) => c.method === 'chat.postMessage' && c.ok && c.body.channel === 'C0BILL001');
      expect(posts).toHaveLength(1);
      expect(posts[0]!.body.text).toContain('€42.59');
      const csv = await fake.waitFor(() => fake.sharedFiles.find((f) => f.filename === 'billing-katuma-2026-10.csv'));
      expect(csv.channelId).toBe('C0BILL001');
      expect(csv.bytes.toString()).toContain('Horta Nord');
      // A restart later that day enqueues nothing new.
      expect(await enqueueMonthlyBilling(state.db, deps, new Date('2026-11-01T15:00:00Z'), logger)).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('reports changes since sending, while as-sent reproduces what was posted', async () => {
    clock = new Date('2026-11-20T12:00:00Z');
    await replica.client.query("update spree_orders set state = 'canceled' where id = $1", [bOrder]); // a late cancellation
    const now = await ask(deps, 'billing katuma 2026-10', state.db);
    const text = renderText(now);
    expect(text).toContain('Changed since it was sent');
    expect(text).toContain('Horta Nord');
    expect(JSON.parse(renderJson(now)).totals.total).toBe(18.39);
    const sent = JSON.parse(renderJson(await ask(deps, 'billing katuma 2026-10 as-sent', state.db)));
    expect(sent.totals).toEqual({ turnover: 3109.99, charge: 35.2, tax: 7.39, total: 42.59 });
    expect(sent.rows[0]).toMatchObject({ name: 'Horta Nord', total: 24.2 });
  });

  it('takes a month written as any question writes it, and refuses a period that is not one month', async () => {
    const october = renderJson(await ask(deps, 'billing katuma 2026-10', state.db));
    for (const q of ['billing katuma october', 'billing katuma octubre de 2026', 'billing katuma el mes pasado', 'billing katuma Oktober 2026', 'billing katuma last-month']) {
      expect(renderJson(await ask(deps, q, state.db)), q).toBe(october);
    }
    expect(JSON.parse(renderJson(await ask(deps, 'billing katuma this-month', state.db)))).toMatchObject({ month: '2026-11', provisional: true });
    for (const q of ['billing katuma 2026', 'billing katuma Q3', 'billing katuma last-3-months', 'billing katuma 2026-10-05']) {
      await expect(ask(deps, q, state.db), q).rejects.toMatchObject({ code: 'BadPeriod', message: expect.stringContaining('Billing is by calendar month') });
    }
  });

  it('refuses a month that does not exist, a month never sent as-sent, and an instance without a plan', async () => {
    await expect(ask(deps, 'billing katuma 2026-13', state.db)).rejects.toMatchObject({ code: 'BadPeriod' });
    await expect(ask(deps, 'billing katuma 2025-01 as-sent', state.db)).rejects.toMatchObject({ code: 'NotFound' });
    await expect(ask(deps, 'billing plain 2026-10', state.db)).rejects.toMatchObject({ code: 'BadArguments', message: expect.stringContaining('Plain Food has no billing plan') });
  });
});
