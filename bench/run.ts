import os from 'node:os';
import pg from 'pg';
import { startCluster, type Cluster } from '../test/support/postgres-cluster.js';
import { runSeedCommand } from '../src/seed/cli-seed.js';
import { benchQuestions } from './questions.js';
import { recreateDatabase } from './support.js';
import { benchSlackAck } from './slack-ack.js';
import { benchCharts } from './charts.js';
import { benchBilling } from './billing.js';
import { benchWatch } from './watch.js';
import { benchFanOut } from './fanout.js';
import { benchStartup } from './startup.js';
import { benchApi } from './api.js';
import { benchDashboard } from './dashboard.js';
import { benchParse } from './parse.js';
import { benchGrowth } from './growth.js';

/**
 * `npm run bench [-- questions|slack|charts ...] [--scale large]`: starts a throwaway PostgreSQL
 * (or uses BENCH_DATABASE_URL, a superuser URL), seeds it, and prints Markdown for docs/benchmarks.md.
 * BENCH_DATA_URL skips seeding and uses a database already seeded by `ofn-insights seed`.
 */
async function main() {
  const args = process.argv.slice(2);
  const scaleIndex = args.indexOf('--scale');
  const scale = (scaleIndex >= 0 ? args[scaleIndex + 1] : 'large') as 'tiny' | 'small' | 'medium' | 'large';
  const suites = args.filter((a, i) => !a.startsWith('--') && (scaleIndex < 0 || i !== scaleIndex + 1));
  const want = (name: string) => suites.length === 0 || suites.includes(name);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const out: string[] = [];
  out.push(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);

  if (want('startup')) {
    log('Demo start: npm start to the prompt, first and later, and its answers…');
    out.push('', '### Demo start (issue 14)', '', await benchStartup(5, log));
    // The demo needs no PostgreSQL server: asked for alone, nothing else to start.
    if (suites.every((suite) => suite === 'startup')) {
      process.stdout.write(`${out.join('\n')}\n`);
      return;
    }
  }

  if (want('parse')) {
    log('The parse step alone (issue 18)…');
    out.push('', '### Parse step (issue 18)', '', await benchParse(15, log));
    if (suites.every((suite) => suite === 'parse' || suite === 'startup')) {
      process.stdout.write(`${out.join('\n')}\n`);
      return;
    }
  }

  let cluster: Cluster | undefined;
  let adminUrl = process.env.BENCH_DATABASE_URL;
  if (!adminUrl) {
    log('Starting a throwaway PostgreSQL cluster…');
    cluster = await startCluster();
    adminUrl = cluster.url;
  }
  try {
    const needsData = want('questions') || want('slack') || want('billing') || want('watch') || want('api') || want('dashboard') || want('growth');
    let url = process.env.BENCH_DATA_URL ?? '';
    if (url) out.push(`Data: an already seeded database (BENCH_DATA_URL), seed \`${scale}\`.`);
    if (needsData && !url) {
      url = await recreateDatabase(adminUrl, `bench_${scale}`);
      log(`Seeding ${scale}…`);
      const started = performance.now();
      const summary = await runSeedCommand({ url, scale, timezone: 'Europe/Madrid', currency: 'EUR', until: new Date(), log });
      out.push(`Data: seed \`${scale}\` (${summary.enterprises} enterprises, ${summary.orders} orders), seeded in ${((performance.now() - started) / 1000).toFixed(0)} s, then ANALYZE.`);
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query('analyze');
      await c.end();
    }
    if (want('questions')) {
      log('Questions: whole answer vs bare SQL…');
      out.push('', '### Questions (issue 2)', '', await benchQuestions(url, 'Europe/Madrid', 60, log));
    }
    if (want('slack')) {
      log('Slack ack latency under slow answers…');
      out.push('', '### Slash-command ack (issue 3)', '', await benchSlackAck(adminUrl, log));
    }
    if (want('billing')) {
      log('Billing one month…');
      out.push('', '### Billing (issue 5)', '', await benchBilling(url, 15, log, scale));
    }
    if (want('watch')) {
      log('Announcement latency…');
      out.push('', '### Watchers (issue 4)', '', await benchWatch(adminUrl, new URL(url).pathname.slice(1), log));
    }
    if (want('fanout')) {
      log('Fan-out over five replicas…');
      out.push('', '### Fan-out (issue 6)', '', await benchFanOut(adminUrl, 30, log));
    }
    if (want('api')) {
      log('HTTP API vs ask in process…');
      out.push('', '### HTTP API (issue 15)', '', await benchApi(adminUrl, url, log, scale));
    }
    if (want('dashboard')) {
      log('Dashboard: six questions posted vs asked alone; Home from cache…');
      // 40 runs, not 10: the twelve-month statement takes one of two speeds call by call on this box
      // (about 190 or 300 ms), and medians of 10 often fell on different speeds for the dashboard and
      // for the question alone (docs/benchmarks.md, issue 17).
      out.push('', '### Dashboards and the Home tab (issue 17)', '', await benchDashboard(url, 'Europe/Madrid', 40, log));
    }
    if (want('growth')) {
      log('Growth story: funnel, retention, buyers, report, map vs bare SQL; PNGs drawn…');
      out.push('', '### Growth story (issue 16)', '', await benchGrowth(url, 25, log));
    }
    if (want('charts')) {
      log('Chart rendering…');
      out.push('', '### Chart rendering (issue 3)', '', await benchCharts(50, log));
    }
  } finally {
    cluster?.stop();
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
