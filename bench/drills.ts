import { operatorGrant } from '../src/core/access.js';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { DateTime } from 'luxon';
import pg from 'pg';
import { parseConfig } from '../src/installation.js';
import { createLogger } from '../src/core/log.js';
import { DeliveryWorker, enqueue } from '../src/jobs/outbox.js';
import { composePulse, enqueueDuePulses, type PulseSource } from '../src/jobs/pulses.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import { createOfnSchema } from '../src/seed/generate.js';
import { openStateStore, type StateStore } from '../src/state/store.js';
import { startFakeSlack, type FakeSlack } from '../test/support/fake-slack.js';
import { startCluster, type Cluster } from '../test/support/postgres-cluster.js';
import { startServeProcess } from '../test/support/serve-process.js';
import { postSigned, slashCommandBody } from '../test/support/slack-requests.js';
import { BUILT_CLI, recreateDatabase } from './support.js';

/**
 * Fault drills: each sets up real components (PostgreSQL clusters, `serve` processes, the fake Slack),
 * breaks one thing, and reports what was lost and what was duplicated. Both must be zero.
 * `npm run drills` runs them all; `npm test` runs the fast ones (test/drills.test.ts).
 */
export interface DrillResult {
  name: string;
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  note: string;
  passed: boolean;
}

const CLI = BUILT_CLI;
const TOKEN = 'xoxb-drill';
const logger = createLogger(process.env.DRILL_LOG_LEVEL ?? 'silent');

function result(name: string, expected: number, keysPosted: string[], note: string): DrillResult {
  const counts = new Map<string, number>();
  for (const key of keysPosted) counts.set(key, (counts.get(key) ?? 0) + 1);
  const delivered = counts.size;
  const duplicated = [...counts.values()].reduce((a, n) => a + n - 1, 0);
  const lost = expected - delivered;
  return { name, expected, delivered, lost, duplicated, note, passed: lost === 0 && duplicated === 0 };
}

/** Delivery keys of messages the fake Slack accepted, from the metadata the outbox puts on each. */
function postedKeys(fake: FakeSlack, channel: string): string[] {
  return fake.calls
    .filter((c) => c.method === 'chat.postMessage' && c.ok && c.body.channel === channel)
    .map((c) => ((c.body.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key ?? `no-key:${String(c.body.text)}`));
}

async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 100): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return undefined;
}

async function freshDatabase(cluster: Cluster, name: string, withOfn: boolean): Promise<string> {
  const url = await recreateDatabase(cluster.url, name);
  if (withOfn) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await createOfnSchema(c);
    const owner = (await c.query("insert into spree_users (email, created_at, updated_at) values ('o@example.org', now(), now()) returning id")).rows[0].id;
    const shop = (await c.query("insert into enterprises (name, permalink, sells, visible, created_at, updated_at, owner_id) values ('Mercat Verd', 'mercat', 'any', 'public', '2020-01-01', '2020-01-01', $1) returning id", [owner])).rows[0].id;
    await c.query("insert into spree_orders (number, total, item_total, state, created_at, updated_at, completed_at, distributor_id, currency) values ('R1', 42.5, 42.5, 'complete', '2026-10-14', '2026-10-14', '2026-10-14 10:00', $1, 'EUR')", [shop]);
    await c.end();
  }
  return url;
}

/** A serve process on the port it binds itself (PORT=0, read from its log); OFN_TEST_ECHO_SERVE_LOG=1 shows its log. */
async function serveProcess(config: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const { child, port } = await startServeProcess(CLI, config, { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 'drill', ...env });
  return { child, port };
}

function writeConfig(replicaUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'drill-'));
  const file = join(dir, 'ofn-insights.yml');
  writeFileSync(file, `instances:\n  katuma:\n    name: Katuma\n    replica: ${replicaUrl}\n    timezone: Europe/Madrid\n    currency: EUR\n    statementTimeoutSeconds: 10\naccess:\n  - channel: C0DRILL01\n    instances: [katuma]\n`);
  return file;
}

