import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { startSlackServer, type RunningSlackServer } from '../src/slack/server.js';
import { createLogger } from '../src/core/log.js';
import { parseConfig, type Config } from '../src/installation.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import { ask } from '../src/commands/pipeline.js';
import type { Deps } from '../src/commands/types.js';
import { renderText } from '../src/render/text.js';
import { dashboardMessages } from '../src/render/dashboard.js';
import { slackMessage } from '../src/render/slack-message.js';
import { publishHome } from '../src/slack/home.js';
import { WebClient } from '@slack/web-api';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { createStateStore, eventually } from './support/state.js';
import { homeButtonBody, homeOpenedBody, postSigned, slashCommandBody } from './support/slack-requests.js';

const SECRET = 'dashboards-secret';
const ALL = { channelId: 'C0ALL0001', userId: 'U0ADMIN01' };
const KATUMA_ONLY = { channelId: 'C0KAT0001', userId: 'U0ADMIN01' };
const BOB = { channelId: 'C0KAT0001', userId: 'U0BOB0001' };
const NOW = new Date('2026-11-15T12:00:00Z');

let db: TestDatabase;
let state: Awaited<ReturnType<typeof createStateStore>>;
let fake: FakeSlack;
let server: RunningSlackServer;
let replicas: ReplicaSet;
let config: Config;
let deps: Deps;
/** Every time a command reads a replica (deps.replica is called once per read). */
let replicaReads = 0;

beforeAll(async () => {
  db = await createTestDatabase('dashboards');
  const f = new OfnFixture(db.client);
  const mercat = await f.enterprise({ name: 'Mercat Verd', sells: 'any', created_at: utc('2026-10-02 10:00', 'Europe/Madrid') });
  const fruit = await f.enterprise({ name: 'Fruit & Veg <Co>', sells: 'any', created_at: utc('2026-11-03 10:00', 'Europe/Madrid') });
  // October 2026 in Madrid: 300.00 + 120.50 + 99.99 = 520.49; by 15 Oct (the same days as 1–15 Nov): 300.00 + 99.99 = 399.99.
  await f.order(mercat, { total: '300.00', completed_at: utc('2026-10-15 12:00', 'Europe/Madrid') });
  await f.order(mercat, { total: '120.50', completed_at: utc('2026-10-20 12:00', 'Europe/Madrid') });
  await f.order(fruit, { total: '99.99', completed_at: utc('2026-10-03 12:00', 'Europe/Madrid') });
  // November to date: 50.00.
  await f.order(fruit, { total: '50.00', completed_at: utc('2026-11-05 12:00', 'Europe/Madrid') });
  state = await createStateStore();
  fake = await startFakeSlack({ botToken: 'xoxb-dash' });
  config = parseConfig(
    {
      instances: {
        katuma: { name: 'Katuma', replica: db.url, timezone: 'Europe/Madrid', currency: 'EUR' },
        uk: { name: 'OFN UK', replica: db.url, timezone: 'Europe/London', currency: 'GBP' },
      },
      access: [
        { channel: 'C0ALL0001', instances: ['*'] },
        { channel: 'C0KAT0001', instances: ['katuma'] },
        { user: 'U0ADMIN01', instances: ['*'], admin: true },
        { user: 'U0HOME001', instances: ['katuma'] },
      ],
      dashboards: {
        'katuma-monthly': {
          title: 'Katuma, monthly',
          questions: ['turnover katuma last-month', 'turnover katuma last-month by shop', 'orders katuma last-month', 'turnover katuma last-3-months by month chart', 'turnover uk last-month'],
        },
      },
      home: { cacheSeconds: 600 },
      opsChannel: 'C0OPSNOTE',
    },
    {},
    'test',
  );
  replicas = new ReplicaSet(config);
  deps = {
    config,
    replica: (id) => {
      replicaReads++;
      return replicas.get(id);
    },
    now: () => NOW,
  };
  server = await startSlackServer({ deps, state: state.db, logger: createLogger('silent'), botToken: 'xoxb-dash', signingSecret: SECRET, port: 0, slackApiUrl: fake.url });
});

