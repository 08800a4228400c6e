/**
 * Every OFN release since 2019: the same data on the schema of mid-2019, mid-2020 and the current
 * release, each generated from OFN's own db/schema.rb (test/fixtures/ofn-schema/), gives the same
 * answer to every question form, apart from the questions that need the tax totals OFN added in 2021.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask } from '../src/commands/pipeline.js';
import { commandTable } from '../src/commands/index.js';
import type { Deps } from '../src/commands/types.js';
import { OfnError } from '../src/core/errors.js';
import { parseConfig } from '../src/installation.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import { renderJson } from '../src/render/json.js';
import { seedOfnDatabase } from '../src/seed/generate.js';
import { FIXTURE_DIR, OFN_RELEASES, releaseDdl, type OfnRelease } from './support/ofn-schema-fixtures.js';
import { copyOfnRows, createScratchDatabase, type ScratchDatabase } from './support/ofn-schema-load.js';
import { parseSchemaRb, schemaRbToDdl } from './support/ofn-schema.js';

const TZ = 'Europe/Madrid';
const NOW = new Date('2026-11-15T12:00:00Z');
const PERIOD = 'last-12-months';

const [MID_2019, MID_2020, CURRENT] = OFN_RELEASES as [OfnRelease, OfnRelease, OfnRelease];
/** Instance ids: the bot's own seed schema (src/seed/ofn-schema.sql) and one per OFN release. */
const INSTANCES = { seed: undefined, r2026: CURRENT, r2020: MID_2020, r2019: MID_2019 } as const;
type InstanceId = keyof typeof INSTANCES;
const OLDER: readonly InstanceId[] = ['r2020', 'r2019'];

/** What the bot reads, in foreign-key order (line items, roles and versions are never read). */
const LOADED_TABLES = [
  'spree_countries', 'spree_states', 'spree_addresses', 'spree_users', 'enterprises', 'enterprise_groups',
  'enterprise_groups_enterprises', 'order_cycles', 'customers', 'spree_orders',
];

/** The tables src/seed/generate.ts writes (and indexes). */
const SEEDED_TABLES = [...LOADED_TABLES, 'enterprise_roles', 'spree_line_items', 'versions'];

/** Custom definitions covering every filter and money column, `visible` in both directions among them. */
const CUSTOM = {
  segments: {
    'organic-hubs': { of: 'hubs', inGroup: 'Katuma Organic' },
    'spanish-shops': { of: 'shops', country: 'ES' },
    'organic-active': { of: 'organic-hubs', active: true },
    'public-hubs': { of: 'hubs', visible: 'public' },
    'link-only-shops': { of: 'shops', visible: ['only_through_links'] },
    'public-producers': { producer: true, visible: ['public'] },
  },
  metrics: {
    'goods-turnover': { sum: 'item_total', of: 'sales-orders' },
    'ex-tax-turnover': { sum: 'ex_tax_total', of: 'sales-orders' },
    'hub-orders': { count: 'sales-orders', for: 'hubs' },
    'public-hub-orders': { count: 'sales-orders', for: 'public-hubs' },
    'visible-average': { avg: 'total', of: 'sales-orders', for: 'visible-shops' },
    'public-hub-count': { count: 'public-hubs' },
  },
};

/** Questions that read spree_orders.included_tax_total/additional_tax_total (OFN v3.5.11, 2021). */
const needsTaxTotals = (question: string) => /\bex-tax-turnover\b/.test(question);

let source: ScratchDatabase;
const releases = new Map<InstanceId, ScratchDatabase>();
let deps: Deps & { close(): Promise<void> };

