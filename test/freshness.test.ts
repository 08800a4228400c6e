import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { ask } from '../src/commands/pipeline.js';
import { parseConfig } from '../src/installation.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import { renderJson } from '../src/render/json.js';
import { renderText } from '../src/render/text.js';
import type { Deps } from '../src/commands/types.js';
import { createOfnSchema } from '../src/seed/generate.js';
import { startCluster, type Cluster } from './support/postgres-cluster.js';
import { OfnFixture, utc } from './support/database.js';
import { eventually } from './support/state.js';

/** A real primary and a streaming standby: the bot reads the standby, as it reads OFN's replicas. */
let primary: Cluster;
let standby: Cluster;
let writer: pg.Client;
let replicas: ReplicaSet;
let deps: Deps;
let clock = Date.now();

beforeAll(async () => {
  primary = await startCluster();
  writer = new pg.Client({ connectionString: primary.url });
  await writer.connect();
  await createOfnSchema(writer);
  const f = new OfnFixture(writer);
  const shop = await f.enterprise({ name: 'Mercat Verd', sells: 'any' });
  await f.order(shop, { total: '10.00', completed_at: utc('2026-10-15 12:00', 'Europe/Madrid') });
  standby = await startCluster(primary);
  const config = parseConfig({ instances: { katuma: { name: 'Katuma', replica: standby.url, timezone: 'Europe/Madrid', currency: 'EUR', staleAfterSeconds: 3 } } }, {}, 'test');
  replicas = new ReplicaSet(config);
  deps = { config, replica: (id) => replicas.get(id), now: () => new Date(clock) };
});

afterAll(async () => {
  await replicas?.closeAll();
  await writer?.end();
  standby?.stop();
  primary?.stop();
});

describe('a lagging replica', () => {
  it('answers from the standby and says how old its data is when replay falls behind', async () => {
    const standbyAdmin = new pg.Client({ connectionString: standby.url });
    await standbyAdmin.connect();
    try {
      await writer.query("update spree_orders set updated_at = now() at time zone 'utc'"); // a fresh transaction to replay
      const { lsn } = (await writer.query('select pg_current_wal_lsn()::text as lsn')).rows[0];
      await eventually(async () => (await standbyAdmin.query('select pg_last_wal_replay_lsn() >= $1::pg_lsn and pg_last_xact_replay_timestamp() is not null as ok', [lsn])).rows[0].ok);
      clock = Date.now();
      const fresh = await ask(deps, 'turnover katuma 2026-10');
      expect(fresh.kind === 'answer' && fresh.answer.dataAsOf).toBeUndefined();
      expect(JSON.parse(renderJson(fresh)).value).toBe(10);

      await standbyAdmin.query('select pg_wal_replay_pause()');
      await writer.query("insert into spree_orders (number, total, item_total, state, created_at, updated_at, completed_at, distributor_id, currency) select 'R-LATE', 5, 5, 'complete', '2026-10-16', '2026-10-16', '2026-10-16 10:00', id, 'EUR' from enterprises limit 1");
      // The lag is the replica's own (its now() minus the last replayed commit): it passes 3 s in real time.
      // Each poll moves the bot's clock past the 30 s freshness cache, so the replica is asked again.
      const stale = await eventually(async () => {
        clock += 31_000;
        const answer = await ask(deps, 'turnover katuma 2026-10');
        return answer.kind === 'answer' && answer.answer.dataAsOf ? answer : undefined;
      }, 30_000, 250);
      expect(stale.kind === 'answer' && stale.answer.dataAsOf).toMatch(/^\d{1,2} \w{3} \d\d:\d\d$/);
      expect(renderText(stale)).toContain('Data as of');
      expect(JSON.parse(renderJson(stale)).value).toBe(10); // the late order is not there yet
    } finally {
      await standbyAdmin.query('select pg_wal_replay_resume()').catch(() => undefined);
      await standbyAdmin.end();
    }
  });

  it('refuses writes: a standby is read-only whatever the role', async () => {
    const replica = deps.replica('katuma');
    const { sql } = await import('kysely');
    await expect(replica.read((tx) => sql`insert into spree_countries (iso) values ('XX')`.execute(tx))).rejects.toMatchObject({ code: 'ReplicaUnavailable' });
  });
});
