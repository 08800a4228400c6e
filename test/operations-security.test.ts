/**
 * Security review, issue 11: the replica role check, serving with the state database down, future
 * Slack timestamps, /metrics access and /healthz states. Real PostgreSQL, real Bolt (`serve` in this
 * process, and once the built CLI with its answer worker thread), the fake Slack Web API.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DateTime } from 'luxon';
import pg from 'pg';
import { pino } from 'pino';
import { parseConfig } from '../src/installation.js';
import { Replica } from '../src/queries/replica.js';
import { serve, type ServeHandle } from '../src/slack/serve.js';
import { openStateStore } from '../src/state/store.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { withDatabase } from './support/global-setup.js';
import { freePort } from './support/postgres-cluster.js';
import { postSigned, slashCommandBody } from './support/slack-requests.js';
import { createStateStore, eventually } from './support/state.js';
import { tempDir } from './support/temp-dir.js';

const SECRET = 'opsec-signing-secret';
const TOKEN = 'xoxb-opsec';
const OPS = { channelId: 'C0OPSEC01', userId: 'U0OPSEC01' };
const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');

let replica: TestDatabase;
let state: Awaited<ReturnType<typeof createStateStore>>;
let fake: FakeSlack;
let admin: pg.Client;
/** A login role with CONNECT, USAGE and SELECT only, as docs/operations.md asks for. */
let readerUrl: string;
let readerRole: string;
/** Nothing listens here: a replica that is down. */
let deadUrl: string;
const roles: string[] = [];
const databases: string[] = [];

async function createRole(prefix: string): Promise<{ role: string; url: string }> {
  const role = `${prefix}_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(8).toString('hex');
  await admin.query(`create role ${role} login password '${password}'`);
  roles.push(role);
  await replica.client.query(`grant connect on database ${replica.name} to ${role}`);
  await replica.client.query(`grant usage on schema public to ${role}`);
  await replica.client.query(`grant select on all tables in schema public to ${role}`);
  const url = new URL(replica.url);
  url.username = role;
  url.password = password;
  return { role, url: url.toString() };
}

beforeAll(async () => {
  replica = await createTestDatabase('opsec');
  const f = new OfnFixture(replica.client);
  const shop = await f.enterprise({ name: 'Mercat Verd', sells: 'any' });
  await f.order(shop, { total: '321.00', completed_at: utc('2026-10-15 12:00', 'Europe/Madrid') });
  // Before PostgreSQL 15 every role may CREATE in schema public; a SELECT-only role needs this revoked.
  await replica.client.query('revoke create on schema public from public');
  admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  ({ role: readerRole, url: readerUrl } = await createRole('opsec_reader'));
  state = await createStateStore();
  fake = await startFakeSlack({ botToken: TOKEN });
  deadUrl = `postgres://nobody@127.0.0.1:${await freePort()}/gone`;
});

afterAll(async () => {
  await fake?.close();
  await state?.drop();
  await replica?.drop();
  for (const name of databases) await admin?.query(`drop database if exists ${name} with (force)`);
  // The grants lived in the replica's database, dropped above; the roles themselves are cluster-wide.
  for (const role of roles) await admin?.query(`drop role if exists ${role}`);
  await admin?.end();
});

function instance(id: string, url: string) {
  return { [id]: { name: id, replica: url, timezone: 'Europe/Madrid', currency: 'EUR', statementTimeoutSeconds: 5 } };
}

function configWith(instances: Record<string, unknown>) {
  return parseConfig({ instances, access: [{ channel: OPS.channelId, instances: ['*'] }, { user: OPS.userId, instances: ['*'], admin: true }] }, {}, 'test');
}

