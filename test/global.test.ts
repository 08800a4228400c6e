import { operatorGrant } from '../src/core/access.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import pg from 'pg';
import { ask } from '../src/commands/pipeline.js';
import { parseConfig, type Config } from '../src/installation.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import { globalChartSpec } from '../src/render/answer-chart.js';
import { renderJson } from '../src/render/json.js';
import { renderText } from '../src/render/text.js';
import type { Deps } from '../src/commands/types.js';
import { createOfnSchema } from '../src/seed/generate.js';
import { startCluster, type Cluster } from './support/postgres-cluster.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';

/**
 * Three instances asked on 2026-11-15: Katuma (Madrid, EUR), Australia (Melbourne, AUD, an older OFN
 * release without enterprises.external_billing_id) and the UK (London, GBP) on a cluster of its own
 * that is stopped mid-suite. Last month is each instance's own October:
 *  katuma 100.00 EUR (Oct 31 23:30 local; 999.00 on Nov 1 00:30 local is November)
 *  au     200.00 AUD (Oct 1 00:30 local = Sep 30 UTC; 50.00 on Nov 1 08:00 local = Oct 31 UTC is November)
 *  uk     300.00 GBP
 * With AUD 0.61 for 2026-10 (flat 0.6) and GBP 1.15: 100 + 122 + 345 = 567.00 EUR.
 */
const NOW = new Date('2026-11-15T12:00:00Z');
let katuma: TestDatabase;
let au: TestDatabase;
let ukCluster: Cluster;
let ukUrl: string;
let blackhole: Server;
let blackholePort: number;
let config: Config;
let replicas: ReplicaSet;
let deps: Deps;

beforeAll(async () => {
  katuma = await createTestDatabase('g_katuma');
  const k = new OfnFixture(katuma.client);
  const kShop = await k.enterprise({ name: 'Mercat Verd', sells: 'any' });
  await k.order(kShop, { total: '100.00', completed_at: utc('2026-10-31 23:30', 'Europe/Madrid') });
  await k.order(kShop, { total: '999.00', completed_at: utc('2026-11-01 00:30', 'Europe/Madrid') });

  au = await createTestDatabase('g_au');
  await au.client.query('alter table enterprises drop column external_billing_id'); // an OFN release before 2024-11
  const a = new OfnFixture(au.client);
  const owner = await a.user();
  const aShop = (await au.client.query(`insert into enterprises (name, permalink, sells, visible, created_at, updated_at, owner_id) values ('Sunny Hen Eggs', 'sunny', 'own', 'public', '2020-01-01', '2020-01-01', $1) returning id`, [owner])).rows[0].id;
  await a.order(aShop, { total: '200.00', completed_at: utc('2026-10-01 00:30', 'Australia/Melbourne') });
  await a.order(aShop, { total: '50.00', completed_at: utc('2026-11-01 08:00', 'Australia/Melbourne') });

  ukCluster = await startCluster();
  const admin = new pg.Client({ connectionString: ukCluster.url });
  await admin.connect();
  await createOfnSchema(admin);
  const u = new OfnFixture(admin);
  const uShop = await u.enterprise({ name: 'Stroud Food Hub', sells: 'any' });
  await u.order(uShop, { total: '300.00', completed_at: utc('2026-10-15 12:00', 'Europe/London') });
  await admin.end();
  ukUrl = ukCluster.url;

  // A replica that accepts connections and never answers (a hung network path).
  blackhole = createServer(() => {});
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  blackholePort = (blackhole.address() as { port: number }).port;

  config = parseConfig(
    {
      reportingCurrency: 'EUR',
      exchangeRates: { AUD: 0.6, GBP: 1.15, '2026-10': { AUD: 0.61 } },
      fanOutTimeoutSeconds: 1,
      instances: {
        katuma: { name: 'Katuma', replica: katuma.url, timezone: 'Europe/Madrid', currency: 'EUR' },
        au: {
          name: 'OFN Australia',
          replica: au.url,
          timezone: 'Australia/Melbourne',
          currency: 'AUD',
          billing: { fixed: 5, rate: 0.02, groupBy: 'external_billing_id' },
        },
        uk: { name: 'OFN UK', replica: ukUrl, timezone: 'Europe/London', currency: 'GBP' },
        hung: { name: 'Hung', replica: `postgres://x@127.0.0.1:${blackholePort}/x`, timezone: 'UTC', currency: 'EUR', statementTimeoutSeconds: 2 },
      },
    },
    {},
    'test',
  );
  replicas = new ReplicaSet(config);
  deps = { config, replica: (id) => replicas.get(id), now: () => NOW };
});

afterAll(async () => {
  await replicas?.closeAll();
  blackhole?.close();
  ukCluster?.stop();
  await katuma?.drop();
  await au?.drop();
});

