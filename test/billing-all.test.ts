import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask } from '../src/commands/pipeline.js';
import { createLogger } from '../src/core/log.js';
import { parseConfig } from '../src/installation.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import { renderCsv } from '../src/render/csv.js';
import { renderJson } from '../src/render/json.js';
import { renderText } from '../src/render/text.js';
import { startSlackServer, type RunningSlackServer } from '../src/slack/server.js';
import { recordBillingRun } from '../src/state/billing-runs.js';
import type { Deps } from '../src/commands/types.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { postSigned, slashCommandBody } from './support/slack-requests.js';
import { createStateStore } from './support/state.js';

/**
 * `billing all` (issue 15) and the plan named in every bill. Hand-computed, October 2026:
 *  katuma (EUR, Europe/Madrid), plan "Katuma classic": 5 + 2 %, cap 20, minimum 100, tax 21 %
 *    Mercat Verd 510.00 → 15.20 + 3.19 = 18.39;  Horta Nord 2000.00 → 20.00 (capped) + 4.20 = 24.20;  total 42.59
 *  au (AUD, Australia/Melbourne), plan "AU bands": below 1000 → 10, then 25; tax 10 %
 *    Bush Pantry 800.00 → 10.00 + 1.00 = 11.00;  Coast Co-op 1500.00 → 25.00 + 2.50 = 27.50;  total 38.50 AUD
 *    (an order at 23:30 on 31 Oct in Melbourne is 12:30 UTC, in October; one at 00:30 on 1 Nov is not)
 *  plain: no plan (named, not billed);  dead: a plan, and a replica that refuses connections.
 * Total in EUR at 1 AUD = 0.6 EUR: 42.59 + 23.10 = 65.69; partial, because dead did not answer.
 */
const MADRID = 'Europe/Madrid';
const MELBOURNE = 'Australia/Melbourne';
const SECRET = 'billing-all-secret';
let katuma: TestDatabase;
let au: TestDatabase;
let state: Awaited<ReturnType<typeof createStateStore>>;
let fake: FakeSlack;
let server: RunningSlackServer;
let replicas: ReplicaSet;
let deps: Deps;

beforeAll(async () => {
  katuma = await createTestDatabase('billall_k');
  au = await createTestDatabase('billall_au');
  const k = new OfnFixture(katuma.client);
  const a = await k.enterprise({ name: 'Mercat Verd', sells: 'any' });
  const b = await k.enterprise({ name: 'Horta Nord', sells: 'own', is_primary_producer: true });
  await k.order(a, { total: '300.00', completed_at: utc('2026-10-31 23:30', MADRID) });
  await k.order(a, { total: '210.00', completed_at: utc('2026-10-01 00:15', MADRID) });
  await k.order(b, { total: '2000.00', completed_at: utc('2026-10-15 10:00', MADRID) });
  const m = new OfnFixture(au.client);
  const x = await m.enterprise({ name: 'Bush Pantry', sells: 'any' });
  const y = await m.enterprise({ name: 'Coast Co-op', sells: 'any' });
  await m.order(x, { total: '800.00', completed_at: utc('2026-10-31 23:30', MELBOURNE) });
  await m.order(x, { total: '900.00', completed_at: utc('2026-11-01 00:30', MELBOURNE) });
  await m.order(y, { total: '1500.00', completed_at: utc('2026-10-10 09:00', MELBOURNE) });
  state = await createStateStore();
  fake = await startFakeSlack({ botToken: 'xoxb-billall' });
  const config = parseConfig(
    {
      reportingCurrency: 'EUR',
      exchangeRates: { AUD: 0.6 },
      instances: {
        katuma: { name: 'Katuma', replica: katuma.url, timezone: MADRID, currency: 'EUR', billing: { name: 'Katuma classic', minimumTurnover: 100, fixed: 5, rate: 0.02, cap: 20, taxRate: 0.21 } },
        au: { name: 'OFN Australia', replica: au.url, timezone: MELBOURNE, currency: 'AUD', locale: 'en-AU', billing: { name: 'AU bands', tiers: [{ upTo: 1000, charge: 10 }, { charge: 25 }], taxRate: 0.1 } },
        plain: { name: 'Plain Food', replica: katuma.url, timezone: MADRID, currency: 'EUR' },
        dead: { name: 'Dead Food', replica: 'postgres://nobody@127.0.0.1:1/none', timezone: MADRID, currency: 'EUR', billing: { fixed: 1 } },
      },
      access: [
        { channel: 'C0FIN0001', instances: ['*'], billing: true },
        { channel: 'C0KAT0001', instances: ['katuma'], billing: true },
        { channel: 'C0OPS0001', instances: ['*'] },
      ],
    },
    {},
    'test',
  );
  replicas = new ReplicaSet(config);
  deps = { config, replica: (id) => replicas.get(id), now: () => new Date('2026-11-15T12:00:00Z') };
  server = await startSlackServer({ deps, state: state.db, logger: createLogger('silent'), botToken: 'xoxb-billall', signingSecret: SECRET, port: 0, slackApiUrl: fake.url });
});

