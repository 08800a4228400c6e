/**
 * Issue 12: every question kind goes through one route table, from every face. Pulses of `growth` and
 * `compare` are accepted and post; `help` lists every kind and `help <kind>` shows its usage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { startSlackServer, type RunningSlackServer } from '../src/slack/server.js';
import { createLogger } from '../src/core/log.js';
import { parseConfig } from '../src/installation.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import type { Deps } from '../src/commands/types.js';
import { startJobs } from '../src/jobs/start-jobs.js';
import { ask } from '../src/commands/pipeline.js';
import { routeTable } from '../src/commands/index.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { createStateStore, eventually } from './support/state.js';
import { postSigned, slashCommandBody } from './support/slack-requests.js';

const SECRET = 'pipeline-secret';
const OPS = { channelId: 'C0PIPE001', userId: 'U0ADMIN01' };
// Monday 30 Nov 2026, 08:58 in Madrid: the weekly Monday slot is two minutes away, the 1st tomorrow.
const NOW = new Date('2026-11-30T07:58:00Z');

let katuma: TestDatabase;
let uk: TestDatabase;
let state: Awaited<ReturnType<typeof createStateStore>>;
let fake: FakeSlack;
let server: RunningSlackServer;
let replicas: ReplicaSet;
let deps: Deps;

beforeAll(async () => {
  katuma = await createTestDatabase('pipe_kat');
  uk = await createTestDatabase('pipe_uk');
  const k = new OfnFixture(katuma.client);
  const shop = await k.enterprise({ name: 'Mercat Verd', sells: 'any', created_at: utc('2026-10-03 10:00', 'Europe/Madrid') });
  await k.order(shop, { total: '120.00', completed_at: utc('2026-10-15 12:00', 'Europe/Madrid') });
  const u = new OfnFixture(uk.client);
  const farm = await u.enterprise({ name: 'Leeds Larder', sells: 'own', created_at: utc('2026-09-10 10:00', 'Europe/London') });
  await u.order(farm, { total: '80.00', completed_at: utc('2026-10-20 12:00', 'Europe/London') });
  state = await createStateStore();
  fake = await startFakeSlack({ botToken: 'xoxb-pipe' });
  const config = parseConfig(
    {
      instances: {
        katuma: { name: 'Katuma', replica: katuma.url, timezone: 'Europe/Madrid', currency: 'EUR' },
        uk: { name: 'UK', replica: uk.url, timezone: 'Europe/London', currency: 'GBP' },
      },
      access: [
        { channel: OPS.channelId, instances: ['*'] },
        { user: OPS.userId, instances: ['*'], admin: true },
      ],
    },
    {},
    'test',
  );
  replicas = new ReplicaSet(config);
  deps = { config, replica: (id) => replicas.get(id), now: () => NOW };
  server = await startSlackServer({ deps, state: state.db, logger: createLogger('silent'), botToken: 'xoxb-pipe', signingSecret: SECRET, port: 0, slackApiUrl: fake.url });
});

afterAll(async () => {
  await server?.stop(1_000);
  await replicas?.closeAll();
  await fake?.close();
  await state?.drop();
  await katuma?.drop();
  await uk?.drop();
});

let n = 0;
async function say(text: string): Promise<string> {
  const id = `p${++n}`;
  await postSigned(`http://127.0.0.1:${server.port}/slack/events`, slashCommandBody(text, { ...OPS, responseUrl: fake.responseUrl(id) }), SECRET);
  const reply = await fake.waitFor(() => fake.responses.find((r) => r.path.endsWith(`/${id}`) && r.status === 200));
  return JSON.stringify(reply.body.blocks) + reply.body.text;
}

describe('pulses of every question kind', () => {
  it('accepts growth and compare pulses, and posts them at their slots', async () => {
    const growth = await say('pulse add growth all monthly 1 09:00');
    expect(growth).toMatch(/Pulse #\d+: `growth all` monthly 1 09:00 \(Europe\/Madrid\)/);
    const compare = await say('pulse add compare turnover all weekly mon 09:00');
    expect(compare).toMatch(/Pulse #\d+: `compare turnover all` weekly mon 09:00/);
    const client = new WebClient('xoxb-pipe', { slackApiUrl: fake.url, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    const jobs = await startJobs({ state: state.db, deps, client, logger: createLogger('silent'), cronEnabled: false, outboxMs: 20, pollMs: 3_600_000 });
    try {
      await jobs.tick(new Date('2026-11-30T08:01:00Z')); // Mon 30 Nov 09:01 Madrid: the weekly slot
      await jobs.tick(new Date('2026-12-01T08:01:00Z')); // Tue 1 Dec 09:01 Madrid: the monthly one
      const posts = await eventually(async () => {
        const p = fake.calls.filter((c) => c.method === 'chat.postMessage' && c.ok && c.body.channel === OPS.channelId);
        return p.length >= 2 ? p : undefined;
      }, 20_000);
      const texts = posts.map((p) => JSON.stringify(p.body.blocks));
      const growthPost = texts.find((t) => t.includes('Growth · 2 instances'));
      expect(growthPost).toBeDefined();
      expect(growthPost).toContain('Katuma');
      expect(growthPost).toContain('UK');
      const comparePost = texts.find((t) => t.includes('Turnover · 2 instances'));
      expect(comparePost).toBeDefined();
      expect(comparePost).toContain('€120.00');
      expect(comparePost).toContain('£80.00');
      // compare asks for a chart: it goes with the digest.
      await eventually(async () => fake.sharedFiles.find((f) => f.filename.startsWith('pulse-') && f.channelId === OPS.channelId));
    } finally {
      await jobs.stop();
    }
  });
});

describe('help for every kind', () => {
  it('lists every question kind, and shows usage and examples for each', async () => {
    const all = await say('help');
    for (const kind of ['turnover', 'billing', 'growth', 'compare', 'metrics', 'segments', 'define', 'save', 'pulse add', 'pulse list', 'watch new-profiles', 'count', 'list']) {
      expect(all, kind).toContain(kind);
    }
    for (const route of routeTable(deps.config.registry).commands) {
      const topic = route.usage.split(/ [<[]/)[0]!;
      const outcome = await ask(deps, `help ${topic}`);
      expect(outcome.kind, topic).toBe('help');
      const lines = outcome.kind === 'help' ? outcome.lines.join('\n') : '';
      expect(lines, topic).toContain(`Usage: ${route.usage}`);
      expect(lines, topic).toContain(route.examples[0]!);
    }
    expect(await say('help metrics')).toContain('Usage: metrics');
    expect(await say('help billing')).toContain('billing katuma 2026-10');
  });
});
