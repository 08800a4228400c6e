import { createConnection, createServer, type Server } from 'node:net';
import pg from 'pg';
import { ask } from '../src/commands/pipeline.js';
import type { Deps } from '../src/commands/types.js';
import { parseConfig } from '../src/installation.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import { runSeedCommand } from '../src/seed/cli-seed.js';
import { fmt, median, table, timed } from './stats.js';
import { databaseUrl } from './support.js';

const ZONES = [
  ['Europe/Madrid', 'EUR'],
  ['Australia/Melbourne', 'AUD'],
  ['Europe/London', 'GBP'],
  ['America/Chicago', 'USD'],
  ['Pacific/Auckland', 'NZD'],
] as const;

/** A TCP proxy adding `delayMs` each way, as a replica in another data centre would. */
async function delayProxy(target: URL, delayMs: number): Promise<{ url: string; server: Server }> {
  const server = createServer((client) => {
    const upstream = createConnection(Number(target.port), target.hostname);
    const pipe = (from: typeof client, to: typeof client) => {
      from.on('data', (chunk) => setTimeout(() => to.write(chunk), delayMs));
      from.on('close', () => setTimeout(() => to.destroy(), delayMs));
      from.on('error', () => to.destroy());
    };
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target.toString());
  url.port = String((server.address() as { port: number }).port);
  return { url: url.toString(), server };
}

/**
 * `turnover all last-month` over five replicas (medium seed each, in five time zones and currencies)
 * against each replica alone. All five live in one PostgreSQL on this 2-core machine, so they compete
 * for the same cores, unlike real replicas on separate servers.
 */
export async function benchFanOut(adminUrl: string, runs: number, log: (line: string) => void): Promise<string> {
  const local = await fanOutOnce(adminUrl, runs, log, 0);
  const remote = await fanOutOnce(adminUrl, runs, log, 15);
  return [
    'Five replicas in the one local PostgreSQL (they share its two cores):',
    '',
    local,
    '',
    'The same replicas behind a proxy adding 15 ms each way (30 ms round trips, replicas in other data centres):',
    '',
    remote,
  ].join('\n');
}

async function fanOutOnce(adminUrl: string, runs: number, log: (line: string) => void, delayMs: number): Promise<string> {
  const proxies: Server[] = [];
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const instances: Record<string, unknown> = {};
  for (const [i, [timezone, currency]] of ZONES.entries()) {
    const name = `bench_fan_${i}`;
    const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
    const u = new URL(databaseUrl(adminUrl, name));
    if (exists.rowCount === 0) {
      await admin.query(`create database ${name}`);
      log(`  seeding medium for ${timezone}…`);
      await runSeedCommand({ url: u.toString(), scale: 'medium', seed: 100 + i, timezone, currency, until: new Date(), log: () => {} });
    }
    let replica = u.toString();
    if (delayMs > 0) {
      const proxy = await delayProxy(u, delayMs);
      proxies.push(proxy.server);
      replica = proxy.url;
    }
    instances[`i${i}`] = { name: `Instance ${i}`, replica, timezone, currency, poolSize: 2 };
  }
  await admin.end();
  const config = parseConfig({ instances, reportingCurrency: 'EUR', exchangeRates: { AUD: 0.6, GBP: 1.15, USD: 0.92, NZD: 0.55 }, fanOutConcurrency: 5 }, {}, 'bench');
  const replicas = new ReplicaSet(config);
  const deps: Deps = { config, replica: (id) => replicas.get(id), now: () => new Date() };
  const ids = [...config.instances.keys()];
  for (const id of ids) await ask(deps, `turnover ${id} last-month`);
  await ask(deps, 'turnover all last-month');
  const single = new Map<string, number[]>(ids.map((id) => [id, []]));
  const all: number[] = [];
  for (let r = 0; r < runs; r++) {
    for (const id of ids) single.get(id)!.push((await timed(() => ask(deps, `turnover ${id} last-month`)))[0]);
    all.push((await timed(() => ask(deps, 'turnover all last-month')))[0]);
  }
  await replicas.closeAll();
  for (const proxy of proxies) proxy.close();
  const medians = ids.map((id) => median(single.get(id)!));
  const slowest = Math.max(...medians);
  log(`  fan-out: all ${fmt(median(all))} ms, slowest single ${fmt(slowest)} ms`);
  return table(
    ['question', 'median ms'],
    [
      ...ids.map((id, i) => [`\`turnover ${id} last-month\` (${ZONES[i]![0]})`, fmt(medians[i]!)]),
      ['slowest single replica (baseline)', fmt(slowest)],
      ['`turnover all last-month` (5 replicas, concurrency 5)', fmt(median(all))],
      ['ratio to the slowest', (median(all) / slowest).toFixed(2)],
    ],
  );
}