beforeAll(async () => {
  source = await createScratchDatabase('releases_seed');
  await seedOfnDatabase(source.client, { scale: 'tiny', seed: 11, until: new Date('2026-11-15T00:00:00Z'), timezone: TZ, currency: 'EUR', namePrefix: 'Katuma' });
  // The fixture data is what every release can hold: `hidden` exists only since 2022 (a 2019 replica
  // has true/false), external_billing_id only since v5.0.11. The tax totals stay: they are the
  // documented difference.
  await source.client.query(`update enterprises set visible = 'only_through_links' where visible = 'hidden'`);
  await source.client.query('update enterprises set external_billing_id = null');
  for (const [id, release] of Object.entries(INSTANCES) as [InstanceId, OfnRelease | undefined][]) {
    if (!release) continue;
    const db = await createScratchDatabase(`releases_${id}`, release);
    await copyOfnRows(source.client, db.client, LOADED_TABLES);
    releases.set(id, db);
  }
  const urls: Record<InstanceId, string> = { seed: source.url, r2026: releases.get('r2026')!.url, r2020: releases.get('r2020')!.url, r2019: releases.get('r2019')!.url };
  const billing = { minimumTurnover: 10, fixed: 5, rate: 0.02, cap: 20, taxRate: 0.21, trialDays: 30 };
  const config = parseConfig(
    {
      instances: Object.fromEntries(Object.entries(urls).map(([id, url]) => [id, { name: 'Katuma', replica: url, timezone: TZ, currency: 'EUR', locale: 'es-ES', billing }])),
      ...CUSTOM,
    },
    {},
    'test',
  );
  const replicas = new ReplicaSet(config);
  deps = { config, replica: (id) => replicas.get(id), now: () => NOW, close: () => replicas.closeAll() };
});

afterAll(async () => {
  await deps?.close();
  for (const db of releases.values()) await db.drop();
  await source?.drop();
});

/** Every one-instance question form: each question bare and over a period, each breakdown, each segment. */
function questionForms(): string[] {
  const registry = deps.config.registry;
  const segments = [...registry.segments.keys()];
  const forms: string[] = [];
  for (const command of commandTable(registry).commands) {
    if (command.name === 'count' || command.name === 'list') {
      for (const segment of segments) forms.push(`${command.name} ${segment} @`, `${command.name} ${segment} @ ${PERIOD}`);
      if (command.name === 'list') forms.push(`list shops @ 5 2025`);
      continue;
    }
    forms.push(`${command.name} @`, `${command.name} @ ${PERIOD}`, `${command.name} @ 2025-03`);
    if (command.usage.includes('[N]')) forms.push(`${command.name} 3 @ ${PERIOD}`);
    for (const grain of /\[by ([a-z|]+)\]/.exec(command.usage)?.[1]?.split('|') ?? []) forms.push(`${command.name} @ ${PERIOD} by ${grain}`);
    if (command.usage.includes('for <segment>')) for (const segment of segments) forms.push(`${command.name} @ ${PERIOD} for ${segment}`);
  }
  return [...forms, 'billing @ 2026-10', 'billing @ 2025-02'];
}

type Result = { json: string } | { error: OfnError | Error };

async function answer(question: string, id: InstanceId): Promise<Result> {
  try {
    // The instance id is the one thing that differs between the answers; the name is the same.
    return { json: renderJson(await ask(deps, question.replaceAll('@', id))).replaceAll(id, '@') };
  } catch (error) {
    return { error: error as Error };
  }
}