afterAll(async () => {
  await server?.stop(1_000);
  await replicas?.closeAll();
  await fake?.close();
  await state?.drop();
  await au?.drop();
  await katuma?.drop();
});

describe('billing all', () => {
  it('bills each instance in its own currency and zone, and totals in the reporting currency with the rate', async () => {
    const json = JSON.parse(renderJson(await ask(deps, 'billing all 2026-10', state.db)));
    const by = Object.fromEntries(json.instances.map((i: { instance: string }) => [i.instance, i]));
    expect(Object.keys(by).sort()).toEqual(['au', 'katuma']);
    expect(by.katuma).toMatchObject({ month: '2026-10', currency: 'EUR', totals: { turnover: 2510, charge: 35.2, tax: 7.39, total: 42.59 } });
    expect(by.au).toMatchObject({ month: '2026-10', currency: 'AUD', totals: { turnover: 2300, charge: 35, tax: 3.5, total: 38.5 } });
    expect(json.total).toEqual({ value: 65.69, currency: 'EUR', partial: true, rates: [{ currency: 'AUD', rate: '0.6' }] });
    expect(json.warnings).toEqual([
      { instance: 'plain', message: 'no billing plan in the config' },
      { instance: 'dead', message: expect.any(String) },
    ]);
  });

  it('names the plan used in every format', async () => {
    const outcome = await ask(deps, 'billing all 2026-10', state.db);
    const text = renderText(outcome);
    expect(text).toContain('Katuma: Plan Katuma classic: €5.00 + 2 % of turnover, at most €20.00; nothing below €100.00 turnover; tax 21 %');
    expect(text).toContain('OFN Australia: Plan AU bands: bands below $1,000.00 → $10.00, then $25.00; tax 10 %');
    expect(text).toContain('Total: €65.69 at 1 AUD = 0.6 EUR (partial: not every instance is included)');
    expect(text).toContain('⚠ Plain Food: no billing plan in the config');
    expect(text).toMatch(/⚠ Dead Food: /);
    const json = JSON.parse(renderJson(outcome));
    const au = json.instances.find((i: { instance: string }) => i.instance === 'au');
    expect(au.plan).toEqual({ name: 'AU bands', kind: 'tiers', minimum_turnover: '0', tiers: [{ up_to: '1000', charge: '10' }, { up_to: null, charge: '25' }], tax_rate: '0.1', trial_days: 0, group_by: null });
    const single = renderText(await ask(deps, 'billing katuma 2026-10', state.db));
    expect(single.split('\n')[1]).toBe('Plan Katuma classic: €5.00 + 2 % of turnover, at most €20.00; nothing below €100.00 turnover; tax 21 %');
  });

  it('writes every line of every instance to the CSV, each with its currency', async () => {
    const csv = renderCsv(await ask(deps, 'billing all 2026-10', state.db)).trim().split(/\r?\n/);
    expect(csv[0]).toBe('instance,month,currency,enterprise_id,name,category,created_date,turnover,orders,charge,tax,total,status,provisional');
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 3).concat(l.split(',').slice(-4, -2)).join(' ')).sort()).toEqual([
      'au 2026-10 AUD 2.50 27.50',
      'au 2026-10 AUD 1.00 11.00',
      'katuma 2026-10 EUR 3.19 18.39',
      'katuma 2026-10 EUR 4.20 24.20',
    ].sort());
  });

  it('sees only what the audience may see, and needs billing', async () => {
    const katumaOnly = JSON.parse(renderJson(await ask(deps, 'billing all 2026-10', state.db, { grant: { instances: new Set(['katuma']), billing: true, admin: false, via: 'caller', label: 'This channel' } })));
    expect(katumaOnly.instances.map((i: { instance: string }) => i.instance)).toEqual(['katuma']);
    expect(katumaOnly.total).toEqual({ value: 42.59, currency: 'EUR', partial: false, rates: [] });
    await expect(ask(deps, 'billing all', state.db, { grant: { instances: new Set(['katuma', 'au']), billing: false, admin: false, via: 'caller', label: 'This channel' } })).rejects.toThrow(/Billing answers need `billing: true`/);
    await expect(ask(deps, 'billing all katuma', state.db)).rejects.toThrow(/`all` and `katuma` together/);
  });

  it('shows the plan a post applied when shown as sent, and says when a post predates stored plans', async () => {
    const sent = await ask(deps, 'billing katuma 2026-10', state.db);
    if (sent.kind !== 'billing') throw new Error(sent.kind);
    await recordBillingRun(state.db, { instanceId: 'katuma', month: '2026-10', currency: 'EUR', lines: sent.lines, totals: sent.totals, hash: sent.hash, plan: sent.plan });
    await recordBillingRun(state.db, { instanceId: 'katuma', month: '2026-09', currency: 'EUR', lines: [], totals: sent.totals, hash: 'old', plan: null });
    expect(JSON.parse(renderJson(await ask(deps, 'billing katuma 2026-10 as-sent', state.db))).plan.name).toBe('Katuma classic');
    expect(renderText(await ask(deps, 'billing katuma 2026-09 as-sent', state.db))).toContain('Plan: not recorded (sent before plans were stored with each post)');
  });
});