afterAll(async () => {
  await server?.stop(1_000);
  await replicas?.closeAll();
  await fake?.close();
  await state?.drop();
  await db?.drop();
});

let n = 0;
/** `/ofn <text>` from `who`; the reply (or replies) posted to its response_url. */
async function say(text: string, who = ALL, replies = 1): Promise<any[]> {
  const id = `d${++n}`;
  await postSigned(`http://127.0.0.1:${server.port}/slack/events`, slashCommandBody(text, { ...who, responseUrl: fake.responseUrl(id) }), SECRET);
  return fake.waitFor(() => {
    const found = fake.responses.filter((r) => r.path.endsWith(`/${id}`) && r.status === 200);
    return found.length >= replies ? found.map((r) => r.body) : undefined;
  }, 20_000);
}

const textOf = (message: any) => JSON.stringify(message.blocks) + message.text;

describe('/ofn dashboard', () => {
  it('reads a window its questions share once, and the questions still answer as they do alone', async () => {
    const grant = { instances: new Set(['katuma', 'uk']), billing: false, admin: false, via: 'test', label: 'test' };
    const alone = await Promise.all(['turnover katuma last-month', 'orders katuma last-month'].map((q) => ask(deps, q, state.db, { grant })));
    // What reaches PostgreSQL (pg's own client, under the pool), counted by statement text.
    const query = vi.spyOn(pg.Client.prototype, 'query');
    const ordersStatements = () =>
      query.mock.calls.filter((c) => typeof c[0] === 'string' && c[0].includes('spree_orders')).map((c) => `${c[0] as string} ${JSON.stringify(c[1])}`);
    try {
      const outcome: any = await ask(deps, 'dashboard katuma-monthly', state.db, { grant });
      const sent = ordersStatements();
      // Katuma's last month is read once for three questions (its turnover, its ranking by shop, its orders);
      // then its three months by month, and uk's last month (another replica, another zone).
      expect(sent).toHaveLength(3);
      expect(sent.filter((text) => text.includes('over ()'))).toHaveLength(2);
      expect(new Set(sent).size).toBe(sent.length); // no statement with the same parameters twice
      expect(outcome.parts.map((p: any) => p.status)).toEqual(['answered', 'answered', 'answered', 'answered', 'answered']);
      expect(outcome.parts[0].outcome.answer.value).toBe((alone[0] as any).answer.value);
      expect(outcome.parts[2].outcome.answer.value).toBe((alone[1] as any).answer.value);
      expect(outcome.parts[0].outcome.answer.value).toBe('520.49');
      expect(outcome.parts[2].outcome.answer.value).toBe('3');
      // The ranking carries the same total, from its own statement.
      expect(outcome.parts[1].outcome.answer.total).toEqual({ value: '520.49', orders: 3 });

      // Outside a dashboard nothing is shared: the same two questions send the statement twice.
      query.mockClear();
      await Promise.all(['turnover katuma last-month', 'orders katuma last-month'].map((q) => ask(deps, q, state.db, { grant })));
      expect(ordersStatements()).toHaveLength(2);
      expect(new Set(ordersStatements()).size).toBe(1);
    } finally {
      query.mockRestore();
    }
  });

  it('posts one message: figures equal to the questions asked alone, a table block, fenced text, charts by uploaded file id, a context line with the zones', async () => {
    const [message] = await say('dashboard katuma-monthly');
    const blocks = message.blocks as any[];
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'Katuma, monthly' } });
    const text = textOf(message);
    // The same figures as each question alone (hand-computed above), asked the same way.
    const alone = renderText(await ask(deps, 'turnover katuma last-month', undefined, { grant: { instances: new Set(['katuma', 'uk']), billing: false, admin: false, via: 't', label: 't' } }));
    expect(alone).toContain('€520.49');
    expect(text).toContain('€520.49');
    expect(text).toContain('*3*'); // orders katuma last-month
    // In order: the question asked first comes first.
    expect(text.indexOf('€520.49')).toBeLessThan(text.indexOf('Mercat Verd'));
    // One table block (Slack allows one a message): the by-shop ranking, its names as typed (raw_text is not mrkdwn).
    const tables = blocks.filter((b) => b.type === 'table');
    expect(tables).toHaveLength(1);
    expect(JSON.stringify(tables[0].rows)).toContain('Fruit & Veg <Co>');
    expect(tables[0].rows).toHaveLength(1 + 2 + 1); // header, two shops, total
    // The second table (by month) as fenced text, under 3,000 characters a section.
    const fenced = blocks.filter((b) => b.type === 'section' && b.text.text.startsWith('```'));
    expect(fenced.some((b) => b.text.text.includes('Oct 2026') && b.text.text.includes('€520.49'))).toBe(true);
    for (const b of blocks.filter((b) => b.type === 'section' && b.text)) expect(b.text.text.length).toBeLessThan(3000);
    // Names from the replica are escaped in every mrkdwn place.
    expect(JSON.stringify(blocks.filter((b) => b.type !== 'table'))).not.toContain('<Co>');
    // The chart: uploaded first, shared nowhere, shown by its file id.
    const images = blocks.filter((b) => b.type === 'image');
    expect(images).toHaveLength(1);
    const upload = fake.sharedFiles.find((f) => f.fileId === images[0].slack_file.id);
    expect(upload).toBeDefined();
    expect(upload!.channelId).toBeUndefined();
    expect(upload!.bytes.subarray(1, 4).toString()).toBe('PNG');
    const uploadedAt = fake.uploads.find((u) => u.fileId === upload!.fileId)!.at;
    const postedAt = fake.responses.find((r) => r.body === message)!.at;
    expect(uploadedAt).toBeLessThan(postedAt);
    // The closing context: the time zones, and that each period is the instance's own.
    expect(JSON.stringify(blocks.at(-1))).toContain('Europe/Madrid');
    expect(JSON.stringify(blocks.at(-1))).toContain('Europe/London');
    expect(JSON.stringify(blocks)).toContain('last-month: 1 Oct 2026 – 31 Oct 2026 (Europe/Madrid)');
    expect(message.response_type).toBe('ephemeral');
  });

  it('names a question the channel may not see instead of answering it, and answers the rest', async () => {
    const [message] = await say('dashboard katuma-monthly public', KATUMA_ONLY);
    const text = textOf(message);
    expect(message.response_type).toBe('in_channel');
    expect(text).toContain('€520.49');
    expect(text).toContain('`turnover uk last-month`');
    expect(text).toContain('Not shown here');
    expect(text).toContain('may not see OFN UK');
    expect(text).toContain('1 not shown');
    expect(text).not.toContain('£');
    expect(text).not.toContain('Europe/London');
  });

  it('lets an admin add, list and remove a dashboard, checking each question, and refuses others', async () => {
    expect(textOf((await say('dashboard add weekly "turnover katuma last-week"', BOB))[0])).toContain('needs `admin: true`');
    expect(textOf((await say('dashboard add weekly "turnover uk last-week"', KATUMA_ONLY))[0])).toContain('may not see OFN UK');
    expect(textOf((await say('dashboard add weekly "turnvoer katuma last-week"', KATUMA_ONLY))[0])).toContain('Did you mean `turnover`');
    const added = textOf((await say('dashboard add weekly title "Weekly, Katuma" "turnover katuma last-week" “orders katuma last-week”', KATUMA_ONLY))[0]);
    expect(added).toContain('Added dashboard `weekly` with 2 questions');
    expect(await state.db.selectFrom('dashboards').select(['title', 'questions', 'created_by']).where('name', '=', 'weekly').executeTakeFirstOrThrow()).toEqual({
      title: 'Weekly, Katuma',
      questions: ['turnover katuma last-week', 'orders katuma last-week'],
      created_by: 'U0ADMIN01',
    });
    const list = textOf((await say('dashboard list', BOB))[0]);
    expect(list).toContain('`weekly` (Weekly, Katuma)');
    expect(list).toContain('and 1 question this channel may not see');
    expect(list).not.toContain('turnover uk');
    const [posted] = await say('dashboard weekly', BOB);
    expect(posted.blocks[0].text.text).toBe('Weekly, Katuma');
    expect(textOf((await say('dashboard remove weekly', KATUMA_ONLY))[0])).toContain('Dashboard `weekly` removed');
    expect(textOf((await say('dashboard weekly', BOB))[0])).toContain('There is no dashboard `weekly`');
    expect(textOf((await say('dashboard remove katuma-monthly', KATUMA_ONLY))[0])).toContain('a dashboard of the config');
  });
});

