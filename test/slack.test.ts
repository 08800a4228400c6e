import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackServer, type RunningSlackServer } from '../src/slack/server.js';
import { replicaHealth } from '../src/slack/serve.js';
import { createLogger } from '../src/core/log.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { freePort } from './support/postgres-cluster.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { testConfig } from './support/deps.js';
import { buttonClickBody, postSigned, slashCommandBody } from './support/slack-requests.js';

const SECRET = 'test-signing-secret';
const TOKEN = 'xoxb-test-token';
const NOW = new Date('2026-11-15T12:00:00Z');
const OPS = { channelId: 'C0OPS0001', userId: 'U0ALICE01' };
const STRANGERS = { channelId: 'C0OTHER01', userId: 'U0BOB0001' };

let db: TestDatabase;
let fake: FakeSlack;
let server: RunningSlackServer;
let replicas: ReplicaSet;
let events: string;

beforeAll(async () => {
  db = await createTestDatabase('slack');
  const f = new OfnFixture(db.client);
  const shop = await f.enterprise({ name: 'Mercat Verd', sells: 'any' });
  const other = await f.enterprise({ name: 'Horta <!channel> & Co', sells: 'own' });
  await f.order(shop, { total: '1850.75', completed_at: utc('2026-10-31 23:30', 'Europe/Madrid') });
  await f.order(other, { total: '10.00', completed_at: utc('2026-10-02 10:00', 'Europe/Madrid') });
  await f.order(shop, { total: '5.00', completed_at: utc('2026-11-01 00:30', 'Europe/Madrid') }); // November locally
  fake = await startFakeSlack({ botToken: TOKEN });
  const downPort = await freePort();
  const config = testConfig(
    [
      { id: 'katuma', name: 'Katuma', url: db.url, timezone: 'Europe/Madrid', currency: 'EUR' },
      { id: 'au', name: 'OFN Australia', url: `postgres://nobody@127.0.0.1:${downPort}/gone`, timezone: 'Australia/Melbourne', currency: 'AUD' },
      { id: 'uk', name: 'OFN UK', url: db.url, timezone: 'Europe/London', currency: 'GBP' },
    ],
    [
      { channel: OPS.channelId, instances: ['katuma', 'au'] },
      { user: OPS.userId, instances: ['*'], admin: true },
    ],
  );
  replicas = new ReplicaSet(config);
  server = await startSlackServer({
    deps: { config, replica: (id) => replicas.get(id), now: () => NOW },
    logger: createLogger('silent'),
    botToken: TOKEN,
    signingSecret: SECRET,
    port: 0,
    slackApiUrl: fake.url,
    health: replicaHealth(config, replicas),
  });
  events = `http://127.0.0.1:${server.port}/slack/events`;
});

afterAll(async () => {
  await server?.stop(1_000);
  await replicas?.closeAll();
  await fake?.close();
  await db?.drop();
});

let nextId = 0;
async function ask(text: string, who = OPS) {
  const id = `r${++nextId}`;
  const post = await postSigned(events, slashCommandBody(text, { ...who, responseUrl: fake.responseUrl(id) }), SECRET);
  return { id, post, reply: () => fake.waitFor(() => fake.responses.find((r) => r.path.endsWith(`/${id}`) && r.status === 200)) };
}

const textOf = (body: any) => JSON.stringify(body.blocks ?? []) + (body.text ?? '');

