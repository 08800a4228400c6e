import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOfnSchema, seedOfnDatabase, type SeedOptions, type SeedSummary } from '../src/seed/generate.js';
import { splitSqlStatements } from '../src/seed/sql-batches.js';

const OPTIONS: SeedOptions = {
  scale: 'tiny',
  seed: 7,
  until: new Date('2026-06-01T00:00:00Z'),
  timezone: 'Europe/Madrid',
  currency: 'EUR',
  namePrefix: 'Katuma',
};

const TABLES = [
  'spree_countries', 'spree_addresses', 'spree_users', 'enterprises', 'enterprise_roles', 'enterprise_groups',
  'order_cycles', 'customers', 'spree_orders', 'spree_line_items', 'versions',
] as const;

async function one<T>(db: PGlite, sql: string): Promise<T> {
  const result = await db.query<T>(sql);
  return result.rows[0] as T;
}

/** md5 of every row of a table, in id order: equal fingerprints mean identical content. */
async function fingerprint(db: PGlite, table: string): Promise<string> {
  const row = await one<{ md5: string | null }>(db, `SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) AS md5 FROM ${table} t`);
  return row.md5 ?? '';
}

describe('synthetic OFN seed (tiny, PGlite)', () => {
  let first: PGlite;
  let second: PGlite;
  let other: PGlite;
  let summary: SeedSummary;

  beforeAll(async () => {
    first = new PGlite();
    second = new PGlite();
    other = new PGlite();
    await Promise.all([first.waitReady, second.waitReady, other.waitReady]);
    summary = await seedOfnDatabase(first, OPTIONS);
    await seedOfnDatabase(second, { ...OPTIONS });
    await seedOfnDatabase(other, { ...OPTIONS, seed: 8 });
  });

  afterAll(async () => {
    await Promise.all([first?.close(), second?.close(), other?.close()]);
  });

  // How fast seeding is belongs to the benchmarks (npm run bench), not to a pass/fail test on a shared machine.
  it('seeds the tiny scale and reports what it wrote', async () => {
    expect(summary.enterprises).toBe(30);
    expect(summary.orders).toBe(500);
    expect(summary.lineItems).toBeGreaterThan(800);
    expect(Number((await one<{ n: number }>(first, 'SELECT count(*)::int AS n FROM spree_orders')).n)).toBe(summary.orders);
    expect(Number((await one<{ n: number }>(first, 'SELECT count(*)::int AS n FROM spree_users')).n)).toBe(summary.users);
    expect(Number((await one<{ n: number }>(first, 'SELECT count(*)::int AS n FROM spree_line_items')).n)).toBe(summary.lineItems);
  });

  it('gives byte-identical data for the same options', async () => {
    for (const table of TABLES) {
      expect(await fingerprint(second, table), table).toBe(await fingerprint(first, table));
    }
  });

  it('gives different data for a different seed', async () => {
    expect(await fingerprint(other, 'spree_orders')).not.toBe(await fingerprint(first, 'spree_orders'));
    expect(await fingerprint(other, 'enterprises')).not.toBe(await fingerprint(first, 'enterprises'));
  });

  it('keeps OFN money invariants: total = item_total + adjustment_total, line items sum to item_total', async () => {
    const bad = await one<{ n: number }>(first, 'SELECT count(*)::int AS n FROM spree_orders WHERE total <> item_total + adjustment_total');
    expect(bad.n).toBe(0);
    const mismatched = await one<{ n: number }>(
      first,
      `SELECT count(*)::int AS n FROM spree_orders o
        WHERE o.item_total <> (SELECT coalesce(sum(li.price * li.quantity), 0) FROM spree_line_items li WHERE li.order_id = o.id)`,
    );
    expect(mismatched.n).toBe(0);
    const currencies = await first.query<{ currency: string }>('SELECT DISTINCT currency FROM spree_orders');
    expect(currencies.rows).toEqual([{ currency: 'EUR' }]);
  });

  it('has the OFN state mix, and canceled orders keep completed_at and totals', async () => {
    const states = await first.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM spree_orders GROUP BY state');
    const byState = new Map(states.rows.map((r) => [r.state, r.n]));
    expect(byState.get('complete') ?? 0).toBeGreaterThan(400);
    expect(byState.get('canceled') ?? 0).toBeGreaterThan(0);
    expect((byState.get('cart') ?? 0) + (byState.get('address') ?? 0) + (byState.get('payment') ?? 0)).toBeGreaterThan(0);
    const canceled = await one<{ n: number; missing: number; zero: number }>(
      first,
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE completed_at IS NULL)::int AS missing,
              count(*) FILTER (WHERE total = 0)::int AS zero
         FROM spree_orders WHERE state = 'canceled'`,
    );
    expect(canceled.n).toBeGreaterThan(0);
    expect(canceled.missing).toBe(0);
    expect(canceled.zero).toBe(0);
    const carts = await one<{ n: number }>(
      first,
      `SELECT count(*)::int AS n FROM spree_orders WHERE state IN ('cart', 'address', 'payment') AND completed_at IS NOT NULL`,
    );
    expect(carts.n).toBe(0);
  });

  it('orders are distributed only by shops (sells own/any), after the shop existed', async () => {
    const wrong = await one<{ n: number }>(
      first,
      `SELECT count(*)::int AS n FROM spree_orders o JOIN enterprises e ON e.id = o.distributor_id
        WHERE e.sells NOT IN ('own', 'any') OR o.created_at < e.created_at`,
    );
    expect(wrong.n).toBe(0);
  });

  it('stores UTC timestamps in order, all before `until`', async () => {
    const bad = await one<{ order_times: number; late: number }>(
      first,
      `SELECT count(*) FILTER (WHERE completed_at < created_at OR updated_at < completed_at OR updated_at < created_at)::int AS order_times,
              count(*) FILTER (WHERE greatest(created_at, completed_at, updated_at) >= '2026-06-01 00:00:00')::int AS late
         FROM spree_orders`,
    );
    expect(bad).toEqual({ order_times: 0, late: 0 });
  });

  it('has completed orders near local midnight at month end that UTC grouping puts in the wrong month', async () => {
    const edge = await one<{ n: number }>(
      first,
      `SELECT count(*)::int AS n FROM spree_orders
        WHERE state = 'complete'
          AND date_trunc('month', completed_at)
              <> date_trunc('month', (completed_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Madrid')`,
    );
    expect(edge.n).toBeGreaterThan(0);
    const enterprises = await one<{ n: number }>(
      first,
      `SELECT count(*)::int AS n FROM enterprises
        WHERE date_trunc('month', created_at)
              <> date_trunc('month', (created_at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Madrid')`,
    );
    expect(enterprises.n).toBeGreaterThan(0);
  });

  it('covers every enterprise category, shared billing ids, groups and personal data', async () => {
    const categories = await first.query<{ sells: string }>('SELECT DISTINCT sells FROM enterprises ORDER BY sells');
    expect(categories.rows.map((r) => r.sells)).toEqual(['any', 'none', 'own', 'unspecified']);
    const shared = await one<{ n: number }>(
      first,
      `SELECT count(*)::int AS n FROM (SELECT external_billing_id FROM enterprises WHERE external_billing_id IS NOT NULL
        GROUP BY 1 HAVING count(*) BETWEEN 2 AND 3) s`,
    );
    expect(shared.n).toBeGreaterThan(0);
    const organic = await one<{ n: number }>(
      first,
      `SELECT count(*)::int AS n FROM enterprise_groups g JOIN enterprise_groups_enterprises m ON m.enterprise_group_id = g.id
        WHERE g.name LIKE '%Organic'`,
    );
    expect(organic.n).toBeGreaterThan(0);
    const pii = await one<{ emails: number; admins: number }>(
      first,
      `SELECT count(*) FILTER (WHERE email ~ '^[a-z]+\\.[a-z]+[0-9]*@example\\.(org|com|net)$')::int AS emails,
              count(*) FILTER (WHERE admin)::int AS admins FROM spree_users`,
    );
    expect(pii.emails).toBeGreaterThan(50);
    expect(pii.admins).toBeGreaterThan(0);
    const names = await first.query<{ name: string }>('SELECT name FROM enterprises');
    expect(names.rows.every((r) => r.name.startsWith('Katuma '))).toBe(true);
  });

  it('moves the serial sequences past the seeded ids', async () => {
    // In a transaction rolled back: the other tests compare this database's rows.
    await first.exec('BEGIN');
    try {
      const next = await one<{ id: number }>(
        first,
        `INSERT INTO spree_countries (iso, name) VALUES ('XX', 'Testland') RETURNING id`,
      );
      const max = await one<{ n: number }>(first, `SELECT count(*)::int AS n FROM spree_countries`);
      expect(next.id).toBe(max.n);
    } finally {
      await first.exec('ROLLBACK');
    }
  });
});

describe('createOfnSchema', () => {
  it('creates the empty OFN tables', async () => {
    const db = new PGlite();
    try {
      await createOfnSchema(db);
      const tables = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('enterprises', 'spree_orders', 'spree_line_items', 'versions')`,
      );
      expect(tables.rows[0]?.n).toBe(4);
      const orders = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM spree_orders');
      expect(orders.rows[0]?.n).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('splits statements on line-ending semicolons and ignores comment lines', () => {
    const sql = '-- a comment; with a semicolon\nCREATE TABLE a (x int);\n\nCREATE INDEX i ON a (x);\n-- trailing\n';
    expect(splitSqlStatements(sql)).toEqual(['CREATE TABLE a (x int)', 'CREATE INDEX i ON a (x)']);
  });
});
