import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackServer, type RunningSlackServer } from '../src/slack/server.js';
import { createLogger } from '../src/core/log.js';
import { parseConfig } from '../src/installation.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { createStateStore, eventually } from './support/state.js';
import { postSigned, slashCommandBody } from './support/slack-requests.js';

const SECRET = 'manage-secret';
const ADMIN = { channelId: 'C0OPS0001', userId: 'U0ADMIN01' };
const BOB = { channelId: 'C0OPS0001', userId: 'U0BOB0001' };
const NO_BILLING = { channelId: 'C0SALES01', userId: 'U0ADMIN01' };

let db: TestDatabase;
let state: Awaited<ReturnType<typeof createStateStore>>;
let fake: FakeSlack;
let server: RunningSlackServer;
let replicas: ReplicaSet;

beforeAll(async () => {
  db = await createTestDatabase('manage');
  const f = new OfnFixture(db.client);
  const shop = await f.enterprise({ name: 'Mercat Verd', sells: 'any' });
  await f.order(shop, { total: '300.00', completed_at: utc('2026-10-15 12:00', 'Europe/Madrid') });
  state = await createStateStore();
  fake = await startFakeSlack({ botToken: 'xoxb-manage' });
  const config = parseConfig(
    {
      instances: { katuma: { name: 'Katuma', replica: db.url, timezone: 'Europe/Madrid', currency: 'EUR', billing: { fixed: 5, rate: 0.02, taxRate: 0.21 } } },
      access: [
        { channel: 'C0OPS0001', instances: ['katuma'], billing: true },
        { channel: 'C0SALES01', instances: ['katuma'] },
        { user: 'U0ADMIN01', instances: ['*'], admin: true },
      ],
    },
    {},
    'test',
  );
  replicas = new ReplicaSet(config);
  server = await startSlackServer({
    deps: { config, replica: (id) => replicas.get(id), now: () => new Date('2026-11-15T12:00:00Z') },
    state: state.db,
    logger: createLogger('silent'),
    botToken: 'xoxb-manage',
    signingSecret: SECRET,
    port: 0,
    slackApiUrl: fake.url,
  });
});

afterAll(async () => {
  await server?.stop(1_000);
  await replicas?.closeAll();
  await fake?.close();
  await state?.drop();
  await db?.drop();
});

let n = 0;
async function say(text: string, who = ADMIN): Promise<string> {
  const id = `m${++n}`;
  await postSigned(`http://127.0.0.1:${server.port}/slack/events`, slashCommandBody(text, { ...who, responseUrl: fake.responseUrl(id) }), SECRET);
  const reply = await fake.waitFor(() => fake.responses.find((r) => r.path.endsWith(`/${id}`) && r.status === 200));
  return JSON.stringify(reply.body.blocks) + reply.body.text;
}

describe('managing pulses, watches and saved questions from Slack', () => {
  it('answers a Spanish speaker in Spanish: the list of pulses and the refusal to pause one (issue 18)', async () => {
    const spanish = { channelId: 'C0OPS0001', userId: 'U0ESPAN01' };
    fake.setUserLocale(spanish.userId, 'es-ES');
    const added = await say('pulse add orders katuma last-month monthly 1 09:00');
    const id = Number(/Pulse #(\d+): /.exec(added)?.[1]);
    const list = await say('pulse list', spanish);
    // The next slot as Spanish writes dates (no-break spaces read as spaces).
    expect(list.replace(/\s/g, ' ')).toContain(`#${id} \`orders katuma last-month\` monthly 1 09:00 (Europe/Madrid) → <#C0OPS0001> · activo · próximo: mar, 1 dic 2026, 09:00`);
    expect(list).not.toContain(' · active');
    const refused = await say(`pulse pause ${id}`, spanish);
    expect(refused).toContain('`pulse pause` requiere `admin: true` para tu usuario (U0ESPAN01) en la configuración de ofn-insights.');
    await say(`pulse remove ${id}`);
  });

  it('lets an admin add, list and pause a pulse, and refuses others', async () => {
    expect(await say('pulse add turnover katuma last-week weekly mon 09:00', BOB)).toContain('needs `admin: true` for your user (U0BOB0001)');
    const added = await say('pulse add turnover katuma last-week weekly mon 09:00');
    // Its number, whichever pulses other tests added before.
    const id = Number(/Pulse #(\d+): /.exec(added)?.[1]);
    expect(added).toContain(`Pulse #${id}: \`turnover katuma last-week\` weekly mon 09:00 (Europe/Madrid)`);
    expect(added).toContain('Next: 2026-11-16 09:00');
    expect(await say('pulse list', BOB)).toContain(`#${id} \`turnover katuma last-week\``);
    expect(await say(`pulse pause ${id}`)).toContain(`Pulse #${id} paused.`);
    const row = await state.db.selectFrom('pulses').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'paused', channel_id: 'C0OPS0001', created_by: 'U0ADMIN01', timezone: 'Europe/Madrid' });
    expect(await say('pulse resume 9999')).toContain('There is no pulse #9999');
  });

  it('saves a question and uses it in a pulse, with a channel given as Slack escapes it', async () => {
    expect(await say('save weekly-katuma turnover katuma last-week')).toContain('Saved `weekly-katuma`');
    const added = await say('pulse add weekly-katuma daily 08:00 &lt;#C0SALES01|sales&gt; only-if-results');
    expect(added).toContain('`turnover katuma last-week` daily 08:00');
    expect(added).toContain('only when there are results');
    expect((await state.db.selectFrom('pulses').select('channel_id').where('schedule', '=', 'daily 08:00').executeTakeFirstOrThrow()).channel_id).toBe('C0SALES01');
  });

  it('adds a watch', async () => {
    expect(await say('watch new-shops katuma')).toMatch(/Watch #\d+: new-shops on katuma/);
    expect(await say('watch list')).toContain('new-shops on katuma');
  });

  it('answers billing only where billing is allowed, with the CSV', async () => {
    expect(await say('billing katuma 2026-10', NO_BILLING)).toContain('Billing answers need `billing: true`');
    const reply = await say('billing katuma 2026-10');
    expect(reply).toContain('Billing · Katuma');
    expect(reply).toContain('€13.31'); // (5 + 2 % of 300) = 11.00, + 21 % tax = 13.31
    const csv = await fake.waitFor(() => fake.sharedFiles.find((f) => f.filename === 'billing-katuma-2026-10.csv'));
    // A private answer's CSV goes to the asker's direct messages (issue 13), not to the channel.
    expect(csv.channelId).toBe('D0ADMIN01');
  });

  it('keeps an audit log of who asked what, without answers', async () => {
    await say('pulse add turnover katuma last-week weekly mon 09:00', BOB); // refused
    expect(await say('turnover katuma 2026-10')).toContain('€300.00'); // an answer with a figure
    // The audit row is written after the reply: wait for it.
    const rows = await eventually(async () => {
      const found = await state.db.selectFrom('audit_log').selectAll().execute();
      return found.some((r) => r.question === 'turnover katuma 2026-10') && found.some((r) => r.user_id === 'U0BOB0001') ? found : undefined;
    });
    expect(rows.filter((r) => r.user_id === 'U0BOB0001').map((r) => [r.channel_id, r.question, r.outcome])).toContainEqual(['C0OPS0001', 'pulse add turnover katuma last-week weekly mon 09:00', 'AccessDenied']);
    expect(JSON.stringify(rows)).not.toContain('€');
  });
});
