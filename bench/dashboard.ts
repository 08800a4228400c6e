import { WebClient } from '@slack/web-api';
import { ask } from '../src/commands/pipeline.js';
import type { Deps } from '../src/commands/types.js';
import { createLogger } from '../src/core/log.js';
import type { DashboardOutcome } from '../src/core/outcome.js';
import { parseConfig } from '../src/installation.js';
import { dashboardChartFiles } from '../src/jobs/dashboard-charts.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import { registerFonts } from '../src/render/chart.js';
import { postDashboard, uploadUnshared } from '../src/slack/dashboard-post.js';
import { homeFigures, publishHome } from '../src/slack/home.js';
import { postToResponseUrl } from '../src/slack/response-url.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { fmt, median, percentile, table, timed } from './stats.js';

const QUESTIONS = [
  'turnover bench last-month',
  'turnover bench last-month by shop',
  'orders bench last-month',
  'new-shops bench last-month',
  'active-shops bench last-month',
  'turnover bench last-12-months by month chart',
];

/**
 * `npm run bench -- dashboard`: a six-question dashboard posted (asked, charts rendered and uploaded to
 * a local fake Slack, message posted to a response_url) against each question asked alone; and the Home
 * tab published from its cache (views.publish to the fake). Interleaved runs, medians.
 */
export async function benchDashboard(url: string, timezone: string, runs: number, log: (line: string) => void): Promise<string> {
  registerFonts();
  const config = parseConfig(
    {
      instances: { bench: { name: 'Bench', replica: url, timezone, currency: 'EUR' } },
      access: [{ channel: 'C0BENCH01', instances: ['bench'] }],
      dashboards: { 'bench-six': { title: 'Bench, monthly', questions: QUESTIONS } },
      home: { instances: ['bench'], cacheSeconds: 600 },
    },
    {},
    'bench',
  );
  const replicas = new ReplicaSet(config);
  const deps: Deps = { config, replica: (id) => replicas.get(id), now: () => new Date() };
  const fake = await startFakeSlack({ botToken: 'xoxb-bench' });
  const client = new WebClient('xoxb-bench', { slackApiUrl: fake.url });
  const logger = createLogger('silent');
  const grant = { instances: new Set(['bench']), billing: false, admin: false, via: 'bench', label: 'bench' };
  try {
    const alone = new Map<string, number[]>(QUESTIONS.map((q) => [q, []]));
    const dashboard: number[] = [];
    const uploads: number[] = [];
    let blocks = 0;
    for (const q of QUESTIONS) await ask(deps, q, undefined, { grant }); // warm-up
    for (let run = 0; run < runs; run++) {
      log(`  run ${run + 1}/${runs}`);
      for (const q of QUESTIONS) alone.get(q)!.push((await timed(() => ask(deps, q, undefined, { grant })))[0]);
      const [ms] = await timed(async () => {
        const outcome = (await ask(deps, 'dashboard bench-six', undefined, { grant })) as DashboardOutcome;
        const sent = await postDashboard({ deps, client, logger }, outcome, async (message) => {
          blocks = message.blocks.length;
          const posted = await postToResponseUrl(fake.responseUrl(), { ...message, response_type: 'ephemeral' }, logger);
          return posted.ok ? { ok: true } : { ok: false, error: `HTTP ${posted.status}` };
        });
        if (sent.failed) throw new Error(`dashboard not posted: ${sent.failed}`);
      });
      dashboard.push(ms);
      // The chart's share alone: render and upload, as the post above does before its message.
      const outcome = (await ask(deps, 'dashboard bench-six', undefined, { grant })) as DashboardOutcome;
      uploads.push((await timed(async () => Promise.all((await dashboardChartFiles(deps, outcome)).filter((f) => f !== undefined).map((f) => uploadUnshared(client, f!)))))[0]);
    }
    const medians = QUESTIONS.map((q) => median(alone.get(q)!));
    const sum = medians.reduce((a, b) => a + b, 0);
    const max = Math.max(...medians);
    const post = median(dashboard);
    const upload = median(uploads);
    // Home: the first publish reads the replica (12 figures), later ones come from the cache.
    const ctx = { deps, client, logger };
    const [cold] = await timed(() => publishHome(ctx, 'U0BENCH01'));
    const warm: number[] = [];
    for (let i = 0; i < 200; i++) warm.push((await timed(() => publishHome(ctx, 'U0BENCH01')))[0]);
    const [figuresOnly] = await timed(() => homeFigures(deps, 'bench'));
    return [
      `${runs} runs, interleaved; medians in ms. The dashboard: \`dashboard bench-six\` asked, its chart rendered and uploaded (shared nowhere) to a local fake Slack, the message (${blocks} blocks) posted to a response_url. Pool size 4 (the default), fanOutConcurrency 8.`,
      '',
      table(['question asked alone', 'median ms'], QUESTIONS.map((q, i) => [`\`${q}\``, fmt(medians[i]!)])),
      '',
      table(
        ['', 'ms'],
        [
          ['sum of the six alone', fmt(sum)],
          ['slowest alone', fmt(max)],
          ['chart render + upload (median)', fmt(upload)],
          ['**dashboard posted** (median)', `**${fmt(post)}**`],
          ['target: 1.2 × slowest + upload', fmt(1.2 * max + upload)],
          ['dashboard p90', fmt(percentile(dashboard, 90))],
        ],
      ),
      '',
      table(
        ['Home tab (views.publish to the fake)', 'ms'],
        [
          ['first open (reads the replica: 12 figures)', fmt(cold)],
          ['from cache, median of 200', fmt(median(warm))],
          ['**from cache, p99 of 200**', `**${fmt(percentile(warm, 99))}**`],
          ['cached figures alone', fmt(figuresOnly)],
        ],
      ),
    ].join('\n');
  } finally {
    await replicas.closeAll();
    await fake.close();
  }
}
