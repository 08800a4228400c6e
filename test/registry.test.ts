import { operatorGrant } from '../src/core/access.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledQuery } from 'kysely';
import { ask } from '../src/commands/pipeline.js';
import { commandTable } from '../src/commands/index.js';
import type { Deps } from '../src/commands/types.js';
import { parseConfig } from '../src/installation.js';
import { OfnError } from '../src/core/errors.js';
import { composePulse } from '../src/jobs/pulses.js';
import { SELECTABLE_COLUMNS } from '../src/queries/ofn-tables.js';
import { Replica } from '../src/queries/replica.js';
import { chartSpecFor } from '../src/render/answer-chart.js';
import { renderJson } from '../src/render/json.js';
import { renderText } from '../src/render/text.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { personalColumnViolations } from './support/personal-data.js';

const TZ = 'Europe/Madrid';
const NOW = new Date('2026-11-15T12:00:00Z');

/** The example config's custom definitions (README "Shared definitions"). */
const CUSTOM = {
  segments: {
    'organic-hubs': { of: 'hubs', inGroup: 'Organic', description: 'Hubs in the Organic group.' },
    'spanish-shops': { of: 'shops', country: 'ES' },
    'organic-active': { of: 'organic-hubs', active: true },
  },
  metrics: {
    'goods-turnover': { sum: 'item_total', of: 'sales-orders', description: 'Goods only, without fees and shipping.' },
    'ex-tax-turnover': { sum: 'ex_tax_total', of: 'sales-orders' },
    'hub-orders': { count: 'sales-orders', for: 'hubs' },
    'organic-hub-count': { count: 'organic-hubs' },
  },
};

const ALIASES: Record<string, keyof typeof SELECTABLE_COLUMNS> = {
  e: 'enterprises', enterprises: 'enterprises', o: 'spree_orders', so: 'spree_orders', spree_orders: 'spree_orders',
  a: 'spree_addresses', spree_addresses: 'spree_addresses', c: 'spree_countries', spree_countries: 'spree_countries',
  g: 'enterprise_groups', ge: 'enterprise_groups_enterprises',
};

/**
 * Two checks on a compiled query: every alias.column it reads is one src/queries/ofn-tables.ts declares
 * selectable (the code keeping its own promise), and it names no personal column or forbidden table from
 * the list written in test/support/personal-data.ts (independent of that code), quoted or not.
 */
function columnViolations(query: CompiledQuery): string[] {
  const problems: string[] = [];
  for (const m of query.sql.matchAll(/"?\b([a-z_]+)"?\."?([a-z_]+)"?/g)) {
    const [, alias, column] = m as unknown as [string, string, string];
    const table = ALIASES[alias];
    if (!table) continue; // a subquery alias such as s.turnover, or information_schema
    if (!SELECTABLE_COLUMNS[table].includes(column)) problems.push(`${alias}.${column} (${table}) is not declared selectable`);
  }
  return [...problems, ...personalColumnViolations(query.sql)];
}

let db: TestDatabase;
let bare: TestDatabase;
const captured: CompiledQuery[] = [];

function depsFor(url: string, extra: Record<string, unknown> = {}): Deps & { close(): Promise<void> } {
  const config = parseConfig({ instances: { katuma: { name: 'Katuma', replica: url, timezone: TZ, currency: 'EUR' } }, ...CUSTOM, ...extra }, {}, 'test');
  const replica = Replica.connect(config.instances.get('katuma')!, undefined, (event) => {
    if (event.level === 'query') captured.push(event.query);
  });
  return { config, replica: () => replica, now: () => NOW, close: () => replica.close() };
}

async function fill(f: OfnFixture, client: TestDatabase['client']) {
  const spain = await f.country('ES', 'Spain');
  const france = await f.country('FR', 'France');
  const girona = await f.address(spain, { city: 'Girona' });
  const lyon = await f.address(france, { city: 'Lyon' });
  const organic = (await client.query("insert into enterprise_groups (name, permalink) values ('Organic', 'organic') returning id")).rows[0].id;
  const hubA = await f.enterprise({ name: 'Mercat Verd', sells: 'any', address_id: girona, created_at: utc('2026-10-03 10:00', TZ) });
  const hubB = await f.enterprise({ name: 'Marché Bio', sells: 'any', address_id: lyon });
  const shop = await f.enterprise({ name: 'Horta Nord', sells: 'own', is_primary_producer: true, address_id: girona });
  await f.enterprise({ name: 'Granja Sol', sells: 'none', is_primary_producer: true });
  await client.query('insert into enterprise_groups_enterprises (enterprise_group_id, enterprise_id) values ($1, $2)', [organic, hubA]);
  // Totals with fees and tax so that total, item_total and ex-tax differ.
  const order = async (id: number, total: string, item: string, tax: string, local: string) => {
    const oid = await f.order(id, { total, item_total: item, completed_at: utc(local, TZ) });
    await client.query('update spree_orders set included_tax_total = $1 where id = $2', [tax, oid]);
  };
  await order(hubA, '110.00', '100.00', '10.00', '2026-10-10 10:00');
  await order(hubB, '55.50', '50.00', '5.05', '2026-10-11 10:00');
  await order(shop, '20.00', '20.00', '0.00', '2026-10-12 10:00');
}