/** A pino logger writing into an array, to assert what was logged (and how often). */
function capturedLogger() {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const running: ServeHandle[] = [];
afterEach(async () => {
  for (const handle of running.splice(0)) await handle.shutdown();
});

async function startServe(instances: Record<string, unknown>, env: Record<string, string> = {}) {
  const { logger, lines } = capturedLogger();
  const handle = await serve(
    configWith(instances),
    { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.url, PORT: '0', STATE_DATABASE_URL: state.url, ...env },
    logger,
  );
  running.push(handle);
  const base = `http://127.0.0.1:${handle.server.port}`;
  return { handle, lines, base, events: `${base}/slack/events` };
}

let asked = 0;
/** Posts `/ofn <text>` as Slack would; `reply()` waits for the answer on its response_url. */
async function ask(events: string, text: string, options: { timestamp?: number } = {}) {
  const id = `opsec${++asked}`;
  const post = await postSigned(events, slashCommandBody(text, { ...OPS, responseUrl: fake.responseUrl(id) }), SECRET, options);
  const replies = () => fake.responses.filter((r) => r.path.endsWith(`/${id}`));
  return {
    post,
    replies,
    reply: async (timeoutMs = 15_000) => {
      const r = await fake.waitFor(() => fake.responses.find((x) => x.path.endsWith(`/${id}`) && x.status === 200), timeoutMs);
      return JSON.stringify(r.body.blocks ?? []) + (r.body.text ?? '');
    },
  };
}

async function healthz(base: string, token?: string) {
  const response = await fetch(`${base}/healthz`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: response.status, body: (await response.json()) as { status: string; replicas: Record<string, boolean>; stateStore: string; warnings: string[] } };
}

describe('the replica role check', () => {
  it('finds the superuser URL risky and a SELECT-only role clean; names each privilege beyond SELECT', async () => {
    const superuser = Replica.connect(configWith(instance('katuma', replica.url)).instances.get('katuma')!);
    const reader = Replica.connect(configWith(instance('katuma', readerUrl)).instances.get('katuma')!);
    const writer = await createRole('opsec_writer');
    await replica.client.query(`grant insert, delete on spree_orders to ${writer.role}`);
    await replica.client.query(`grant update (name) on enterprises to ${writer.role}`); // column-level counts too
    await replica.client.query(`grant create on schema public to ${writer.role}`);
    await admin.query(`alter role ${writer.role} createdb`);
    const risky = Replica.connect(configWith(instance('katuma', writer.url)).instances.get('katuma')!);
    try {
      expect(await superuser.roleRisks()).toEqual([expect.stringMatching(/^role \S+ is a superuser$/)]);
      expect(await reader.ping()).toBe(true);
      expect(await reader.roleRisks()).toEqual([]);
      expect(await risky.roleRisks()).toEqual([
        `role ${writer.role} may create databases (CREATEDB)`,
        `role ${writer.role} may CREATE objects in schema public`,
        `role ${writer.role} has INSERT on 1 table in schema public (spree_orders)`,
        `role ${writer.role} has UPDATE on 1 table in schema public (enterprises)`,
        `role ${writer.role} has DELETE on 1 table in schema public (spree_orders)`,
      ]);
    } finally {
      await Promise.all([superuser.close(), reader.close(), risky.close()]);
    }
  });

  it('warns once per instance at start and lists the risks in /healthz, in detail only to the metrics token', async () => {
    const { base, lines } = await startServe({ ...instance('katuma', replica.url), ...instance('reader', readerUrl) }, { METRICS_TOKEN: 'health-token-1234' });
    // /healthz is public: role names and what they may do only with the token.
    const anonymous = await healthz(base);
    expect(anonymous.body.warnings).toEqual([expect.stringContaining('can do more than read')]);
    expect(JSON.stringify(anonymous.body)).not.toContain('superuser');
    const first = await healthz(base, 'health-token-1234');
    expect(first.body.warnings).toEqual([expect.stringMatching(/^katuma: role \S+ is a superuser$/)]);
    await healthz(base);
    const warned = lines.filter((l) => l.level === 40 && l.msg.startsWith('replica role can do more than read'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ instance: 'katuma', risks: [expect.stringMatching(/is a superuser$/)] });
    // The SELECT-only role is not reported.
    expect(JSON.stringify(lines)).not.toContain(readerRole);
  });
});

describe('serve with the state database down at start', () => {
  it('answers questions, pauses state-backed features, and starts the jobs when the store opens', async () => {
    const name = `opsec_state_${randomBytes(4).toString('hex')}`;
    databases.push(name, `${name}_prep`);
    const stateUrl = withDatabase(inject('pgAdminUrl'), name); // a database that does not exist yet
    const { base, events, lines } = await startServe(instance('katuma', readerUrl), { STATE_DATABASE_URL: stateUrl, OFN_INSIGHTS_STATE_RETRY_MS: '200' });

    expect((await healthz(base)).body).toMatchObject({ status: 'ok', stateStore: 'down' });
    expect(await (await ask(events, 'turnover katuma 2026-10')).reply()).toContain('€321.00');
    // (The wording belongs to the management commands; what matters here is that they say why.)
    expect(await (await ask(events, 'pulse list')).reply()).toMatch(/state (store|database)/);
    expect(lines.some((l) => l.level === 40 && l.msg.startsWith('state store unavailable'))).toBe(true);

    // The state database appears, already holding a pulse whose slot was due ten minutes ago: prepared
    // under another name and renamed, so the bot cannot open it half made.
    const prepUrl = withDatabase(inject('pgAdminUrl'), `${name}_prep`);
    await admin.query(`create database ${name}_prep`);
    const prep = await openStateStore({ url: prepUrl });
    const slot = DateTime.now().setZone('Europe/Madrid').minus({ minutes: 10 });
    await prep.db
      .insertInto('pulses')
      .values({ question: 'turnover katuma 2026-10', schedule: `daily ${slot.toFormat('HH:mm')}`, timezone: 'Europe/Madrid', channel_id: OPS.channelId, only_if_results: false, grace_minutes: 360, status: 'active', created_by: OPS.userId, last_slot_at: slot.minus({ minutes: 5 }).toJSDate(), note: null })
      .execute();
    await prep.close();
    await eventually(() => admin.query(`alter database ${name}_prep rename to ${name}`).then(() => true, () => false), 10_000, 100);

    await eventually(async () => (await healthz(base)).body.stateStore === 'up', 30_000, 100);
    expect(lines.some((l) => l.level === 30 && l.msg.startsWith('state store ready: pulses, watches and request dedupe resumed'))).toBe(true);
    const post = await fake.waitFor(() => fake.calls.find((c) => c.method === 'chat.postMessage' && c.ok && c.body.channel === OPS.channelId), 20_000);
    expect(JSON.stringify(post.body.blocks)).toContain('€321.00');
    expect(await (await ask(events, 'pulse list')).reply()).toContain('`turnover katuma 2026-10`');

    // /healthz asks the open store each time: a state database that stops answering shows as down.
    await admin.query(`alter database ${name} allow_connections false`);
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
    await eventually(async () => (await healthz(base)).body.stateStore === 'down', 10_000, 100);
    await admin.query(`alter database ${name} allow_connections true`);
    await eventually(async () => (await healthz(base)).body.stateStore === 'up', 10_000, 100);
  });

  it('also with the answer worker thread (the built CLI)', async () => {
    const name = `opsec_cli_state_${randomBytes(4).toString('hex')}`;
    databases.push(name);
    const dir = tempDir('opsec');
    const config = join(dir, 'ofn-insights.yml');
    writeFileSync(config, `instances:\n  katuma:\n    name: Katuma\n    replica: ${readerUrl}\n    timezone: Europe/Madrid\n    currency: EUR\naccess:\n  - channel: ${OPS.channelId}\n    instances: [katuma]\n`);
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'serve', '--config', config], {
      env: { ...process.env, LOG_LEVEL: 'silent', SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.url, PORT: String(port), STATE_DATABASE_URL: withDatabase(inject('pgAdminUrl'), name), OFN_INSIGHTS_STATE_RETRY_MS: '200' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const base = `http://127.0.0.1:${port}`;
      const up = await Promise.race([eventually(async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.ok, 30_000, 100), exited.then((code) => `exited with ${code}`)]);
      expect(up).toBe(true);
      expect((await healthz(base)).body.stateStore).toBe('down');
      expect(await (await ask(`${base}/slack/events`, 'turnover katuma 2026-10')).reply()).toContain('€321.00');
      await admin.query(`create database ${name}`); // empty: the bot runs the migrations
      await eventually(async () => (await healthz(base)).body.stateStore === 'up', 30_000, 100);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 90_000);
});

describe('Slack request timestamps', () => {
  it('refuses correctly signed requests stamped more than 5 minutes in the future, before Bolt', async () => {
    const { events } = await startServe(instance('katuma', readerUrl));
    const now = Math.floor(Date.now() / 1000);
    const tenMinutes = await ask(events, 'turnover katuma 2026-10', { timestamp: now + 10 * 60 });
    const aDay = await ask(events, 'turnover katuma 2026-10', { timestamp: now + 24 * 3600 });
    expect(tenMinutes.post.status).toBe(401);
    expect(aDay.post.status).toBe(401);
    // Within the window both ways (a clock a little ahead of ours) and now: answered.
    const slightlyAhead = await ask(events, 'turnover katuma 2026-10', { timestamp: now + 4 * 60 });
    const current = await ask(events, 'turnover katuma 2026-10');
    expect(slightlyAhead.post.status).toBe(200);
    expect(current.post.status).toBe(200);
    expect(await current.reply()).toContain('€321.00');
    expect(await slightlyAhead.reply()).toContain('€321.00');
    expect(tenMinutes.replies()).toEqual([]);
    expect(aDay.replies()).toEqual([]);
  });
});

describe('/metrics access', () => {
  it('is not served on the Slack port without METRICS_TOKEN or METRICS_PORT, and says how to enable it', async () => {
    const { base, lines } = await startServe(instance('katuma', readerUrl));
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect(lines.filter((l) => l.level === 30 && /METRICS_PORT.*METRICS_TOKEN/.test(l.msg))).toHaveLength(1);
  });

  it('with METRICS_TOKEN needs the bearer token on the Slack port', async () => {
    const { base, lines } = await startServe(instance('katuma', readerUrl), { METRICS_TOKEN: 'metrics-token-1234' });
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer metrics-token-123' } })).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Basic metrics-token-1234' } })).status).toBe(401);
    const ok = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer metrics-token-1234' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('ofn_insights_slack_request_seconds');
    expect(JSON.stringify(lines)).not.toContain('metrics-token-1234');
  });

  it('with METRICS_PORT serves it on its own listener (127.0.0.1 by default), not on the Slack port', async () => {
    const { base, handle, events } = await startServe(instance('katuma', readerUrl), { METRICS_PORT: '0' });
    expect(handle.server.metricsPort).toBeGreaterThan(0);
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    const scrape = async () => {
      const response = await fetch(`http://127.0.0.1:${handle.server.metricsPort}/metrics`);
      expect(response.status).toBe(200);
      return response.text();
    };
    // The ack is a histogram (buckets add up across serve processes); each Slack request is one observation.
    const acks = (text: string) => Number(/^ofn_insights_slack_request_seconds_count (\d+)$/m.exec(text)?.[1]);
    const before = await scrape();
    expect(before).toContain('# TYPE ofn_insights_slack_request_seconds histogram');
    const command = await ask(events, 'turnover katuma 2026-10');
    expect(command.post.status).toBe(200);
    const after = await scrape();
    expect(acks(after)).toBe(acks(before) + 1);
    expect(after).toMatch(/^ofn_insights_slack_request_seconds_bucket\{le="\+Inf"\} \d+$/m);
    expect((await fetch(`http://127.0.0.1:${handle.server.metricsPort}/healthz`)).status).toBe(404);
  });

  it('with both, the metrics listener asks for the token too', async () => {
    const { handle } = await startServe(instance('katuma', readerUrl), { METRICS_PORT: '0', METRICS_TOKEN: 'metrics-token-5678' });
    const url = `http://127.0.0.1:${handle.server.metricsPort}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer metrics-token-5678' } })).status).toBe(200);
  });
});

describe('connections kept alive', () => {
  it('serves a second request on a connection left idle for 7 s, past Node’s default of 5 s', async () => {
    const { handle } = await startServe(instance('katuma', readerUrl));
    const socket = connect({ host: '127.0.0.1', port: handle.server.port });
    const received: string[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk.toString('latin1')));
    const get = async () => {
      const before = received.join('').split('HTTP/1.1 200').length;
      socket.write(`GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: keep-alive\r\n\r\n`);
      await eventually(async () => received.join('').split('HTTP/1.1 200').length > before, 10_000);
    };
    await get();
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    expect(socket.destroyed).toBe(false);
    await get();
    socket.destroy();
  }, 20_000);
});

describe('/healthz', () => {
  it('is ok when every replica answers', async () => {
    const { base } = await startServe(instance('katuma', readerUrl));
    expect(await healthz(base)).toEqual({ status: 200, body: { status: 'ok', replicas: { katuma: true }, stateStore: 'up', warnings: [] } });
  });

  it('is degraded (200) when some replicas are down, and the others are still answered', async () => {
    const { base, events } = await startServe({ ...instance('katuma', readerUrl), ...instance('gone', deadUrl) });
    expect(await healthz(base)).toEqual({ status: 200, body: { status: 'degraded', replicas: { katuma: true, gone: false }, stateStore: 'up', warnings: [] } });
    expect(await (await ask(events, 'turnover katuma 2026-10')).reply()).toContain('€321.00');
  });

  it('is down (503) only when no replica answers', async () => {
    const { base } = await startServe(instance('gone', deadUrl));
    expect(await healthz(base)).toEqual({ status: 503, body: { status: 'down', replicas: { gone: false }, stateStore: 'up', warnings: [] } });
  });
});