describe('OFN schemas generated from db/schema.rb', () => {
  it('are what the generator makes of the committed schema.rb excerpts, with their provenance', () => {
    for (const release of OFN_RELEASES) {
      const sql = readFileSync(new URL(`${release.id}.sql`, FIXTURE_DIR), 'utf8');
      expect(sql, release.id).toBe(releaseDdl(release));
      expect(sql).toContain(`openfoodfoundation/openfoodnetwork@${release.commit}:db/schema.rb`);
    }
  });

  it('read the three dialects of schema.rb: types, defaults, nullability, ids, indexes and foreign keys', () => {
    const rails3 = [
      'ActiveRecord::Schema.define(:version => 20190506194625) do',
      '  create_table "enterprises", :force => true do |t|',
      '    t.string   "name"',
      '    t.boolean  "visible",                  :default => true',
      '    t.string   "sells",                    :default => "none", :null => false',
      '    t.decimal  "total", :precision => 10, :scale => 2, :default => 0.0, :null => false',
      '  end',
      '  add_index "enterprises", ["sells"], :name => "index_enterprises_on_sells"',
      '  create_table "groups_enterprises", :id => false, :force => true do |t|',
      '    t.integer "enterprise_id"',
      '  end',
      '  add_foreign_key "groups_enterprises", "enterprises", name: "ge_fk", dependent: :delete',
      'end',
    ].join('\n');
    expect(schemaRbToDdl(rails3, ['enterprises', 'groups_enterprises'])).toBe(
      [
        'CREATE TABLE enterprises (\n  id serial PRIMARY KEY,\n  name character varying(255),\n  visible boolean DEFAULT true,\n' +
          "  sells character varying(255) DEFAULT 'none' NOT NULL,\n  total numeric(10,2) DEFAULT 0 NOT NULL\n);",
        'CREATE TABLE groups_enterprises (\n  enterprise_id integer\n);',
        'CREATE INDEX index_enterprises_on_sells ON enterprises (sells);',
        'ALTER TABLE groups_enterprises ADD CONSTRAINT ge_fk FOREIGN KEY (enterprise_id) REFERENCES enterprises ON DELETE CASCADE;',
      ].join('\n\n') + '\n',
    );
    const rails7 = [
      'ActiveRecord::Schema[7.1].define(version: 2026_06_11_223814) do',
      '  create_table "spree_orders", id: :serial, force: :cascade do |t|',
      '    t.string "number", limit: 15',
      '    t.string "state"',
      '    t.datetime "completed_at", precision: nil',
      '    t.decimal "included_tax_total", precision: 10, scale: 2, default: "0.0", null: false',
      '    t.index ["completed_at", "user_id"], name: "by_completion"',
      '    t.index ["number"], name: "index_orders_on_number"',
      '  end',
      '  create_table "webhooks", force: :cascade do |t|',
      '    t.jsonb "data", default: {}',
      '    t.index ["data"], name: "partial", unique: true, where: "(data IS NOT NULL)", using: :gin',
      '  end',
      'end',
    ].join('\n');
    const parsed = parseSchemaRb(rails7);
    expect(parsed.version).toBe('20260611223814');
    expect(parsed.stringDefaultLimit).toBeUndefined();
    expect(schemaRbToDdl(rails7, ['spree_orders', 'webhooks'])).toBe(
      [
        'CREATE TABLE spree_orders (\n  id serial PRIMARY KEY,\n  number character varying(15),\n  state character varying,\n' +
          "  completed_at timestamp without time zone,\n  included_tax_total numeric(10,2) DEFAULT '0.0' NOT NULL\n);",
        "CREATE TABLE webhooks (\n  id bigserial PRIMARY KEY,\n  data jsonb DEFAULT '{}'\n);",
        'CREATE INDEX by_completion ON spree_orders (completed_at, user_id);',
        'CREATE INDEX index_orders_on_number ON spree_orders (number);',
        'CREATE UNIQUE INDEX partial ON webhooks USING gin (data) WHERE (data IS NOT NULL);',
      ].join('\n\n') + '\n',
    );
    // Something it does not understand is an error, never a silently different fixture.
    expect(() => schemaRbToDdl('ActiveRecord::Schema.define(version: 1) do\n  create_table "x", force: true do |t|\n    t.money "m"\n  end\nend', ['x'])).toThrow(/type money of x.m/);
    expect(() => schemaRbToDdl('ActiveRecord::Schema.define(version: 1) do\nend', ['x'])).toThrow(/no table x/);
  });

  it('hold the differences between releases that the bot must live with', async () => {
    const column = async (id: InstanceId, table: string, name: string) =>
      (
        await releases.get(id)!.client.query<{ data_type: string; is_nullable: string }>(
          `select data_type, is_nullable from information_schema.columns where table_name = $1 and column_name = $2`,
          [table, name],
        )
      ).rows[0];
    expect(await column('r2019', 'enterprises', 'visible')).toEqual({ data_type: 'boolean', is_nullable: 'YES' });
    expect(await column('r2020', 'enterprises', 'visible')).toEqual({ data_type: 'boolean', is_nullable: 'YES' });
    expect(await column('r2026', 'enterprises', 'visible')).toEqual({ data_type: 'character varying', is_nullable: 'NO' });
    for (const id of OLDER) {
      expect(await column(id, 'spree_orders', 'included_tax_total')).toBeUndefined();
      expect(await column(id, 'enterprises', 'external_billing_id')).toBeUndefined();
    }
    expect(await column('r2026', 'spree_orders', 'additional_tax_total')).toEqual({ data_type: 'numeric', is_nullable: 'NO' });
    const indexes = async (id: InstanceId) =>
      (await releases.get(id)!.client.query<{ indexdef: string }>(`select indexdef from pg_indexes where tablename = 'spree_orders' order by indexname`)).rows.map((r) => r.indexdef);
    expect(await indexes('r2026')).toContain('CREATE INDEX spree_orders_completed_at_user_id_created_by_id_created_at_idx ON public.spree_orders USING btree (completed_at, user_id, created_by_id, created_at)');
    expect(await indexes('r2026')).toContain('CREATE INDEX index_orders_on_number ON public.spree_orders USING btree (number)');
    expect(await indexes('r2019')).toContain('CREATE INDEX index_spree_orders_on_completed_at ON public.spree_orders USING btree (completed_at)');
  });

  it('give the seed generator exactly the indexes OFN has on the tables it writes, by name and definition', async () => {
    const indexes = async (db: ScratchDatabase) =>
      (
        await db.client.query<{ indexdef: string }>(
          `select indexdef from pg_indexes where schemaname = 'public' and tablename = any($1) order by indexname`,
          [SEEDED_TABLES],
        )
      ).rows.map((r) => r.indexdef);
    const seeded = await indexes(source);
    expect(seeded).toEqual(await indexes(releases.get('r2026')!));
    // What the benchmarks stand on: OFN's composite index, and no unique index on order numbers.
    expect(seeded).toContain('CREATE INDEX spree_orders_completed_at_user_id_created_by_id_created_at_idx ON public.spree_orders USING btree (completed_at, user_id, created_by_id, created_at)');
    expect(seeded.filter((d) => d.includes('(number)'))).toEqual(['CREATE INDEX index_orders_on_number ON public.spree_orders USING btree (number)']);
  });

  it("give the seed rows that satisfy OFN's unique indexes, at a scale where customer codes repeat within a shop", async () => {
    const db = await createScratchDatabase('releases_small');
    try {
      // seed 1, small: two customers of one shop draw the same code, which OFN's
      // index_customers_on_enterprise_id_and_code refuses; the second is stored without one.
      await seedOfnDatabase(db.client, { scale: 'small', seed: 1, until: new Date('2026-11-15T00:00:00Z'), timezone: TZ, currency: 'EUR' });
      const { rows } = await db.client.query<{ customers: string; coded: string; unique: boolean }>(
        `select count(*) as customers, count(code) as coded,
                (select indisunique from pg_index where indexrelid = 'index_customers_on_enterprise_id_and_code'::regclass) as unique
           from customers`,
      );
      expect(rows[0]).toMatchObject({ unique: true });
      expect(Number(rows[0]!.customers)).toBeGreaterThan(4000);
      expect(Number(rows[0]!.coded)).toBeGreaterThan(1000);
    } finally {
      await db.drop();
    }
  });

  it('are probed for what each release has', async () => {
    const probe = (id: InstanceId) => deps.replica(id).capabilities();
    for (const id of OLDER) {
      expect(await probe(id), id).toEqual({ externalBillingId: false, variantSupplier: false, userAdminFlag: false, addresses: true, enterpriseVisibility: 'boolean', orderTaxTotals: false });
    }
    expect(await probe('r2026')).toEqual({ externalBillingId: true, variantSupplier: true, userAdminFlag: true, addresses: true, enterpriseVisibility: 'string', orderTaxTotals: true });
    expect(await probe('seed')).toMatchObject({ externalBillingId: true, enterpriseVisibility: 'string', orderTaxTotals: true });
  });
});