describe('/ofn over HTTP', () => {
  // How fast the ack is belongs to the ack benchmark (bench/slack-ack.ts), not to a pass/fail test.
  it('acks with an empty 200 and answers through response_url with the figure, ephemeral', async () => {
    const { post, reply } = await ask('turnover katuma last-month');
    expect(post.status).toBe(200);
    expect(post.body).toBe(''); // the answer never rides on the ack
    const body = (await reply()).body;
    expect(body.response_type).toBe('ephemeral');
    expect(textOf(body)).toContain('€1,860.75');
    expect(body.blocks[0]).toMatchObject({ type: 'header', text: { text: 'Turnover · Katuma' } });
    expect(textOf(body)).toContain('1 Oct 2026 – 31 Oct 2026 (Europe/Madrid)');
    const actions = body.blocks.find((b: any) => b.type === 'actions');
    expect(actions.elements.map((e: any) => e.action_id)).toEqual(['ofn_share']);
  });

  it('answers the asker in their Slack language, the channel in the instance’s, and the instance’s when Slack will not say', async () => {
    const french = { userId: 'U0FRENCH1', channelId: OPS.channelId };
    fake.setUserLocale(french.userId, 'fr-FR');
    const privately = (await (await ask('turnover katuma last-month', french)).reply()).body;
    expect(privately.response_type).toBe('ephemeral');
    expect(privately.blocks[0]).toMatchObject({ type: 'header', text: { text: "Chiffre d'affaires · Katuma" } });
    expect(textOf(privately)).toContain('1 oct. 2026 – 31 oct. 2026 (Europe/Madrid)');
    expect(fake.calls.filter((c) => c.method === 'users.info' && c.body.user === french.userId).map((c) => String(c.body.include_locale))).toEqual(['true']);
    const publicly = (await (await ask('turnover katuma last-month public', french)).reply()).body;
    expect(publicly.response_type).toBe('in_channel');
    expect(publicly.blocks[0]).toMatchObject({ type: 'header', text: { text: 'Turnover · Katuma' } });
    // Asked again within the hour: Slack is not asked again.
    await (await ask('orders katuma last-month', french)).reply();
    expect(fake.calls.filter((c) => c.method === 'users.info' && c.body.user === french.userId)).toHaveLength(1);
    // Without the users:read scope: the instance's language, and the answer still comes.
    const unscoped = { userId: 'U0NOSCOPE', channelId: OPS.channelId };
    fake.setUserLocale(unscoped.userId, 'de-DE');
    fake.failNext('users.info', { kind: 'error', error: 'missing_scope' });
    const fallback = (await (await ask('turnover katuma last-month', unscoped)).reply()).body;
    expect(fallback.blocks[0]).toMatchObject({ type: 'header', text: { text: 'Turnover · Katuma' } });
  });

  it('tells an error in the asker’s Slack language, and in English when Slack does not say', async () => {
    const spanish = { userId: 'U0SPANISH', channelId: OPS.channelId };
    fake.setUserLocale(spanish.userId, 'es-ES');
    const mistyped = (await (await ask('facturacon katuma last-month', spanish)).reply()).body;
    expect(mistyped.response_type).toBe('ephemeral');
    expect(textOf(mistyped)).toContain('No conozco la pregunta `facturacon`. ¿Querías decir `facturación`?');
    expect(textOf(mistyped)).toContain('Escribe `help` para ver todas las preguntas con ejemplos.');
    expect(textOf(mistyped)).not.toContain('know the question');
    const noInstance = (await (await ask('turnover katumaa last-month', spanish)).reply()).body;
    expect(textOf(noInstance)).toContain('No hay ninguna instancia `katumaa`. ¿Querías decir `katuma`?');
    // The same mistake from someone whose locale Slack does not give: English, as before.
    const english = (await (await ask('facturacon katuma last-month')).reply()).body;
    expect(textOf(english)).toContain("I don't know the question `facturacon`. Did you mean `facturación`?");
  });

  it('posts for everyone with `public`', async () => {
    const body = (await (await ask('orders katuma last-month public')).reply()).body;
    expect(body.response_type).toBe('in_channel');
    expect(textOf(body)).toContain('*2*');
  });

  it('escapes shop names so they cannot mention the channel', async () => {
    const body = (await (await ask('top-shops katuma last-month')).reply()).body;
    const text = textOf(body);
    expect(text).toContain('Horta &lt;!channel&gt; &amp; Co');
    expect(text).not.toContain('<!channel>');
  });

  it('uploads a chart PNG through the three upload calls, to the asker alone for a private answer, numbers as text too', async () => {
    const before = fake.calls.length;
    const { reply } = await ask('turnover katuma 2026-09-01..2026-11-30 by month chart');
    await reply();
    // The answer is ephemeral: its chart goes to the asker's direct messages with the bot, not the channel (issue 13).
    const dm = `D${OPS.userId.slice(1)}`;
    const shared = await fake.waitFor(() => fake.sharedFiles.find((f) => f.filename.endsWith('.png') && f.at > 0 && f.channelId === dm));
    expect(fake.sharedFiles.filter((f) => f.channelId === OPS.channelId && f.filename.endsWith('.png'))).toEqual([]);
    const methods = fake.calls.slice(before).map((c) => c.method);
    expect(methods).toEqual(expect.arrayContaining(['files.getUploadURLExternal', 'files.completeUploadExternal']));
    expect(methods.indexOf('files.getUploadURLExternal')).toBeLessThan(methods.indexOf('files.completeUploadExternal'));
    expect(shared.bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(shared.altText).toContain('Turnover · Katuma');
    expect(shared.initialComment).toContain('€1,860.75');
  });

  it('rejects a bad signature or an old timestamp with 401, and runs no handler', async () => {
    const body = slashCommandBody('turnover katuma last-month', { ...OPS, responseUrl: fake.responseUrl('forged') });
    expect((await postSigned(events, body, 'wrong-secret')).status).toBe(401);
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await postSigned(events, body, SECRET, { timestamp: old })).status).toBe(401);
    // A genuine request afterwards is answered; the forged ones never were.
    await (await ask('orders katuma last-month')).reply();
    expect(fake.responses.some((r) => r.path.endsWith('/forged'))).toBe(false);
  });

  it('refuses a channel without access, naming the id to add, and shows no figure', async () => {
    const body = (await (await ask('turnover katuma last-month', STRANGERS)).reply()).body;
    expect(textOf(body)).toContain('This channel (C0OTHER01) has no access');
    expect(textOf(body)).not.toContain('1,850');
  });

  it('refuses an instance outside the channel list', async () => {
    const body = (await (await ask('turnover uk last-month')).reply()).body;
    expect(textOf(body)).toContain('may not see OFN UK');
    expect(textOf(body)).not.toContain('£');
  });

  it('answers with help and suggestions, ephemeral', async () => {
    const body = (await (await ask('turnovr katuma')).reply()).body;
    expect(body.response_type).toBe('ephemeral');
    expect(textOf(body)).toContain('Did you mean `turnover`?');
  });

  it('gives a friendly message for a replica that is down while another instance still answers', async () => {
    const down = await ask('turnover au last-month');
    const up = await ask('turnover katuma last-month');
    const downBody = (await down.reply()).body;
    expect(textOf(downBody)).toContain("OFN Australia's replica is not answering right now, try again later.");
    expect(textOf(downBody)).not.toMatch(/at .*\.js:\d+/);
    expect(textOf((await up.reply()).body)).toContain('€1,860.75');
  });

  it('honours Retry-After when response_url answers 429', async () => {
    fake.failNextResponse({ kind: 'ratelimited', retryAfter: 1 });
    const { id, reply } = await ask('turnover katuma last-month');
    const delivered = await reply();
    const attempts = fake.responses.filter((r) => r.path.endsWith(`/${id}`));
    expect(attempts.map((a) => a.status)).toEqual([429, 200]);
    expect(delivered.at - attempts[0]!.at).toBeGreaterThanOrEqual(1_000);
  });

  it('re-runs the question from a button and re-checks access on the click', async () => {
    const ok = await postSigned(events, buttonClickBody('ofn_share', 'turnover katuma last-month', { ...OPS, responseUrl: fake.responseUrl('b1') }), SECRET);
    expect(ok.status).toBe(200);
    const shared = await fake.waitFor(() => fake.responses.find((r) => r.path.endsWith('/b1')));
    expect(shared.body.response_type).toBe('in_channel');
    expect(textOf(shared.body)).toContain('€1,860.75');
    // The same button value clicked in a channel without access: refused, whatever the value says.
    await postSigned(events, buttonClickBody('ofn_share', 'turnover katuma last-month', { ...STRANGERS, responseUrl: fake.responseUrl('b2') }), SECRET);
    const refused = await fake.waitFor(() => fake.responses.find((r) => r.path.endsWith('/b2')));
    expect(textOf(refused.body)).toContain('has no access');
    expect(textOf(refused.body)).not.toContain('1,850');
  });

  it('sends the CSV from the CSV button', async () => {
    await postSigned(events, buttonClickBody('ofn_csv', 'turnover katuma last-month by shop', { ...OPS, responseUrl: fake.responseUrl('b3') }), SECRET);
    const csv = await fake.waitFor(() => fake.sharedFiles.find((f) => f.filename.endsWith('.csv')));
    // Clicked on a private answer: the CSV goes to the asker alone, and the ephemeral reply links to it.
    expect(csv.channelId).toBe(`D${OPS.userId.slice(1)}`);
    expect(csv.bytes.toString('utf8').split('\r\n')[0]).toBe('enterprise_id,name,value,orders');
    const link = await fake.waitFor(() => fake.responses.find((r) => r.path.endsWith('/b3') && String(r.body.text).includes('direct messages')));
    expect(link.body.text).toContain(`https://fake-slack.test/files/${csv.fileId}/`);
    expect(link.body.response_type).toBe('ephemeral');
  });

  it('shares files in the channel for a public answer or a click on a shared message', async () => {
    const { reply } = await ask('turnover katuma 2026-09-01..2026-11-30 by month chart public');
    await reply();
    await fake.waitFor(() => fake.sharedFiles.find((f) => f.filename.endsWith('.png') && f.channelId === OPS.channelId));
    const body = JSON.parse(new URLSearchParams(buttonClickBody('ofn_csv', 'orders katuma last-month by shop', { ...OPS, responseUrl: fake.responseUrl('b4') })).get('payload')!);
    body.container.is_ephemeral = false;
    await postSigned(events, new URLSearchParams({ payload: JSON.stringify(body) }).toString(), SECRET);
    const csv = await fake.waitFor(() => fake.sharedFiles.find((f) => f.filename.startsWith('orders-katuma') && f.filename.endsWith('.csv')));
    expect(csv.channelId).toBe(OPS.channelId);
  });

  it('reports replica reachability on /healthz', async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(response.status).toBe(200);
    // One replica down: the bot still answers the others, so 200 with "degraded" (issue 11).
    expect(await response.json()).toEqual({ status: 'degraded', replicas: { katuma: true, au: false, uk: true }, stateStore: 'none', warnings: [] });
  });
});