describe('billing all in Slack', () => {
  let n = 0;
  async function say(text: string, channelId: string) {
    const id = `b${++n}`;
    await postSigned(`http://127.0.0.1:${server.port}/slack/events`, slashCommandBody(text, { channelId, userId: 'U0FIN0001', responseUrl: fake.responseUrl(id) }), SECRET);
    return (await fake.waitFor(() => fake.responses.find((r) => r.path.endsWith(`/${id}`) && r.status === 200))).body as { text: string; blocks: unknown[] };
  }

  it('answers with each instance, its plan and the total, and attaches every line as CSV', async () => {
    const before = fake.uploads.length;
    const reply = await say('billing all 2026-10', 'C0FIN0001');
    const blocks = JSON.stringify(reply.blocks);
    expect(reply.text).toBe('Billing · 2 instances · 2026-10: Total: €65.69 at 1 AUD = 0.6 EUR (partial: not every instance is included)');
    expect(blocks).toContain('Plan Katuma classic');
    expect(blocks).toContain('Plan AU bands');
    expect(blocks).toContain('OFN Australia');
    const upload = await fake.waitFor(() => fake.uploads.slice(before).find((u) => u.filename === 'billing-all-2026-10.csv'));
    expect(upload.bytes.toString('utf8').split('\n').filter((l) => l.startsWith('au,') || l.startsWith('katuma,'))).toHaveLength(4);
  });

  it('shows a channel granted one instance only that instance, and refuses a channel without billing', async () => {
    const one = await say('billing all 2026-10', 'C0KAT0001');
    expect(one.text).toBe('Billing · 1 instance · 2026-10: Total: €42.59');
    expect(JSON.stringify(one.blocks)).not.toContain('Australia');
    const refused = await say('billing all 2026-10', 'C0OPS0001');
    expect(refused.text).toContain('Billing answers need `billing: true`');
  });
});