describe('every question form on every OFN release since 2019', () => {
  it('gives the same figures as on the current release, and refuses only the tax-total questions on older ones', async () => {
    const forms = questionForms();
    expect(forms.length).toBeGreaterThan(150);
    const differences: string[] = [];
    const refusals: string[] = [];
    for (const form of forms) {
      // Each instance has its own replica pool: ask the four at once.
      const [current, ...others] = await Promise.all((['r2026', 'seed', ...OLDER] as const).map(async (id) => [id, await answer(form, id)] as const));
      const reference = current![1];
      if ('error' in reference) {
        differences.push(`${form}: fails on the current release: ${reference.error.message}`);
        continue;
      }
      const expected = reference.json;
      for (const [id, other] of others) {
        if ('json' in other) {
          if (other.json !== expected) differences.push(`${form} on ${id}: ${other.json} instead of ${expected}`);
        } else if (id !== 'seed' && needsTaxTotals(form) && other.error instanceof OfnError && other.error.code === 'SchemaMismatch') {
          refusals.push(`${form} on ${id}: ${other.error.message}`);
        } else {
          differences.push(`${form} on ${id}: ${other.error.message}`);
        }
      }
    }
    expect(differences).toEqual([]);
    // The tax questions, and only they, are refused on the releases before 2021, saying why.
    const taxForms = forms.filter(needsTaxTotals);
    expect(taxForms.length).toBeGreaterThan(5);
    expect(refusals).toHaveLength(taxForms.length * OLDER.length);
    for (const refusal of refusals) expect(refusal).toMatch(/Katuma's replica runs an OFN release without spree_orders\.(included|additional)_tax_total, which this question needs \(OFN added it in v3\.5\.11/);
  });

  it('counts on `visible` the same on a boolean column: segments, breakdowns by segment, lists', async () => {
    const value = async (question: string, id: InstanceId) => JSON.parse(renderJson(await ask(deps, question.replace('@', id)))).value;
    // The figures are not trivial: the filter keeps some shops and leaves others out.
    const shops = await value('count shops @', 'r2026');
    const visible = await value('count visible-shops @', 'r2026');
    const linkOnly = await value('count link-only-shops @', 'r2026');
    expect(visible).toBeGreaterThan(0);
    expect(linkOnly).toBeGreaterThan(0);
    expect(visible + linkOnly).toBe(shops);
    const expected = Number((await source.client.query(`select count(*) from enterprises where sells in ('own', 'any') and visible = 'public'`)).rows[0].count);
    expect(visible).toBe(expected);
    for (const id of OLDER) {
      expect(await value('count visible-shops @', id)).toBe(visible);
      expect(await value('count link-only-shops @', id)).toBe(linkOnly);
      expect(await value(`turnover @ ${PERIOD} for visible-shops`, id)).toBe(await value(`turnover @ ${PERIOD} for visible-shops`, 'r2026'));
    }
  });

  it('answers questions across releases at once: all, compare and growth', async () => {
    const ids = Object.keys(INSTANCES).join(',');
    const all = JSON.parse(renderJson(await ask(deps, `turnover ${ids} ${PERIOD}`)));
    const values = (all.rows as { instance: string; value: number }[]).map((r) => r.value);
    expect(values).toHaveLength(4);
    expect(new Set(values).size).toBe(1);
    expect(values[0]).toBeGreaterThan(0);
    for (const question of [`compare orders ${ids} last-6-months`, `compare count visible-shops ${ids}`, `growth ${ids} last-6-months`]) {
      const outcome = JSON.parse(renderJson(await ask(deps, question)));
      // compare: one entry per instance; growth: one row per instance and month.
      const rowsOf = (id: string) => (outcome.rows as { instance: string }[]).filter((row) => row.instance === id);
      const perInstance: unknown[] = outcome.instances ?? Object.keys(INSTANCES).map(rowsOf);
      expect(perInstance, question).toHaveLength(4);
      for (const entry of perInstance) expect(JSON.stringify(entry), question).toMatch(/":[1-9]/);
      const normalised = perInstance.map((entry) => JSON.stringify(entry).replace(/\b(seed|r2026|r2020|r2019)\b/g, '@'));
      expect(new Set(normalised).size, `${question}: ${normalised.join('\n')}`).toBe(1);
    }
  });
});

describe('enterprises.visible on a release before April 2022', () => {
  let db: ScratchDatabase;
  let local: Deps & { close(): Promise<void> };

  beforeAll(async () => {
    db = await createScratchDatabase('releases_visible', MID_2019);
    await db.client.query(`insert into spree_users (id, email, created_at, updated_at) values (1, 'owner@example.org', '2020-01-01', '2020-01-01')`);
    // One shop each: listed (true), link only (false), and NULL, which OFN then did not list either.
    await db.client.query(
      `insert into enterprises (name, permalink, sells, visible, owner_id, created_at, updated_at) values
         ('Listed', 'listed', 'any', true, 1, '2020-01-01', '2020-01-01'),
         ('Link only', 'link-only', 'own', false, 1, '2020-01-01', '2020-01-01'),
         ('Never set', 'never-set', 'any', null, 1, '2020-01-01', '2020-01-01')`,
    );
    const config = parseConfig({ instances: { old: { name: 'Old', replica: db.url, timezone: TZ, currency: 'EUR' } }, ...CUSTOM }, {}, 'test');
    const replicas = new ReplicaSet(config);
    local = { config, replica: (id) => replicas.get(id), now: () => NOW, close: () => replicas.closeAll() };
  });

  afterAll(async () => {
    await local?.close();
    await db?.drop();
  });

  it('reads true as public, false as only_through_links and NULL as neither', async () => {
    const value = async (question: string) => JSON.parse(renderJson(await ask(local, question))).value;
    expect(await value('count shops old')).toBe(3);
    expect(await value('count visible-shops old')).toBe(1);
    expect(await value('count link-only-shops old')).toBe(1);
    const listed = JSON.parse(renderJson(await ask(local, 'list visible-shops old')));
    expect(listed.rows.map((r: { name: string }) => r.name)).toEqual(['Listed']);
  });
});
