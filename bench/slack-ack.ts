import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createOfnSchema } from '../src/seed/generate.js';
import { freePort } from '../test/support/postgres-cluster.js';
import { postSigned, slashCommandBody } from '../test/support/slack-requests.js';
import { fmt, histogramQuantileMs, median, percentile, table } from './stats.js';
import { BUILT_CLI, recreateDatabase } from './support.js';

const CLI = BUILT_CLI;

async function drive(url: string, body: (i: number) => string, secret: string, total: number, concurrency: number) {
  const times: number[] = [];
  let failures = 0;
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const result = await postSigned(url, body(i), secret);
      if (result.status !== 200) failures++;
      times.push(result.ms);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { times, failures };
}

/**
 * A replica whose every orders query takes `seconds`: spree_orders is a view over the real table that
 * first waits in a materialised CTE (evaluated once per query).
 */
async function slowReplica(adminUrl: string, seconds: number): Promise<string> {
  const url = await recreateDatabase(adminUrl, 'bench_slow');
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  await createOfnSchema(db);
  await db.query('alter table spree_orders rename to spree_orders_data');
  await db.query(`create view spree_orders as with pause as materialized (select pg_sleep(${Number(seconds)})) select o.* from spree_orders_data o cross join pause`);
  await db.end();
  return url;
}

/**
 * Ack latency of /ofn while every answer's query takes 2 s: 200 signed commands, 20 at a time, against
 * `ofn-insights serve` in its own process. The baseline is a bare node:http server in its own process
 * answering 200 to the same requests.
 */
export async function benchSlackAck(adminUrl: string, log: (line: string) => void, total = 200, concurrency = 20, slowSeconds = 2): Promise<string> {
  const secret = 'bench-secret';
  // The fake Slack runs in its own process: answers arriving there must not delay the acks we time here.
  // Slack's side runs on Slack's machines: here the fake gets the lowest CPU priority (nice 19) so that
  // the work of receiving answers does not stretch the sender's timings.
  const fakeProcess = spawn('nice', ['-n', '19', process.execPath, join(import.meta.dirname, 'fake-slack-process.js'), 'xoxb-bench'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const fakeUrl = await new Promise<string>((resolve) => fakeProcess.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
  const fakeBase = fakeUrl.replace(/\/api\/$/, '');
  const responseUrl = (id: string) => `${fakeBase}/response/${id}`;
  const answers = async () => ((await (await fetch(`${fakeBase}/_stats`)).json()) as { responses: number }).responses;
  const waitAnswers = async (n: number) => {
    for (let i = 0; i < 6000 && (await answers()) < n; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    return answers();
  };
  const replicaUrl = await slowReplica(adminUrl, slowSeconds);
  // The state store on PostgreSQL, as a production install under load would run (README).
  const stateUrl = await recreateDatabase(adminUrl, 'bench_ack_state');
  const dir = mkdtempSync(join(tmpdir(), 'ack-'));
  const config = join(dir, 'ofn-insights.yml');
  writeFileSync(config, `instances:\n  bench:\n    name: Bench\n    replica: ${replicaUrl}\n    timezone: Europe/Madrid\n    currency: EUR\n    poolSize: 20\naccess:\n  - channel: C0BENCH01\n    instances: ["*"]\n`);
  const port = await freePort();
  // /metrics on the Slack port only answers to this token (it is not served there otherwise).
  const metricsToken = randomBytes(16).toString('hex');
  // BENCH_PIN=1 pins the bot to core 0 (with its answer worker thread sharing that core).
  const pin = process.env.BENCH_PIN ? ['-c', '0'] : [];
  const bot = spawn(pin.length ? 'taskset' : process.execPath, [...(pin.length ? [...pin, process.execPath] : []), ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_CPU_PROF] : []), CLI, 'serve', '--config', config], {
    env: { ...process.env, LOG_LEVEL: 'warn', SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: secret, SLACK_API_URL: fakeUrl, PORT: String(port), STATE_DATABASE_URL: stateUrl, METRICS_TOKEN: metricsToken },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const bareServer = spawn(process.execPath, ['-e', "require('http').createServer((q,s)=>{q.resume();q.on('end',()=>s.writeHead(200).end())}).listen(+process.argv[1],'127.0.0.1')", String(await freePort())], { stdio: 'ignore' });
  const barePort = Number(bareServer.spawnargs.at(-1));
  const waitUp = async (url: string) => {
    for (let i = 0; i < 300; i++) {
      if (await fetch(url).then(() => true, () => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${url} did not come up`);
  };
  await waitUp(`http://127.0.0.1:${port}/healthz`);
  await waitUp(`http://127.0.0.1:${barePort}/`);
  const body = (i: number) => slashCommandBody('orders bench last-month', { channelId: 'C0BENCH01', userId: 'U0BENCH01', responseUrl: responseUrl(`a${i}`) });
  // Warm both up, then measure.
  await drive(`http://127.0.0.1:${barePort}/slack/events`, body, secret, 20, 5);
  const baseline = await drive(`http://127.0.0.1:${barePort}/slack/events`, body, secret, total, concurrency);
  // Warm the bot up too (first requests pay for JIT, Bolt's lazy set-up and opening pool connections).
  await drive(`http://127.0.0.1:${port}/slack/events`, (i) => body(10_000 + i), secret, 20, 5);
  await waitAnswers(20);
  const measured = await drive(`http://127.0.0.1:${port}/slack/events`, body, secret, total, concurrency);
  log(`  acks done; waiting for the ${total} answers (each query ${slowSeconds} s)…`);
  const answered = (await waitAnswers(total + 20)) - 20;
  const { warnings } = (await (await fetch(`${fakeBase}/_stats`)).json()) as { warnings: number };
  // The bot's own view of the ack (request in → response out), free of the sender's scheduling on a shared box.
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
  const quantile = (q: string) => histogramQuantileMs(metrics, 'ofn_insights_slack_request_seconds', Number(q));
  bot.kill('SIGTERM');
  bareServer.kill();
  await new Promise((resolve) => bot.once('exit', resolve));
  fakeProcess.kill('SIGTERM');
  return table(
    ['server (own process)', 'requests', 'concurrency', 'failed', 'ack median ms (sender)', 'ack p99 ms (sender)', 'ack median ms (server side, from buckets)', 'ack p99 ms (server side, from buckets)', 'answers delivered'],
    [
      ['bare node:http (baseline)', total, concurrency, baseline.failures, fmt(median(baseline.times)), fmt(percentile(baseline.times, 99)), '-', '-', '-'],
      [`ofn-insights serve (answers take ${slowSeconds} s)`, total, concurrency, measured.failures, fmt(median(measured.times)), fmt(percentile(measured.times, 99)), fmt(quantile('0.5')), fmt(quantile('0.99')), `${answered}${warnings ? ` (${warnings} errors)` : ''}`],
    ],
  );
}
