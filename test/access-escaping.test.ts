/**
 * The findings of the adversarial review (issue 11), each reproduced through the real Bolt server
 * against the fake Slack, two real replicas, a channel granted only `au` and an admin granted only `au`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { startSlackServer, type RunningSlackServer } from '../src/slack/server.js';
import { createLogger } from '../src/core/log.js';
import { parseConfig, type Config } from '../src/installation.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import type { Deps } from '../src/commands/types.js';
import { startJobs, type RunningJobs } from '../src/jobs/start-jobs.js';
import { composePulse } from '../src/jobs/pulses.js';
import { announcementMessage } from '../src/render/announcement.js';
import { grantFor, operatorGrant } from '../src/core/access.js';
import { ask } from '../src/commands/pipeline.js';
import { billingMessage } from '../src/render/billing.js';
import { csvCell } from '../src/render/csv.js';
import { parseSchedule } from '../src/core/schedule.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { createStateStore, eventually } from './support/state.js';
import { buttonClickBody, postSigned, slashCommandBody } from './support/slack-requests.js';

const SECRET = 'access-secret';
const HOSTILE = '<!channel> <https://evil.example|Free money> & *x*';
const C_AU = 'C0AUONLY1';
const C_BOTH = 'C0BOTH001';
const C_OTHER = 'C0OTHER01';
const AU_ADMIN = 'U0AUADMIN';
const ADMIN = 'U0ADMIN01';
const MEMBER = 'U0MEMBER1';
const NOW = new Date('2026-11-16T08:30:00Z'); // Monday 09:30 in Madrid

let katuma: TestDatabase;
let au: TestDatabase;
let state: Awaited<ReturnType<typeof createStateStore>>;
let fake: FakeSlack;
let server: RunningSlackServer;
let replicas: ReplicaSet;
let deps: Deps;
let fullConfig: Config;

function configWith(bothSees: string[]): Config {
  return parseConfig(
    {
      instances: {
        katuma: { name: 'Katuma', replica: katuma.url, timezone: 'Europe/Madrid', currency: 'EUR', billing: { fixed: 5, rate: 0.02, taxRate: 0.21 } },
        au: { name: 'Australia', replica: au.url, timezone: 'Australia/Melbourne', currency: 'AUD' },
      },
      access: [
        { channel: C_AU, instances: ['au'] },
        { channel: C_BOTH, instances: bothSees, billing: true },
        { channel: C_OTHER, instances: ['katuma'] },
        { user: AU_ADMIN, instances: ['au'], admin: true },
        { user: ADMIN, instances: ['*'], admin: true },
      ],
    },
    {},
    'test',
  );
}

beforeAll(async () => {
  katuma = await createTestDatabase('kat');
  au = await createTestDatabase('au');
  const k = new OfnFixture(katuma.client);
  const evil = await k.enterprise({ name: HOSTILE, sells: 'any' });
  const plain = await k.enterprise({ name: 'Mercat Verd', sells: 'any' });
  await k.order(evil, { total: '777.00', completed_at: utc('2026-10-15 12:00', 'Europe/Madrid') });
  await k.order(plain, { total: '100.00', completed_at: utc('2026-10-16 12:00', 'Europe/Madrid') });
  await k.order(evil, { total: '55.00', completed_at: utc('2026-11-10 12:00', 'Europe/Madrid') });
  const a = new OfnFixture(au.client);
  const farm = await a.enterprise({ name: 'Melbourne Farm', sells: 'any' });
  await a.order(farm, { total: '42.00', completed_at: utc('2026-10-15 12:00', 'Australia/Melbourne') });
  await a.order(farm, { total: '42.00', completed_at: utc('2026-11-10 12:00', 'Australia/Melbourne') });
  state = await createStateStore();
  fake = await startFakeSlack({ botToken: 'xoxb-access' });
  fullConfig = configWith(['au', 'katuma']);
  replicas = new ReplicaSet(fullConfig);
  deps = { config: fullConfig, replica: (id) => replicas.get(id), now: () => NOW };
  server = await startSlackServer({ deps, state: state.db, logger: createLogger('silent'), botToken: 'xoxb-access', signingSecret: SECRET, port: 0, slackApiUrl: fake.url });
});

afterAll(async () => {
  await server?.stop(1_000);
  await replicas?.closeAll();
  await fake?.close();
  await state?.drop();
  await katuma?.drop();
  await au?.drop();
});

let n = 0;
async function say(text: string, who: { userId: string; channelId: string }): Promise<string> {
  const id = `a${++n}`;
  await postSigned(`http://127.0.0.1:${server.port}/slack/events`, slashCommandBody(text, { ...who, responseUrl: fake.responseUrl(id) }), SECRET);
  const reply = await fake.waitFor(() => fake.responses.find((r) => r.path.endsWith(`/${id}`) && r.status === 200));
  return JSON.stringify(reply.body.blocks) + reply.body.text;
}

async function click(actionId: string, value: string, who: { userId: string; channelId: string }): Promise<void> {
  await postSigned(`http://127.0.0.1:${server.port}/slack/events`, buttonClickBody(actionId, value, { ...who, responseUrl: fake.responseUrl(`c${++n}`) }), SECRET);
}

/** Every string Slack renders as mrkdwn in what was sent: message text, mrkdwn blocks, file comments. */
function renderedStrings(): string[] {
  const out: string[] = [];
  const fromBlocks = (blocks: unknown) => {
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
        Object.values(o).forEach(walk);
      }
    };
    walk(typeof blocks === 'string' ? JSON.parse(blocks) : blocks);
  };
  for (const r of fake.responses) {
    if (typeof r.body?.text === 'string') out.push(r.body.text);
    fromBlocks(r.body?.blocks ?? []);
  }
  for (const c of fake.calls) {
    if (typeof c.body.text === 'string') out.push(c.body.text);
    if (c.body.blocks) fromBlocks(c.body.blocks);
    if (typeof c.body.initial_comment === 'string') out.push(c.body.initial_comment);
  }
  return out;
}