beforeAll(async () => {
  db = await createTestDatabase('registry');
  await fill(new OfnFixture(db.client), db.client);
  bare = await createTestDatabase('nopersonal');
  await fill(new OfnFixture(bare.client), bare.client);
  // A central replica that does not replicate personal tables at all.
  await bare.client.query('drop table customers, spree_addresses, spree_users cascade');
});

afterAll(async () => {
  await db?.drop();
  await bare?.drop();
});

describe('the registry of metrics and segments', () => {
  it('lists built-in and custom definitions and defines one in full', async () => {
    const deps = depsFor(db.url);
    try {
      const metrics = renderText(await ask(deps, 'metrics'));
      expect(metrics).toContain('turnover');
      expect(metrics).toContain('goods-turnover');
      expect(metrics).toContain('(custom)');
      const segments = renderText(await ask(deps, 'segments'));
      for (const name of ['shops', 'hubs', 'producers', 'active-shops', 'profile-only', 'unfinished', 'visible-shops', 'organic-hubs']) expect(segments).toContain(name);
      expect(renderText(await ask(deps, 'define organic-hubs'))).toContain('Definition: hubs AND member of the group "Organic".');
      expect(renderText(await ask(deps, 'define turnover'))).toContain('sum of spree_orders.total');
      await expect(ask(deps, 'define turnovr')).rejects.toThrow(/Did you mean `turnover`/);
    } finally {
      await deps.close();
    }
  });

  it('answers with custom metrics and segments in questions, breakdowns, charts, all and pulses', async () => {
    const deps = depsFor(db.url);
    try {
      const scalar = async (q: string) => JSON.parse(renderJson(await ask(deps, q))).value;
      expect(await scalar('turnover katuma last-month')).toBe(185.5);
      expect(await scalar('goods-turnover katuma last-month')).toBe(170);
      expect(await scalar('ex-tax-turnover katuma last-month')).toBe(170.45);
      expect(await scalar('hub-orders katuma last-month')).toBe(2);
      expect(await scalar('organic-hub-count katuma')).toBe(1);
      expect(await scalar('turnover katuma last-month for organic-hubs')).toBe(110);
      expect(await scalar('orders katuma last-month for producer-shops')).toBe(1);
      expect(await scalar('count spanish-shops katuma')).toBe(2);
      expect(await scalar('count organic-active katuma last-month')).toBe(1);
      expect(await scalar('count active-shops katuma 2026-09')).toBe(0);
      const list = JSON.parse(renderJson(await ask(deps, 'list hubs katuma')));
      expect(list.rows).toEqual([
        expect.objectContaining({ name: 'Mercat Verd', category: 'Hub Shop', town: 'Girona', country: 'Spain', created_date: '2026-10-03' }),
        expect.objectContaining({ name: 'Marché Bio', town: 'Lyon', country: 'France' }),
      ]);
      const series = await ask(deps, 'goods-turnover katuma 2026-09-01..2026-11-30 by month');
      expect(series.kind === 'answer' && chartSpecFor(series.answer)?.datasets[0]!.values).toEqual([0, 170, 0]);
      const global = JSON.parse(renderJson(await ask(deps, 'goods-turnover all last-month')));
      expect(global.total).toMatchObject({ value: 170, currency: 'EUR' });
      const pulse = await composePulse(deps, { pulseId: 1, question: 'turnover katuma last-month for organic-hubs', slotLocal: '2026-11-15T09:00', slotAt: '2026-11-15T08:00:00Z', timezone: TZ, late: false, onlyIfResults: false }, operatorGrant(deps.config));
      expect(JSON.stringify(pulse!.blocks)).toContain('€110.00');
    } finally {
      await deps.close();
    }
  });

  it('refuses invalid custom definitions with the path of the field', () => {
    const refuse = (extra: Record<string, unknown>) => {
      try {
        parseConfig({ instances: { katuma: { name: 'K', replica: 'postgres://x@y/z', timezone: TZ, currency: 'EUR' } }, ...extra }, {}, 'ofn-insights.yml');
      } catch (e) {
        expect(e).toBeInstanceOf(OfnError);
        return (e as OfnError).message;
      }
      throw new Error('expected a refusal');
    };
    expect(refuse({ metrics: { m: { sum: 'discount' } } })).toContain('metrics.m: a lower-case name');
    expect(refuse({ metrics: { mine: { sum: 'discount' } } })).toContain('metrics.mine.sum: a metric may add up total, item_total, ex_tax_total');
    expect(refuse({ metrics: { mine: { sum: 'email' } } })).toContain('metrics.mine.sum: email is personal data and never available');
    expect(refuse({ segments: { mine: { of: 'shops', email_address: 'x' } } })).toContain('segments.mine.email_address: email_address is personal data');
    expect(refuse({ segments: { mine: { of: 'nothing' } } })).toContain('segments.mine.of: unknown segment nothing');
    expect(refuse({ segments: { one: { of: 'two' }, two: { of: 'one' } } })).toContain('a loop between definitions: one → two → one');
    expect(refuse({ segments: { mine: { sells: 'everything' } } })).toContain('segments.mine.sells: everything is not one of none, own, any, unspecified');
    expect(refuse({ metrics: { mine: { sum: 'total', per: 'x' } } })).toContain('metrics.mine.per: unknown key');
  });

  it('selects only declared, non-personal columns in every query any question builds', async () => {
    const deps = depsFor(db.url);
    captured.length = 0;
    try {
      const table = commandTable(deps.config.registry);
      const segments = [...deps.config.registry.segments.keys()];
      let asked = 0;
      for (const command of table.commands) {
        const questions =
          command.name === 'count' || command.name === 'list'
            ? segments.map((s) => `${command.name} ${s} katuma last-month`)
            : [`${command.name} katuma last-month`, ...(/\[by ([a-z|]+)\]/.exec(command.usage)?.[1]?.split('|') ?? []).map((b) => `${command.name} katuma last-month by ${b}`), ...(command.usage.includes('for <segment>') ? segments.map((s) => `${command.name} katuma last-month for ${s}`) : [])];
        for (const q of questions) {
          await ask(deps, q);
          asked++;
        }
      }
      await ask(deps, 'turnover all last-month');
      expect(asked).toBeGreaterThan(80);
      expect(captured.length).toBeGreaterThan(80);
      const problems = captured.flatMap(columnViolations);
      expect(problems).toEqual([]);
      // The guard itself sees a personal or undeclared column when one is there, quoted or not, and is not
      // fooled by a name inside a string literal or by the town (shown on purpose).
      const query = (text: string) => ({ sql: text, parameters: [] }) as unknown as CompiledQuery;
      const leaky = query(
        `select "e"."email_address", o.last_ip_address, "a"."city", 'email' as label from "enterprises" as "e"
           inner join spree_orders o on o.distributor_id = e.id left join "spree_addresses" as "a" on "a"."id" = "e"."address_id"`,
      );
      expect(columnViolations(leaky)).toEqual([
        'e.email_address (enterprises) is not declared selectable',
        'o.last_ip_address (spree_orders) is not declared selectable',
        'personal column enterprises.email_address',
        'personal column spree_orders.last_ip_address',
      ]);
      expect(columnViolations(query('select sum(total), email from spree_orders group by email'))).toEqual([
        'personal column email (of spree_orders, unqualified)',
        'personal column email (of spree_orders, unqualified)',
      ]);
      expect(columnViolations(query('select u.id from "spree_users" as "u" where u.reset_password_token is not null'))).toEqual(['personal column spree_users.reset_password_token']);
      expect(columnViolations(query('select count(*) from sessions'))).toEqual(['reads sessions, which the bot must never read']);
    } finally {
      await deps.close();
    }
  });

  it('keeps working on a replica without the personal tables', async () => {
    const deps = depsFor(bare.url);
    try {
      expect(JSON.parse(renderJson(await ask(deps, 'turnover katuma last-month'))).value).toBe(185.5);
      expect(JSON.parse(renderJson(await ask(deps, 'top-shops katuma last-month'))).rows).toHaveLength(3);
      const list = JSON.parse(renderJson(await ask(deps, 'list shops katuma')));
      expect(list.rows.map((r: any) => [r.name, r.town])).toEqual([
        ['Mercat Verd', null],
        ['Horta Nord', null],
        ['Marché Bio', null],
      ]);
      await expect(ask(deps, 'count spanish-shops katuma')).rejects.toMatchObject({ code: 'SchemaMismatch' });
    } finally {
      await deps.close();
    }
  });
});