/** kill -9 a process while Slack has accepted a pulse message but before the process heard back. */
export async function drillKillMidDelivery(cluster: Cluster): Promise<DrillResult> {
  const replicaUrl = await freshDatabase(cluster, 'drill_kill_replica', true);
  const stateUrl = await freshDatabase(cluster, 'drill_kill_state', false);
  const state = await openStateStore({ url: stateUrl });
  const fake = await startFakeSlack({ botToken: TOKEN });
  const children: ChildProcess[] = [];
  try {
    const slot = DateTime.now().setZone('Europe/Madrid').minus({ minutes: 5 });
    await state.db
      .insertInto('pulses')
      .values({ question: 'turnover katuma 2026-10', schedule: `daily ${slot.toFormat('HH:mm')}`, timezone: 'Europe/Madrid', channel_id: 'C0DRILL01', only_if_results: false, grace_minutes: 360, status: 'active', created_by: 'U0ADMIN01', last_slot_at: slot.minus({ minutes: 1 }).toJSDate(), note: null })
      .execute();
    // Slack takes the message, the answer never comes back; then the process is killed.
    fake.failNext('chat.postMessage', { kind: 'lost-response' });
    const config = writeConfig(replicaUrl);
    const env = { SLACK_API_URL: fake.url, STATE_DATABASE_URL: stateUrl, OFN_INSIGHTS_OUTBOX_LEASE_SECONDS: '3' };
    const first = await serveProcess(config, env);
    children.push(first.child);
    await until(async () => postedKeys(fake, 'C0DRILL01').length > 0, 20_000);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const second = await serveProcess(config, env);
    children.push(second.child);
    const done = await until(async () => {
      const rows = await state.db.selectFrom('deliveries').select(['status', 'last_error']).where('kind', '=', 'pulse').execute();
      return rows.length === 1 && rows[0]!.status === 'sent' ? rows[0] : undefined;
    }, 30_000);
    return result('kill -9 in the middle of a pulse delivery', 1, postedKeys(fake, 'C0DRILL01'), done ? `after restart: ${done.last_error ?? 'sent'}` : 'never marked sent');
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await fake.close();
    await state.close();
  }
}