describe('questions across instances', () => {
  it('answers each instance for its own last month and converts the total to the reporting currency', async () => {
    const outcome = await ask(deps, 'turnover katuma,au,uk last-month');
    const json = JSON.parse(renderJson(outcome));
    expect(json.rows.map((r: any) => [r.instance, r.value, r.currency])).toEqual([
      ['katuma', 100, 'EUR'],
      ['au', 200, 'AUD'],
      ['uk', 300, 'GBP'],
    ]);
    expect(json.rows[1].period.from).toBe('2026-10-01T00:00:00.000+10:00');
    expect(json.total).toEqual({
      value: 567,
      currency: 'EUR',
      partial: false,
      rates: [
        { currency: 'AUD', rate: '0.61', month: '2026-10' },
        { currency: 'GBP', rate: '1.15' },
      ],
    });
    expect(json.warnings).toEqual([]);
    expect(renderText(outcome)).toContain('Total: €567.00 at 1 AUD = 0.61 EUR (2026-10), 1 GBP = 1.15 EUR');
  });

  it('sums counts without conversion', async () => {
    const json = JSON.parse(renderJson(await ask(deps, 'orders katuma,au,uk last-month')));
    expect(json.total).toMatchObject({ value: 3, currency: null, partial: false });
  });

  it('gives a partial answer when a replica hangs, naming it as past the fan-out deadline', async () => {
    // The warning comes from the 1 s fan-out deadline; a hang noticed only by the 5 s connect timeout
    // would say "is not answering". How long the answer takes is measured by bench/fanout.ts.
    const json = JSON.parse(renderJson(await ask(deps, 'turnover all last-month')));
    expect(json.rows.map((r: any) => r.instance)).toEqual(['katuma', 'au', 'uk']);
    expect(json.warnings).toEqual([{ instance: 'hung', message: "Hung's replica did not answer in 1 s." }]);
    expect(json.total).toMatchObject({ value: 567, partial: true });
  });

  it('bills an instance on an older OFN release without external_billing_id', async () => {
    const json = JSON.parse(renderJson(await ask(deps, 'billing au 2026-10')));
    expect(json.rows).toEqual([expect.objectContaining({ name: 'Sunny Hen Eggs', turnover: 200, charge: 9, total: 9, status: 'billed' })]);
  });

  it('draws one series per instance, normalised to the reporting currency, and shows growth', async () => {
    const outcome = await ask(deps, 'compare turnover katuma,au,uk 2026-09-01..2026-11-30');
    expect(outcome.kind).toBe('global');
    if (outcome.kind !== 'global') return;
    const spec = globalChartSpec(outcome.answer, config)!;
    expect(spec.datasets.map((d) => d.label)).toEqual(['Katuma', 'OFN Australia', 'OFN UK']);
    expect(spec.labels).toHaveLength(3);
    expect(spec.datasets[1]!.values).toEqual([0, 122, 30]); // AUD: Oct at 0.61, Nov 50 at the flat 0.6
    expect(spec.valueFormat).toMatchObject({ style: 'currency', currency: 'EUR' });
    const growth = JSON.parse(renderJson(await ask(deps, 'growth katuma,au 2026-10')));
    // Issue 16: `all` and lists give one block per instance (and the instances added up).
    expect(growth.instances.map((i: any) => [i.instance, i.rows.map((r: any) => [r.month, r.new_profiles, r.new_shops, r.active_shops])])).toEqual([
      ['katuma', [['2026-10', 0, 0, 1]]],
      ['au', [['2026-10', 0, 0, 1]]],
    ]);
  });

  it('sends a pulse on an all question as a global digest', async () => {
    const { composePulse } = await import('../src/jobs/pulses.js');
    const message = await composePulse(deps, { pulseId: 9, question: 'turnover katuma,au,uk last-month', slotLocal: '2026-11-16T09:00', slotAt: '2026-11-16T08:00:00Z', timezone: 'Europe/Madrid', late: false, onlyIfResults: true }, operatorGrant(deps.config));
    const text = JSON.stringify(message!.blocks);
    expect(text).toContain('Total: €567.00');
    expect(text).toContain('OFN Australia');
    expect(text).toContain('Pulse #9');
  });

  it('keeps answering from the others when a replica is stopped mid-suite', async () => {
    ukCluster.pause();
    try {
      const json = JSON.parse(renderJson(await ask(deps, 'turnover katuma,au,uk last-month')));
      expect(json.rows.map((r: any) => r.instance)).toEqual(['katuma', 'au']);
      expect(json.warnings).toEqual([{ instance: 'uk', message: expect.stringMatching(/^OFN UK's replica (is not answering|did not answer)/) }]);
      expect(json.total).toMatchObject({ value: 222, currency: 'EUR', partial: true });
    } finally {
      ukCluster.resume();
    }
    // Back up: the same pool reconnects.
    const again = JSON.parse(renderJson(await ask(deps, 'turnover uk last-month')));
    expect(again.value).toBe(300);
  });
});