describe('a dashboard Slack refuses', () => {
  it('is never reported as sent: the asker hears Slack’s words, and the ops channel is told', async () => {
    await state.db.insertInto('dashboards').values({ name: 'refused', title: 'Refused', questions: JSON.stringify(['orders katuma last-month']), created_by: 'U0ADMIN01', channel_id: 'C0ALL0001' }).execute();
    fake.failNextResponse({ kind: 'error', error: 'invalid_blocks' });
    const [error] = await say('dashboard refused');
    expect(textOf(error)).toContain('Slack refused the dashboard `refused` (HTTP 400)');
    // Enqueued just after the reply.
    const notice = await eventually(() => state.db.selectFrom('deliveries').select(['channel_id', 'payload']).where('dedupe_key', 'like', 'ops:dashboard:%').executeTakeFirst());
    expect(notice.channel_id).toBe('C0OPSNOTE');
    expect(JSON.stringify(notice.payload)).toContain('Dashboard `refused` asked by <@U0ADMIN01> in <#C0ALL0001> was not posted');
  });
});

describe('a dashboard of story questions', () => {
  it('says a story’s title once: as the part’s bold line, not again atop its text', async () => {
    const outcome = await ask(deps, 'funnel katuma 2026');
    const [message] = dashboardMessages(
      { kind: 'dashboard', name: 'story', title: 'Story', parts: [{ question: 'funnel katuma 2026', status: 'answered', outcome }], presentation: { chart: false, public: false }, askedAt: NOW.toISOString() },
      { messageOf: (o) => slackMessage(o, { ephemeral: false, digest: true }) },
    );
    const text = JSON.stringify(message!.blocks);
    expect(text.split('Funnel · Katuma')).toHaveLength(2);
    // Its text still opens with the instance and the period, in its zone.
    expect(text).toContain('```\\nKatuma · 2026: 1 Jan 2026 – 15 Nov 2026, to date (Europe/Madrid)');
    // The closing line names the story's zone, as for any answer (not UTC).
    expect(text).toContain("each period in its instance's time zone (Europe/Madrid) · asked 15 Nov 2026 13:00 (Europe/Madrid)");
  });
});