function expectNoLiveMarkup(strings: string[]) {
  expect(strings.length).toBeGreaterThan(0);
  for (const s of strings) {
    expect(s).not.toContain('<!channel>');
    expect(s).not.toContain('<https://evil.example');
  }
}

describe('a pulse never posts an instance its channel may not see', () => {
  it('refuses at creation every instance of a list, not only the first', async () => {
    const who = { userId: AU_ADMIN, channelId: C_AU };
    for (const question of ['turnover au,katuma last-week', 'count shops au,katuma', 'top-shops au,katuma last-month']) {
      const reply = await say(`pulse add ${question} "* * * * *"`, who);
      expect(reply).toContain('may not see Katuma');
    }
    expect(await state.db.selectFrom('pulses').selectAll().execute()).toHaveLength(0);
  });

  it('refuses a pulse aimed at a channel that may not see every instance of the question', async () => {
    const reply = await say(`pulse add turnover au,katuma last-week daily 09:00 <#${C_AU}|au-only>`, { userId: ADMIN, channelId: C_BOTH });
    expect(reply).toContain('may not see Katuma');
    expect(await state.db.selectFrom('pulses').selectAll().execute()).toHaveLength(0);
  });

  it('refuses saving a question by a non-admin, or one touching instances the channel may not see', async () => {
    expect(await say('save kat2 turnover au,katuma last-week', { userId: MEMBER, channelId: C_AU })).toContain('needs `admin: true`');
    expect(await say('save kat2 turnover au,katuma last-week', { userId: AU_ADMIN, channelId: C_AU })).toContain('may not see Katuma');
    expect(await state.db.selectFrom('saved_questions').selectAll().execute()).toHaveLength(0);
  });

  it('re-checks at delivery with the config as it is then: refused, recorded, creator told once', async () => {
    const added = await say('pulse add turnover katuma last-week "* * * * *"', { userId: ADMIN, channelId: C_BOTH });
    expect(added).toMatch(/Pulse #\d+/);
    const pulseId = Number(/Pulse #(\d+)/.exec(added)![1]);
    // The operator removes katuma from the channel's grant; the pulse itself stays.
    deps.config = configWith(['au']);
    const client = new WebClient('xoxb-access', { slackApiUrl: fake.url, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    let jobs: RunningJobs | undefined;
    try {
      jobs = await startJobs({ state: state.db, deps, client, logger: createLogger('silent'), cronEnabled: false, outboxMs: 20, pollMs: 3_600_000 });
      await jobs.tick(new Date(NOW.getTime() + 2 * 60_000));
      const rows = await eventually(async () => {
        const r = await state.db.selectFrom('deliveries').selectAll().where('kind', '=', 'pulse').where('owner_id', '=', pulseId).execute();
        return r.length === 2 && r.every((d) => d.status === 'refused') ? r : undefined;
      });
      expect(rows[0]!.last_error).toContain('may not see Katuma');
      await jobs.tick(new Date(NOW.getTime() + 4 * 60_000));
      await eventually(async () => (await state.db.selectFrom('deliveries').selectAll().where('owner_id', '=', pulseId).where('kind', '=', 'pulse').where('status', '=', 'refused').execute()).length === 4);
      const notices = await eventually(async () => {
        const r = fake.calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === ADMIN);
        return r.length >= 1 ? r : undefined;
      });
      expect(notices).toHaveLength(1);
      expect(JSON.stringify(notices[0]!.body.blocks)).toContain(`Pulse #${pulseId} was not delivered`);
      expect(fake.calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === C_BOTH)).toHaveLength(0);
      // The audit line is written just after the delivery is marked refused: wait for it, not for the mark.
      const audit = await eventually(async () => {
        const r = await state.db.selectFrom('audit_log').selectAll().where('action', '=', 'pulse.refused').execute();
        return r.length >= 4 ? r : undefined;
      });
      expect(audit.every((a) => a.detail?.startsWith(`pulse:${pulseId}:`) && a.detail.includes('may not see Katuma'))).toBe(true);
    } finally {
      await jobs?.stop();
      deps.config = fullConfig;
    }
  });

  it('answers `all` in a pulse as the pulse channel sees it, not as the operator does', async () => {
    const grant = grantFor(fullConfig, { userId: ADMIN, channelId: C_AU })!;
    const message = await composePulse(deps, { pulseId: 99, question: 'turnover all 2026-10', slotLocal: '2026-11-16T09:00', slotAt: '2026-11-16T08:00:00Z', timezone: 'Europe/Madrid', late: false, onlyIfResults: false }, grant);
    const text = JSON.stringify(message);
    expect(text).toContain('Australia');
    expect(text).not.toContain('Katuma');
    expect(text).not.toContain('877');
  });
});

describe('scoped management', () => {
  it('keeps saved names per channel and never overwrites another person’s', async () => {
    expect(await say('save weekly turnover katuma last-week', { userId: ADMIN, channelId: C_BOTH })).toContain('Saved `weekly`');
    // Another admin in the same channel cannot overwrite it; the same name elsewhere is a different question.
    expect(await say('save weekly turnover au last-week', { userId: AU_ADMIN, channelId: C_BOTH })).toContain('already saved here by someone else');
    expect(await say('save weekly turnover au last-week', { userId: AU_ADMIN, channelId: C_AU })).toContain('Saved `weekly`');
    const both = await say('saved', { userId: MEMBER, channelId: C_BOTH });
    expect(both).toContain('turnover katuma last-week');
    expect(both).not.toContain('turnover au last-week');
    expect(await say('saved', { userId: MEMBER, channelId: C_AU })).not.toContain('katuma');
    // `pulse add weekly` uses this channel's `weekly`.
    expect(await say('pulse add weekly daily 10:00', { userId: AU_ADMIN, channelId: C_AU })).toContain('`turnover au last-week` daily 10:00');
  });

  it('lists only what the asker’s channel may see, and lets only admins over a pulse’s channel and instances manage it', async () => {
    const kat = await say('pulse add turnover katuma last-month daily 08:00', { userId: ADMIN, channelId: C_OTHER });
    const katId = Number(/Pulse #(\d+)/.exec(kat)![1]);
    const auToBoth = await say(`pulse add orders au last-month daily 08:00 <#${C_BOTH}|both>`, { userId: ADMIN, channelId: C_AU });
    const auToBothId = Number(/Pulse #(\d+)/.exec(auToBoth)![1]);
    const list = await say('pulse list', { userId: AU_ADMIN, channelId: C_AU });
    expect(list).not.toContain('katuma');
    expect(list).toContain(`#${auToBothId}`);
    expect(await say(`pulse pause ${katId}`, { userId: AU_ADMIN, channelId: C_AU })).toContain(`There is no pulse #${katId} here`);
    // au-only figures, but it posts into a channel that also sees Katuma: not this admin's to manage.
    expect(await say(`pulse remove ${auToBothId}`, { userId: AU_ADMIN, channelId: C_AU })).toContain('sees instances you may not manage');
    expect((await state.db.selectFrom('pulses').select('status').where('id', '=', auToBothId).executeTakeFirstOrThrow()).status).toBe('active');
    expect(await say(`pulse pause ${katId}`, { userId: ADMIN, channelId: C_OTHER })).toContain(`Pulse #${katId} paused`);
    expect(await say('watch list', { userId: AU_ADMIN, channelId: C_AU })).not.toContain('katuma');
  });

  it('names only the instances the asker may see in errors and help', async () => {
    const who = { userId: MEMBER, channelId: C_AU };
    expect(await say('help', who)).not.toContain('katuma');
    const typo = await say('turnover katumaa last-month', who);
    expect(typo).not.toContain('katuma`');
    expect(typo).not.toMatch(/Instances: [^.]*katuma/);
    // One visible instance: it is the default.
    expect(await say('orders 2026-10', who)).toContain('Australia');
  });

  it('refuses a schedule that can never fire', async () => {
    expect(() => parseSchedule('59 23 31 2 *')).toThrow(/never fires/);
    expect(() => parseSchedule('0 9 29 2 *')).not.toThrow(); // leap years
    expect(await say('pulse add orders au last-month "59 23 31 2 *"', { userId: AU_ADMIN, channelId: C_AU })).toContain('never fires');
  });
});

describe('escaping by construction', () => {
  it('never lets a shop name form a mention or a link, in any message kind or field', async () => {
    const who = { userId: ADMIN, channelId: C_BOTH };
    fake.calls.length = 0;
    fake.responses.length = 0;
    await say('top-shops katuma 2026-10', who); // ranking
    await say('turnover katuma 2026-10 by shop', who); // breakdown
    await say('top-shops all 2026-10', who); // global answer
    await say('billing katuma 2026-10', who); // billing, with its CSV
    await click('ofn_chart', 'top-shops katuma 2026-10', who); // chart with the figures as a file comment
    await click('ofn_chart', 'turnover all 2026-10 by week', who); // global chart comment
    await fake.waitFor(() => fake.calls.filter((c) => c.method === 'files.completeUploadExternal').length >= 3, 10_000);
    await say('turnover <!channel> last-month', who); // error echoing what was typed
    const strings = renderedStrings();
    expect(strings.join('\n')).toContain('&lt;!channel&gt;'); // the name is there, escaped
    expectNoLiveMarkup(strings);
    // Pulse digests, announcements and billing posts are built without a request: check their fields.
    const pulse = await composePulse(deps, { pulseId: 1, question: 'top-shops katuma 2026-10', slotLocal: '2026-11-16T09:00', slotAt: '2026-11-16T08:00:00Z', timezone: 'Europe/Madrid', late: false, onlyIfResults: false }, operatorGrant(deps.config));
    const change = { id: 1, name: HOSTILE, category: 'Hub Shop', town: HOSTILE, country: 'Spain', createdLocal: '16 Nov 2026 09:00' };
    const one = announcementMessage(deps.config.instances.get('katuma')!, 'new-shop', [change]);
    const linked = announcementMessage(deps.config.instances.get('katuma')!, 'new-shop', [{ ...change, url: 'https://katuma.example/x/shop' }]);
    const many = announcementMessage(deps.config.instances.get('katuma')!, 'new-shop', [change, { ...change, id: 2 }], '16 Nov');
    const bill = await ask(deps, 'billing katuma 2026-10', state.db);
    const offline = [pulse!, one, linked, many, billingMessage(bill as never)].flatMap((m) => {
      const out = [m.text];
      JSON.stringify(m.blocks, (_k, v) => {
        if (v && typeof v === 'object' && v.type === 'mrkdwn') out.push(v.text);
        return v;
      });
      return out;
    });
    expect(offline.join('\n')).toContain('&lt;!channel&gt;');
    expectNoLiveMarkup(offline);
  });
});

describe('small holes', () => {
  it('keeps a request with a NUL byte in the audit log, without control characters', async () => {
    await say('turnover\u0000 katuma\u001b[31m last-month', { userId: MEMBER, channelId: C_OTHER });
    const row = await eventually(async () => state.db.selectFrom('audit_log').selectAll().where('user_id', '=', MEMBER).where('channel_id', '=', C_OTHER).executeTakeFirst());
    expect(row.question).toBe('turnover katuma[31m last-month');
  });

  it('neutralises a CSV formula behind leading white space', () => {
    expect(csvCell(' =HYPERLINK("https://evil.example")')).toBe(`"' =HYPERLINK(""https://evil.example"")"`);
    expect(csvCell('\u00a0+1+2')).toBe("'\u00a0+1+2");
    expect(csvCell('Mercat Verd')).toBe('Mercat Verd');
  });

  it('names an instance called __proto__ in the config error', () => {
    const document = JSON.parse('{"instances":{"__proto__":{"name":"X","replica":"postgres://r/db","timezone":"Europe/Madrid","currency":"EUR"}}}');
    expect(() => parseConfig(document, {}, 'test')).toThrow('instances.__proto__: a lower-case id');
  });

  it('refuses config watches and billing posts to channels that may not see them', () => {
    const base = { instances: { katuma: { name: 'K', replica: 'postgres://r/db', timezone: 'Europe/Madrid', currency: 'EUR' } } };
    expect(() => parseConfig({ ...base, watches: [{ event: 'new-shops', instance: 'katuma', channel: 'C0NOBODY1' }] }, {}, 'test')).toThrow('watches.0.channel: C0NOBODY1 may not see katuma');
    expect(() =>
      parseConfig({ instances: { katuma: { ...base.instances.katuma, billing: { rate: 0.02, channel: 'C0BILL999' } } }, access: [{ channel: 'C0BILL999', instances: ['katuma'] }] }, {}, 'test'),
    ).toThrow('instances.katuma.billing.channel: C0BILL999 may not see katuma');
  });
});
