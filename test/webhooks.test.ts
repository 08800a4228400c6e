import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import type { Deps } from '../src/commands/types.js';
import { createLogger } from '../src/core/log.js';
import { parseConfig, type Config } from '../src/installation.js';
import { startJobs, type RunningJobs } from '../src/jobs/start-jobs.js';
import { feedEventJson } from '../src/jobs/webhooks.js';
import { enterpriseEvents } from '../src/state/webhooks.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { PLANTED_PERSONAL_DATA } from './support/personal-data.js';
import { createStateStore, eventually } from './support/state.js';
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Outgoing webhooks end to end: the real jobs (watcher, outbox, monthly tick) on real PostgreSQL post
 * to a local HTTP receiver; Slack (for the admins' notice) is the fake Slack. Signatures are checked
 * with an independent implementation of the Standard Webhooks verification.
 */
const TZ = 'Europe/Madrid';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const GONE_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const ADMIN = 'U0ADMIN01';

let replica: TestDatabase;
let state: Awaited<ReturnType<typeof createStateStore>>;
let fake: FakeSlack;
let receiver: WebhookReceiver;
let deps: Deps & { config: Config };
let replicas: ReplicaSet;
let jobs: RunningJobs;
let fixture: OfnFixture;
const ids: Record<string, number> = {};
const logger = createLogger('silent');

function configWith(n8nInstances: string[]): Config {
  return parseConfig(
    {
      instances: {
        katuma: { name: 'Katuma', replica: replica.url, timezone: TZ, currency: 'EUR', billing: { minimumTurnover: 100, fixed: 5, rate: 0.02, cap: 20, taxRate: 0.21, trialDays: 30 } },
        plain: { name: 'Plain Food', replica: replica.url, timezone: TZ, currency: 'EUR' },
      },
      access: [{ user: ADMIN, instances: ['*'], admin: true }],
      webhooks: [
        { name: 'n8n', url: `${receiver.url}/n8n`, secret: '${N8N_WEBHOOK_SECRET}', events: ['new-shop', 'new-profile', 'billing.closed'], instances: n8nInstances },
        { name: 'gone', url: `${receiver.url}/gone`, secret: GONE_SECRET, events: ['new-shop'], instances: ['katuma'] },
      ],
    },
    { N8N_WEBHOOK_SECRET: SECRET },
    'test',
  );
}

function startWorkers(backoffBaseMs: number) {
  const client = new WebClient('xoxb-hooks', { slackApiUrl: fake.url, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
  return startJobs({ state: state.db, deps, client, logger, cronEnabled: false, pollMs: 3_600_000, outboxMs: 50, backoffBaseMs });
}

const delivery = (key: string) => state.db.selectFrom('deliveries').selectAll().where('dedupe_key', '=', key).executeTakeFirst();
const bodyOf = (r: { body: string }) => JSON.parse(r.body) as { type: string; timestamp: string; data: any };

/** A new shop on the replica, seen by the next poll. */
async function newShop(name: string): Promise<number> {
  const id = await fixture.enterprise({ name, sells: 'any', created_at: '2026-11-20 10:00:00' });
  await jobs.pollAll();
  return id;
}

beforeAll(async () => {
  replica = await createTestDatabase('hooks');
  fixture = new OfnFixture(replica.client);
  ids.A = await fixture.enterprise({ name: 'Mercat Verd', sells: 'any' });
  ids.B = await fixture.enterprise({ name: 'Horta Nord', sells: 'own', is_primary_producer: true });
  await fixture.order(ids.A, { total: '510.00', completed_at: utc('2026-10-12 10:00', TZ) });
  await fixture.order(ids.B, { total: '2000.00', completed_at: utc('2026-10-15 10:00', TZ) });
  state = await createStateStore();
  fake = await startFakeSlack({ botToken: 'xoxb-hooks' });
  receiver = await startWebhookReceiver();
  receiver.answerAlways('/gone', 410);
  const config = configWith(['katuma']);
  replicas = new ReplicaSet(config);
  deps = { config, replica: (id) => replicas.get(id), now: () => new Date('2026-11-20T12:00:00Z') };
  jobs = await startWorkers(100);
  // The first poll of each instance only records the mark: history is never sent.
  await eventually(async () => (await state.db.selectFrom('watermarks').select('instance_id').where('instance_id', '=', 'katuma').executeTakeFirst()) ?? (await jobs.pollAll(), undefined));
});

afterAll(async () => {
  await jobs?.stop();
  await replicas?.closeAll();
  await receiver?.close();
  await fake?.close();
  await state?.drop();
  await replica?.drop();
});

describe('webhooks', () => {
  it('posts a new shop and a new profile once each, signed as Standard Webhooks say, with no personal data', async () => {
    expect(receiver.received.filter((r) => r.path === '/n8n')).toHaveLength(0);
    const id = await newShop('Forn Nou');
    const posts = await eventually(async () => {
      const got = receiver.received.filter((r) => r.path === '/n8n');
      return got.length >= 2 ? got : undefined;
    });
    const types = posts.map((p) => bodyOf(p).type).sort();
    expect(types).toEqual(['new-profile', 'new-shop']);
    for (const post of posts) {
      expect(post.status).toBe(200);
      expect(post.headers['content-type']).toBe('application/json');
      expect(verifyStandardWebhook(SECRET, post.headers, post.body)).toBe(true);
      // A wrong secret, or a body changed by one byte, does not verify.
      expect(verifyStandardWebhook(GONE_SECRET, post.headers, post.body)).toBe(false);
      expect(verifyStandardWebhook(SECRET, post.headers, post.body.replace('Forn', 'Form'))).toBe(false);
      for (const value of PLANTED_PERSONAL_DATA) expect(post.body).not.toContain(value);
    }
    const shop = bodyOf(posts.find((p) => bodyOf(p).type === 'new-shop')!);
    expect(shop.data).toEqual({ id: `katuma:${id}:new-shop`, type: 'new-shop', instance: 'katuma', enterprise_id: id, name: 'Forn Nou', category: 'Hub Shop', created_at: '2026-11-20T10:00:00.000Z', detected_at: shop.timestamp });
    // The same event as the API's feed shows it (the same recorded row).
    const [recorded] = await enterpriseEvents(state.db, { instanceId: 'katuma', event: 'new-shop', limit: 1 });
    expect(feedEventJson(recorded!)).toEqual(shop.data);
    // Once: polling again (the overlap window re-reads it) sends nothing more.
    await jobs.pollAll();
    await jobs.worker.drain();
    expect(receiver.received.filter((r) => r.path === '/n8n')).toHaveLength(2);
    expect(new Set(posts.map((p) => p.headers['webhook-id'])).size).toBe(2);
    expect((await delivery(`webhook:n8n:katuma:${id}:new-shop`))?.status).toBe('sent');
  });

  it('disables a webhook whose receiver answers 410, sends it nothing more, and tells the admins in Slack', async () => {
    const gone = await eventually(async () => {
      const row = await state.db.selectFrom('webhook_states').selectAll().where('name', '=', 'gone').executeTakeFirst();
      return row?.status === 'disabled' ? row : undefined;
    });
    expect(gone.url).toBe(`${receiver.url}/gone`);
    expect(receiver.received.filter((r) => r.path === '/gone')).toHaveLength(1);
    const notice = await fake.waitFor(() => fake.calls.find((c) => c.method === 'chat.postMessage' && c.ok && c.body.channel === ADMIN));
    expect(String(notice.body.text)).toContain('Webhook gone is disabled');
    const audit = await state.db.selectFrom('audit_log').selectAll().where('action', '=', 'webhook.disabled').execute();
    expect(audit).toHaveLength(1);
    const id = await newShop('Celler Vell');
    await eventually(() => delivery(`webhook:n8n:katuma:${id}:new-shop`).then((d) => d?.status === 'sent'));
    expect(await delivery(`webhook:gone:katuma:${id}:new-shop`)).toBeUndefined();
    expect(receiver.received.filter((r) => r.path === '/gone')).toHaveLength(1);
  });

  it('retries after a 500 and delivers once across a restart, with the same id and the same bytes', async () => {
    // Settle what the tests before left (the previous shop's new-profile may still be pending), so the one
    // 500 below goes to this shop's deliveries and not to a leftover one.
    await eventually(async () => {
      await jobs.worker.drain();
      const open = await state.db.selectFrom('deliveries').select('id').where('status', 'in', ['pending', 'sending']).execute();
      return open.length === 0 ? true : undefined;
    }, 60_000);
    await jobs.stop();
    // Ten seconds before the retry: the process is restarted in between, and the new one retries.
    jobs = await startWorkers(10_000);
    receiver.answerNext('/n8n', 500, 1);
    const before = receiver.received.length;
    const id = await newShop('Obrador Sant Pere');
    // Which of the shop's two events meets the 500 is up to the outbox; the receiver saw it, in memory.
    // A hang detector, not a speed limit: the watcher's poll and the first attempt took over 10 s on a loaded 2-core box.
    const failedPost = await eventually(async () => receiver.received.slice(before).find((r) => r.path === '/n8n' && r.status === 500), 60_000);
    await jobs.stop();
    const failedKey = `webhook:n8n:${bodyOf(failedPost).data.id}`;
    expect(failedKey).toMatch(new RegExp(`^webhook:n8n:katuma:${id}:new-(shop|profile)$`));
    // Stopped before the retry was due: the new process is the one that retries.
    expect(await delivery(failedKey)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 500' });
    jobs = await startWorkers(100);
    const sent = await eventually(() => delivery(failedKey).then((d) => (d?.status === 'sent' ? d : undefined)), 60_000);
    expect(sent.attempts).toBe(2);
    const posts = receiver.received.filter((r) => r.path === '/n8n' && bodyOf(r).data.id === failedKey.replace(/^webhook:n8n:/, ''));
    expect(posts.map((p) => p.status)).toEqual([500, 200]);
    expect(posts[0]!.headers['webhook-id']).toBe(posts[1]!.headers['webhook-id']);
    expect(posts[0]!.body).toBe(posts[1]!.body);
    for (const post of posts) expect(verifyStandardWebhook(SECRET, post.headers, post.body)).toBe(true);
    await jobs.worker.drain();
    expect(receiver.received.filter((r) => r.path === '/n8n' && bodyOf(r).data.id === failedKey.replace(/^webhook:n8n:/, ''))).toHaveLength(2);
  });

  it('sends billing.closed once on the 1st with the month’s lines, the bill the monthly post stores', async () => {
    expect(await jobs.tick(new Date('2026-11-01T07:59:00Z'))).toBeUndefined(); // 08:59 in Madrid: not yet
    expect(await delivery('webhook:n8n:billing.closed:katuma:2026-10')).toBeUndefined();
    await jobs.tick(new Date('2026-11-01T08:00:30Z'));
    await jobs.tick(new Date('2026-11-01T15:00:00Z'));
    const post = await eventually(async () => receiver.received.find((r) => r.path === '/n8n' && bodyOf(r).type === 'billing.closed'));
    expect(verifyStandardWebhook(SECRET, post.headers, post.body)).toBe(true);
    const { data } = bodyOf(post);
    expect(data).toMatchObject({ instance: 'katuma', month: '2026-10', currency: 'EUR', provisional: false, totals: { turnover: '2510.00', charge: '35.20', tax: '7.39', total: '42.59' } });
    expect(data.lines.map((l: { id: string; total: string; status: string }) => [l.id, l.total, l.status])).toEqual([
      [`katuma:2026-10:${ids.B}`, '24.20', 'billed'],
      [`katuma:2026-10:${ids.A}`, '18.39', 'billed'],
    ]);
    const run = await state.db.selectFrom('billing_runs').selectAll().where('instance_id', '=', 'katuma').where('month', '=', '2026-10').executeTakeFirst();
    expect(run?.totals).toMatchObject({ total: '42.59' });
    await jobs.worker.drain();
    expect(receiver.received.filter((r) => r.path === '/n8n' && bodyOf(r).type === 'billing.closed')).toHaveLength(1);
  });

  it('re-checks each delivery against the config as it is then: a webhook that lost the instance gets nothing', async () => {
    await jobs.worker.stop();
    const id = await newShop('Rebost Tancat');
    const key = `webhook:n8n:katuma:${id}:new-shop`;
    expect((await delivery(key))?.status).toBe('pending');
    const before = receiver.received.length;
    deps.config = configWith(['plain']);
    try {
      await jobs.worker.drain();
    } finally {
      deps.config = configWith(['katuma']);
      jobs.worker.start(50);
    }
    const refused = await delivery(key);
    expect(refused?.status).toBe('refused');
    expect(refused?.last_error).toContain('may not see Katuma');
    expect(receiver.received.slice(before).filter((r) => r.path === '/n8n' && bodyOf(r).data.enterprise_id === id)).toHaveLength(0);
  });
});