describe('a long table', () => {
  // A ranking of 2,000 shops, as a large instance's `turnover … by shop` gives it: what an answer renders from.
  const ranking = async () => {
    const real = (await ask(deps, 'turnover katuma last-month by shop')) as any;
    const rows = Array.from({ length: 2000 }, (_, i) => ({ enterpriseId: i + 1, name: `Shop <${i + 1}>`, value: (2000 - i).toFixed(2), orders: 1 }));
    return { ...real, answer: { ...real.answer, rows, total: { value: '2001000.00', orders: 2000 } } };
  };

  it('shows its first rows in a dashboard, keeps the total of every row, and says how many there were and where the rest is', async () => {
    const outcome = await ranking();
    const messages = dashboardMessages(
      { kind: 'dashboard', name: 'long', title: 'Long', parts: [{ question: 'turnover katuma last-month by shop', status: 'answered', outcome }], presentation: { chart: false, public: false }, askedAt: NOW.toISOString() },
      { messageOf: (o) => slackMessage(o, { ephemeral: false, digest: true }) },
    );
    expect(messages).toHaveLength(1);
    const table = messages[0]!.blocks.find((b) => b.type === 'table') as any;
    const cells = (row: any[]) => row.map((c) => c.text);
    expect(table.rows).toHaveLength(1 + 31 + 1); // header, the first 31 shops, the total
    expect(cells(table.rows[1])).toEqual(['1', 'Shop <1>', '€2,000.00', '1']);
    expect(cells(table.rows[31])).toEqual(['31', 'Shop <31>', '€1,970.00', '1']);
    expect(cells(table.rows.at(-1))).toEqual([' ', 'Total (all 2,000 shops)', '€2,001,000.00', '2,000']);
    const text = JSON.stringify(messages[0]!.blocks);
    expect(text).toContain('First 31 of 2,000 rows; `turnover katuma last-month by shop` asked on its own gives them all, with a CSV.');
  });

  it('shows a long series’ latest rows in a dashboard, with the whole period’s total', async () => {
    const outcome = (await ask(deps, 'turnover katuma 2026 by day')) as any;
    const days = outcome.answer.rows.length;
    expect(days).toBeGreaterThan(31);
    const [message] = dashboardMessages(
      { kind: 'dashboard', name: 'days', title: 'Days', parts: [{ question: 'turnover katuma 2026 by day', status: 'answered', outcome }], presentation: { chart: false, public: false }, askedAt: NOW.toISOString() },
      { messageOf: (o) => slackMessage(o, { ephemeral: false, digest: true }) },
    );
    const table = message!.blocks.find((b) => b.type === 'table') as any;
    const labels = table.rows.map((row: any[]) => row[0].text);
    expect(labels).toHaveLength(1 + 31 + 1);
    expect(labels[1]).toBe('16 Oct 2026'); // 31 days back from 15 Nov
    expect(labels.at(-2)).toMatch(/^15 Nov 2026 /); // today, marked as not over
    expect(labels.at(-1)).toBe('Total');
    expect(table.rows.at(-1)[1].text).toBe('€570.49'); // the whole of 2026 so far, not the 31 days shown
    expect(JSON.stringify(message!.blocks)).toContain(`Last 31 of ${days} rows; \`turnover katuma 2026 by day\` asked on its own gives them all, with a CSV.`);
  });

  it('as a single answer, shows the rows one section holds and the total row, and attaches the rest as CSV', async () => {
    const outcome = await ranking();
    const message = slackMessage(outcome, { ephemeral: true });
    expect(message.truncated).toBe(true);
    const section = message.blocks.find((b) => b.type === 'section') as any;
    expect(section.text.text.length).toBeLessThanOrEqual(3000);
    const lines = section.text.text.split('\n');
    expect(lines.at(-2)).toMatch(/^\s+Total\s+€2,001,000\.00\s+2,000$/);
    const shown = lines.filter((l: string) => /^\s*\d+\s+Shop/.test(l)).length;
    expect(shown).toBeGreaterThan(10);
    expect(JSON.stringify(message.blocks)).toContain(`First ${shown} of 2,000 rows; the full list is in the CSV.`);
  });
});