describe('/ofn while restarting', () => {
  it('acks a request that arrives during the grace window in the language the instances share, without asking Slack', async () => {
    const config = testConfig([{ id: 'katuma', name: 'Katuma', url: db.url, timezone: 'Europe/Madrid', locale: 'es-ES' }], [{ channel: OPS.channelId, instances: ['katuma'] }]);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const restarting = await startSlackServer({
      deps: { config, replica: (id) => replicas.get(id), now: () => NOW },
      logger: createLogger('silent'),
      botToken: TOKEN,
      signingSecret: SECRET,
      port: 0,
      slackApiUrl: fake.url,
      // An answer in flight keeps the server in its grace window.
      dispatch: () => held,
    });
    const url = `http://127.0.0.1:${restarting.port}/slack/events`;
    let stopped = false;
    try {
      expect((await postSigned(url, slashCommandBody('turnover katuma last-month', { ...OPS, responseUrl: fake.responseUrl('held') }), SECRET)).body).toBe('');
      await new Promise((resolve) => setImmediate(resolve));
      expect(restarting.inFlight()).toBe(1);
      const before = fake.calls.filter((c) => c.method === 'users.info').length;
      const stopping = restarting.stop(10_000);
      const late = await postSigned(url, slashCommandBody('orders katuma last-month', { userId: 'U0LATE001', channelId: OPS.channelId, responseUrl: fake.responseUrl('late') }), SECRET);
      expect(JSON.parse(late.body)).toEqual({ response_type: 'ephemeral', text: 'ofn-insights se está reiniciando; vuelve a preguntar en unos segundos.' });
      expect(fake.calls.filter((c) => c.method === 'users.info')).toHaveLength(before);
      release();
      await stopping;
      stopped = true;
    } finally {
      release();
      if (!stopped) await restarting.stop(1_000).catch(() => undefined);
    }
  });
});
