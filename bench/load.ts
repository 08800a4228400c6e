import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runSeedCommand } from '../src/seed/cli-seed.js';
import { freePort, startCluster, type Cluster } from '../test/support/postgres-cluster.js';
import { postSigned, slashCommandBody } from '../test/support/slack-requests.js';
import { fmt, median, percentile, table } from './stats.js';
import { BUILT_CLI, databaseUrl, recreateDatabase } from './support.js';

/**
 * `npm run load`: 1,000 signed slash commands, 50 at a time, spread round-robin over 3 `serve`
 * processes sharing one state database, on the medium seed. Loopback only; bounded in count and time.
 * Prints whether every ack succeeded, ack latencies, every answer delivered exactly once, and peak RSS.
 */
const TOTAL = Number(process.env.LOAD_TOTAL ?? 1000);
const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 50);
const PROCESSES = Number(process.env.LOAD_PROCESSES ?? 3);
const DEADLINE_MS = 10 * 60_000;
const SECRET = 'load-secret';
const QUESTIONS = ['turnover load last-month', 'orders load last-month by week', 'top-shops load last-month', 'new shops load last-12-months by month', 'active-shops load last-month', 'hubs load'];
const here = import.meta.dirname;
const CLI = BUILT_CLI;

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function main() {
  const started = Date.now();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let cluster: Cluster | undefined;
  let adminUrl = process.env.BENCH_DATABASE_URL;
  if (!adminUrl) {
    cluster = await startCluster();
    adminUrl = cluster.url;
  }
  const children: ChildProcess[] = [];
  try {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const db = (name: string) => databaseUrl(adminUrl!, name);
    const exists = await admin.query("select 1 from pg_database where datname = 'load_medium'");
    if (exists.rowCount === 0) {
      await admin.query('create database load_medium');
      log('seeding medium…');
      await runSeedCommand({ url: db('load_medium'), scale: 'medium', timezone: 'Europe/Madrid', currency: 'EUR', until: new Date(), log: () => {} });
      // A live replica is vacuumed; a freshly seeded one would be vacuumed by autovacuum in the middle of the run
      // (200,000 new rows), and the run would measure that instead of the bot.
      log('vacuuming…');
      const seeded = new pg.Client({ connectionString: db('load_medium') });
      await seeded.connect();
      await seeded.query('vacuum (analyze)');
      await seeded.end();
    }
    await admin.end();
    await recreateDatabase(adminUrl, 'load_state');

    // Slack's side runs on Slack's machines: the fake gets the lowest CPU priority here.
    const fakeProcess = spawn('nice', ['-n', '19', process.execPath, join(here, 'fake-slack-process.js'), 'xoxb-load'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(fakeProcess);
    const fakeUrl = await new Promise<string>((resolve) => fakeProcess.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
    const fakeBase = fakeUrl.replace(/\/api\/$/, '');
    const stats = async () => (await (await fetch(`${fakeBase}/_stats`)).json()) as { responses: number; distinctResponses: number; warnings: number };

    const dir = mkdtempSync(join(os.tmpdir(), 'load-'));
    const config = join(dir, 'ofn-insights.yml');
    writeFileSync(config, `instances:\n  load:\n    name: Load\n    replica: ${db('load_medium')}\n    timezone: Europe/Madrid\n    currency: EUR\n    poolSize: 6\naccess:\n  - channel: C0LOAD001\n    instances: ["*"]\n`);
    const ports: number[] = [];
    // /metrics on the Slack port only answers to this token (it is not served there otherwise).
    const metricsToken = randomBytes(16).toString('hex');
    for (let i = 0; i < PROCESSES; i++) {
      const port = await freePort();
      // LOAD_NODE_ARGS: extra flags for each serve process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where its time goes.
      const nodeArgs = (process.env.LOAD_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve', '--config', config], {
        env: { ...process.env, LOG_LEVEL: process.env.LOAD_LOG_LEVEL ?? 'warn', SLACK_BOT_TOKEN: 'xoxb-load', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fakeUrl, PORT: String(port), STATE_DATABASE_URL: db('load_state'), METRICS_TOKEN: metricsToken },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
      ports.push(port);
    }
    for (const port of ports) {
      for (let i = 0; i < 300 && !(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
    }
    log(`sending ${TOTAL} commands, ${CONCURRENCY} at a time, to ${PROCESSES} processes…`);
    const times: number[] = [];
    let failed = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < TOTAL && Date.now() - started < DEADLINE_MS) {
          const i = next++;
          const port = ports[i % ports.length]!;
          const body = slashCommandBody(QUESTIONS[i % QUESTIONS.length]!, { channelId: 'C0LOAD001', userId: 'U0LOAD001', responseUrl: `${fakeBase}/response/load-${i}` });
          const r = await postSigned(`http://127.0.0.1:${port}/slack/events`, body, SECRET).catch(() => ({ status: 0, ms: 0, body: '' }));
          if (r.status !== 200) failed++;
          times.push(r.ms);
        }
      }),
    );
    log('acks done; waiting for the answers…');
    let s = await stats();
    while (s.responses < TOTAL && Date.now() - started < DEADLINE_MS) {
      await new Promise((r) => setTimeout(r, 200));
      s = await stats();
    }
    await new Promise((r) => setTimeout(r, 2_000)); // any duplicate would arrive now
    s = await stats();
    const perProcess: (string | number)[][] = [];
    for (const [i, port] of ports.entries()) {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
      const q = (quantile: string) => Number(new RegExp(`ofn_insights_slack_request_seconds\\{quantile="${quantile}"\\} ([0-9.e-]+)`).exec(metrics)?.[1]) * 1000;
      perProcess.push([`serve #${i + 1}`, fmt(q('0.5')), fmt(q('0.99')), `${peakRssMb(children[i + 1]!.pid!).toFixed(0)} MB`]);
    }
    const lines = [
      `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; ${TOTAL} commands, ${CONCURRENCY} concurrent, ${PROCESSES} processes, medium seed; ${((Date.now() - started) / 1000).toFixed(0)} s in all.`,
      '',
      table(
        ['requests', 'failed acks', 'ack median ms (sender)', 'ack p99 ms (sender)', 'answers received', 'distinct answers', 'duplicates', 'error answers'],
        [[TOTAL, failed, fmt(median(times)), fmt(percentile(times, 99)), s.responses, s.distinctResponses, s.responses - s.distinctResponses, s.warnings]],
      ),
      '',
      table(['process', 'ack median ms (server side)', 'ack p99 ms (server side)', 'peak RSS'], perProcess),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    // The bar: no failed ack, p99 ack under 200 ms, every answer delivered exactly once.
    const ok = failed === 0 && percentile(times, 99) < 200 && s.responses === TOTAL && s.distinctResponses === TOTAL && s.warnings === 0;
    process.stdout.write(`load: ${ok ? 'PASS' : 'FAIL'}\n`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    for (const child of children) child.kill('SIGTERM');
    cluster?.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