describe('the App Home tab', () => {
  async function open(userId: string, before: number) {
    await postSigned(`http://127.0.0.1:${server.port}/slack/events`, homeOpenedBody(userId), SECRET, { contentType: 'application/json' });
    return fake.waitFor(() => fake.homeViews.length > before && fake.homeViews.at(-1), 20_000);
  }

  it('publishes the user’s instances, this month to date against last month, and their dashboards; a second open within the cache period reads no replica', async () => {
    const published = await open('U0HOME001', fake.homeViews.length);
    expect(published.userId).toBe('U0HOME001');
    const blocks = published.view.blocks as any[];
    expect(blocks.length).toBeLessThanOrEqual(100);
    const text = JSON.stringify(blocks);
    expect(text).toContain('Katuma');
    expect(text).not.toContain('OFN UK'); // the user's rule sees katuma only
    // At 13:00 on 15 Nov in Madrid: the complete days 1–14 Nov against 1–14 Oct (the 300.00 of 15 Oct is not in), and all of October.
    expect(text).toContain('*€50.00* 1–14 Nov');
    expect(text).toContain('€99.99 1–14 Oct');
    expect(text).toContain('€520.49 all Oct');
    expect(text).toContain('*New shops*\\n*1* 1–14 Nov'); // Fruit & Veg, created 3 Nov
    expect(text).toContain('today counts once it is over');
    const dashboard = blocks.find((b) => b.accessory?.action_id === 'ofn_home_dashboard');
    expect(dashboard.accessory.value).toBe('katuma-monthly');
    expect(blocks.some((b) => b.type === 'actions' && b.elements[0].action_id === 'ofn_home_refresh')).toBe(true);

    const reads = replicaReads;
    const again = await open('U0HOME001', fake.homeViews.length);
    expect(again.view.blocks).toEqual(blocks);
    expect(replicaReads).toBe(reads);
  });

  it('on the 1st, shows today so far against all of last month, and no same-days comparison', async () => {
    // 10:00 on 1 Dec in Madrid: no day of December is over.
    const firstOfMonth: Deps = { ...deps, now: () => new Date('2026-12-01T09:00:00Z') };
    const client = new WebClient('xoxb-dash', { slackApiUrl: fake.url });
    await publishHome({ deps: firstOfMonth, client, logger: createLogger('silent') }, 'U0HOME001');
    const published = fake.homeViews.at(-1)!;
    expect(published.userId).toBe('U0HOME001');
    const text = JSON.stringify(published.view.blocks);
    expect(text).toContain('*€0.00* today so far\\n€50.00 all Nov');
    expect(text).toContain('*New shops*\\n*0* today so far\\n1 all Nov'); // Fruit & Veg, created 3 Nov
    expect(text).toContain('no day of this month is over yet');
    expect(text).not.toMatch(/1–\d+ Nov/);
  });

  it('tells the ops channel once per kind of error and day when Slack refuses to publish the Home tab', async () => {
    const opsHome = () => state.db.selectFrom('deliveries').select(['dedupe_key', 'channel_id', 'payload']).where('dedupe_key', 'like', 'ops:home:%').orderBy('id').execute();
    const opened = async (userId: string) => {
      const before = fake.calls.filter((c) => c.method === 'views.publish').length;
      await postSigned(`http://127.0.0.1:${server.port}/slack/events`, homeOpenedBody(userId), SECRET, { contentType: 'application/json' });
      await fake.waitFor(() => fake.calls.filter((c) => c.method === 'views.publish').length > before || undefined, 20_000);
    };
    // Slack refuses the view twice (two users open the tab): one notice.
    fake.failNext('views.publish', { kind: 'error', error: 'invalid_blocks' }, 2);
    await opened('U0HOME001');
    const [first] = await eventually(async () => ((await opsHome()).length > 0 ? opsHome() : undefined));
    await opened('U0ADMIN01');
    expect(first!.channel_id).toBe('C0OPSNOTE');
    expect(first!.dedupe_key).toBe('ops:home:invalid_blocks:2026-11-15');
    const text = JSON.stringify(first!.payload);
    expect(text).toContain('The Home tab could not be published for <@U0HOME001>');
    expect(text).toContain('*Why:* invalid_blocks');
    expect(text).toContain('*What to do:* Slack refused the view itself');
    // Another kind of error is told too, once.
    fake.failNext('views.publish', { kind: 'error', error: 'missing_scope' });
    await opened('U0HOME001');
    const rows = await eventually(async () => ((await opsHome()).length > 1 ? opsHome() : undefined));
    expect(rows.map((r) => r.dedupe_key)).toEqual(['ops:home:invalid_blocks:2026-11-15', 'ops:home:missing_scope:2026-11-15']);
    expect(JSON.stringify(rows[1]!.payload)).toContain('reinstall the app from manifest.yml');
    // Published again once Slack takes it: nothing more is said.
    await opened('U0HOME001');
    expect(fake.calls.filter((c) => c.method === 'views.publish').at(-1)!.ok).toBe(true);
    expect(await opsHome()).toHaveLength(2);
  });

  it('posts a dashboard from its button to the user’s direct messages, as that conversation may see it', async () => {
    const before = fake.calls.length;
    await postSigned(`http://127.0.0.1:${server.port}/slack/events`, homeButtonBody('ofn_home_dashboard', 'katuma-monthly', 'U0HOME001'), SECRET);
    const post = await fake.waitFor(() => fake.calls.slice(before).find((c) => c.method === 'chat.postMessage' && c.ok), 20_000);
    expect(post.body.channel).toBe('D0HOME001');
    const text = JSON.stringify(post.body.blocks);
    expect(text).toContain('€520.49');
    expect(text).toContain('may not see OFN UK');
  });
});