/** The state database restarts while deliveries are queued and being sent. */
export async function drillStateRestart(): Promise<DrillResult> {
  // Durable, as a production state database is: an immediate stop must not lose committed rows.
  const stateCluster = await startCluster(undefined, { durable: true });
  const fake = await startFakeSlack({ botToken: TOKEN });
  let store: StateStore | undefined;
  try {
    store = await openStateStore({ url: stateCluster.url });
    const client = new WebClient(TOKEN, { slackApiUrl: fake.url, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    const worker = new DeliveryWorker({ db: store.db, client, logger, channelGapMs: 50, backoffBaseMs: 100, compose: async () => null, onChannelGone: async () => {} });
    for (let i = 0; i < 10; i++) await enqueue(store.db, { dedupeKey: `drill-state:${i}`, kind: 'notice', channelId: 'C0STATE01', message: { text: `notice ${i}`, blocks: [] } });
    worker.start(50);
    await until(async () => postedKeys(fake, 'C0STATE01').length >= 3, 10_000, 20);
    stateCluster.pause();
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the database is down for a while
    stateCluster.resume();
    for (let i = 10; i < 15; i++) {
      await until(async () => enqueue(store!.db, { dedupeKey: `drill-state:${i}`, kind: 'notice', channelId: 'C0STATE01', message: { text: `notice ${i}`, blocks: [] } }).then(() => true, () => false), 10_000);
    }
    await until(async () => new Set(postedKeys(fake, 'C0STATE01')).size >= 15, 30_000);
    await worker.stop();
    return result('restart the state database mid-run', 15, postedKeys(fake, 'C0STATE01'), 'worker kept running through the outage');
  } finally {
    await fake.close();
    await store?.close().catch(() => undefined);
    stateCluster.stop();
  }
}

/** A replica stops in the middle of a query: the asker gets a friendly message, later questions answer again. */
export async function drillReplicaStops(): Promise<DrillResult> {
  const replicaCluster = await startCluster();
  const replicaUrl = await freshDatabase(replicaCluster, 'drill_replica', true);
  const fake = await startFakeSlack({ botToken: TOKEN });
  const stateCluster = await startCluster();
  const children: ChildProcess[] = [];
  try {
    const c = new pg.Client({ connectionString: replicaUrl });
    await c.connect();
    // Every orders query waits 3 s: time to stop the server under it.
    await c.query('alter table spree_orders rename to spree_orders_data');
    await c.query('create view spree_orders as with pause as materialized (select pg_sleep(3)) select o.* from spree_orders_data o cross join pause');
    await c.end();
    const { child, port } = await serveProcess(writeConfig(replicaUrl), { SLACK_API_URL: fake.url, STATE_DATABASE_URL: stateCluster.url });
    children.push(child);
    const ask = (id: string) => postSigned(`http://127.0.0.1:${port}/slack/events`, slashCommandBody('turnover katuma 2026-10', { channelId: 'C0DRILL01', userId: 'U1', responseUrl: fake.responseUrl(id) }), 'drill');
    await ask('during');
    await new Promise((resolve) => setTimeout(resolve, 800));
    replicaCluster.pause();
    const during = await until(async () => fake.responses.find((r) => r.path.endsWith('/during')), 20_000);
    replicaCluster.resume();
    await ask('after');
    const after = await until(async () => fake.responses.find((r) => r.path.endsWith('/after')), 20_000);
    const friendly = JSON.stringify(during?.body ?? '').includes("Katuma's replica is not answering right now");
    const answered = JSON.stringify(after?.body ?? '').includes('42.50');
    const answers = [during ? 'during' : '', after ? 'after' : ''].filter(Boolean);
    const r = result('stop a replica mid-query', 2, answers, `during: ${friendly ? 'friendly message' : 'NO friendly message'}; after restart: ${answered ? 'answered' : 'NOT answered'}`);
    return { ...r, passed: r.passed && friendly && answered };
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await fake.close();
    replicaCluster.stop();
    stateCluster.stop();
  }
}

/** Slack answers 500 (twice), then 200; and a 429 storm for `stormSeconds`. */
export async function drillSlackErrors(cluster: Cluster, stormSeconds: number): Promise<DrillResult[]> {
  const stateUrl = await freshDatabase(cluster, 'drill_slack_state', false);
  const store = await openStateStore({ url: stateUrl });
  const fake = await startFakeSlack({ botToken: TOKEN });
  try {
    const client = new WebClient(TOKEN, { slackApiUrl: fake.url, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    const worker = new DeliveryWorker({ db: store.db, client, logger, channelGapMs: 50, backoffBaseMs: 100, compose: async () => null, onChannelGone: async () => {} });
    fake.failNext('chat.postMessage', { kind: 'http', status: 500 }, 2);
    await enqueue(store.db, { dedupeKey: 'drill-500', kind: 'notice', channelId: 'C0FIVE001', message: { text: 'after 500s', blocks: [] } });
    worker.start(50);
    await until(async () => postedKeys(fake, 'C0FIVE001').length >= 1, 20_000);
    const fiveHundred = result('Slack answers 500, then 200', 1, postedKeys(fake, 'C0FIVE001'), `${fake.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 500).length} × 500 before success`);

    // A 429 storm: every post is refused with Retry-After 1 until the storm ends.
    const stormEnds = Date.now() + stormSeconds * 1000;
    fake.failUntil('chat.postMessage', { kind: 'ratelimited', retryAfter: 1 }, stormEnds);
    for (let i = 0; i < 10; i++) await enqueue(store.db, { dedupeKey: `drill-429:${i}`, kind: 'notice', channelId: `C0STORM${i % 3}`, message: { text: `storm ${i}`, blocks: [] } });
    await until(async () => Date.now() > stormEnds && ['C0STORM0', 'C0STORM1', 'C0STORM2'].flatMap((c) => postedKeys(fake, c)).length >= 10, (stormSeconds + 60) * 1000, 200);
    await worker.stop();
    const refused = fake.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 429).length;
    const stormResult = result(`Slack answers 429 for ${stormSeconds} s`, 10, ['C0STORM0', 'C0STORM1', 'C0STORM2'].flatMap((c) => postedKeys(fake, c)), `${refused} × 429 honoured`);
    return [fiveHundred, stormResult];
  } finally {
    await fake.close();
    await store.close();
  }
}

/** The clock jumps across the October DST change (a suspended VM, NTP): each slot once, the repeated hour once. */
export async function drillClockJump(cluster: Cluster): Promise<DrillResult> {
  const stateUrl = await freshDatabase(cluster, 'drill_clock_state', false);
  const replicaUrl = await freshDatabase(cluster, 'drill_clock_replica', true);
  const store = await openStateStore({ url: stateUrl });
  const fake = await startFakeSlack({ botToken: TOKEN });
  const config = parseConfig({ instances: { katuma: { name: 'Katuma', replica: replicaUrl, timezone: 'Europe/Madrid', currency: 'EUR' } } }, {}, 'drill');
  const replicas = new ReplicaSet(config);
  let clock = new Date('2026-10-24T21:00:00Z'); // Saturday 23:00 in Madrid, summer time
  const deps = { config, replica: (id: string) => replicas.get(id), now: () => clock };
  try {
    for (const schedule of ['daily 09:00', 'daily 02:30', '*/30 * * * *']) {
      await store.db
        .insertInto('pulses')
        .values({ question: 'orders katuma 2026-10', schedule, timezone: 'Europe/Madrid', channel_id: 'C0CLOCK01', only_if_results: false, grace_minutes: 720, status: 'active', created_by: 'U0ADMIN01', last_slot_at: clock, note: null })
        .execute();
    }
    await enqueueDuePulses(store.db, clock, logger);
    clock = new Date('2026-10-25T09:10:00Z'); // jump: Sunday 10:10 winter time, across 03:00 → 02:00
    await enqueueDuePulses(store.db, clock, logger);
    await enqueueDuePulses(store.db, clock, logger); // and a second process, or a second tick
    const client = new WebClient(TOKEN, { slackApiUrl: fake.url, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    const worker = new DeliveryWorker({ db: store.db, client, logger, channelGapMs: 0, compose: (d) => composePulse(deps, d.source as PulseSource, operatorGrant(deps.config)), onChannelGone: async () => {} });
    await until(async () => (await worker.drain()) === 0 && (await store.db.selectFrom('deliveries').select('id').where('status', 'in', ['pending', 'sending']).execute()).length === 0, 30_000, 50);
    // Expected: 09:00 once, 02:30 once (the hour 02:00–03:00 happened twice), every half hour from
    // 23:30 Saturday to 10:00 Sunday local, the repeated 02:00 and 02:30 once each: 23:30, 00:00, …, 10:00 = 22 slots.
    const expected = 1 + 1 + 22;
    return result('a clock jump across the DST change', expected, postedKeys(fake, 'C0CLOCK01'), 'slots named by local wall time, each once');
  } finally {
    await replicas.closeAll();
    await fake.close();
    await store.close();
  }
}

export async function runDrills(options: { stormSeconds?: number } = {}): Promise<DrillResult[]> {
  const cluster = await startCluster();
  try {
    const results: DrillResult[] = [];
    results.push(await drillKillMidDelivery(cluster));
    results.push(await drillStateRestart());
    results.push(await drillReplicaStops());
    results.push(...(await drillSlackErrors(cluster, options.stormSeconds ?? 30)));
    results.push(await drillClockJump(cluster));
    return results;
  } finally {
    cluster.stop();
  }
}

if (process.argv[1]?.endsWith('drills.js')) {
  runDrills().then(
    (results) => {
      for (const r of results) {
        process.stdout.write(`${r.passed ? 'PASS' : 'FAIL'}  ${r.name}: expected ${r.expected}, delivered ${r.delivered}, lost ${r.lost}, duplicated ${r.duplicated} (${r.note})\n`);
      }
      const failed = results.filter((r) => !r.passed).length;
      process.stdout.write(`drills: ${results.length - failed} passed, ${failed} failed\n`);
      process.exitCode = failed ? 1 : 0;
    },
    (error) => {
      process.stderr.write(`${error?.stack ?? error}\n`);
      process.exitCode = 1;
    },
  );
}
