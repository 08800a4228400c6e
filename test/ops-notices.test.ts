import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { createLogger } from '../src/core/log.js';
import { parseConfig } from '../src/installation.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import type { Deps } from '../src/commands/types.js';
import { enqueue } from '../src/jobs/outbox.js';
import { checkReplicas } from '../src/jobs/ops-notices.js';
import { startJobs, type RunningJobs } from '../src/jobs/start-jobs.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { createStateStore, eventually } from './support/state.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

/** Failures that never pass silently: each reaches the ops channel once, saying what failed, Slack's words, and what to do. */

const TOKEN = 'xoxb-ops';
const OPS = 'C0OPSNOTE';
const logger = createLogger('silent');

let replica: TestDatabase;
let state: Awaited<ReturnType<typeof createStateStore>>;
let fake: FakeSlack;
let replicas: ReplicaSet;
let deps: Deps;
let jobs: RunningJobs;
let receiver: WebhookReceiver;
const WEBHOOK_SECRET = `whsec_${Buffer.from('ops-notices-webhook-secret-32-bytes!').toString('base64')}`;
const NOW = new Date('2026-11-15T12:00:00Z');

beforeAll(async () => {
  replica = await createTestDatabase('ops');
  const f = new OfnFixture(replica.client);
  const shop = await f.enterprise({ name: 'Mercat Verd', sells: 'any' });
  await f.order(shop, { total: '42.50', completed_at: utc('2026-10-14 12:00', 'Europe/Madrid') });
  state = await createStateStore();
  fake = await startFakeSlack({ botToken: TOKEN });
  receiver = await startWebhookReceiver();
  receiver.answerAlways('/gone', 410);
  receiver.answerAlways('/picky', 400);
  const config = parseConfig(
    {
      instances: {
        katuma: { name: 'Katuma', replica: replica.url, timezone: 'Europe/Madrid', currency: 'EUR' },
        // Nothing listens on port 1: this replica never answers.
        gone: { name: 'Gone Food', replica: 'postgres://ofn@127.0.0.1:1/ofn', timezone: 'Europe/Madrid', currency: 'EUR', statementTimeoutSeconds: 2 },
      },
      access: [
        { channel: 'C0PULSE01', instances: ['katuma'] },
        { channel: 'C0BILL001', instances: ['katuma'], billing: true },
        { channel: 'C0WATCH01', instances: ['katuma'] },
      ],
      webhooks: [
        { name: 'gone-hook', url: `${receiver.url}/gone`, secret: WEBHOOK_SECRET, events: ['new-shop'], instances: ['katuma'] },
        { name: 'picky-hook', url: `${receiver.url}/picky`, secret: WEBHOOK_SECRET, events: ['new-shop'], instances: ['katuma'] },
      ],
      opsChannel: OPS,
      replicaDownNoticeSeconds: 300,
    },
    {},
    'test',
  );
  replicas = new ReplicaSet(config);
  deps = { config, replica: (id) => replicas.get(id), now: () => NOW };
  const client = new WebClient(TOKEN, { slackApiUrl: fake.url, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
  // No timers: the test drives the ticks, the replica checks and the outbox.
  jobs = await startJobs({ state: state.db, deps, client, logger, cronEnabled: false, pollMs: 3_600_000, outboxMs: 3_600_000, backoffBaseMs: 20, replicaCheckMs: 3_600_000 });
});

afterAll(async () => {
  await jobs?.stop();
  await replicas?.closeAll();
  await fake?.close();
  await receiver?.close();
  await state?.drop();
  await replica?.drop();
});

const opsPosts = () => fake.calls.filter((c) => c.method === 'chat.postMessage' && c.ok && c.body.channel === OPS).map((c) => JSON.stringify(c.body.blocks));

async function drainUntil<T>(check: () => T | undefined | false): Promise<T> {
  return eventually(async () => {
    await jobs.worker.drain();
    return check();
  }, 15_000, 20);
}

describe('the ops channel', () => {
  it('hears once when a delivery fails for good, in Slack’s words, with what to do', async () => {
    fake.failNext('chat.postMessage', { kind: 'error', error: 'invalid_blocks' });
    await enqueue(state.db, { dedupeKey: 'billing:katuma:2026-10:test', kind: 'notice', channelId: 'C0BILL001', message: { text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }] } });
    const notice = await drainUntil(() => opsPosts().find((p) => p.includes('billing:katuma:2026-10:test')));
    expect(notice).toContain('was not delivered to <#C0BILL001>');
    expect(notice).toContain('*Why:* invalid_blocks');
    expect(notice).toContain('*What to do:* Slack refused the message itself');
    expect((await state.db.selectFrom('deliveries').select('status').where('dedupe_key', '=', 'billing:katuma:2026-10:test').executeTakeFirstOrThrow()).status).toBe('failed');
    await jobs.worker.drain();
    expect(opsPosts().filter((p) => p.includes('billing:katuma:2026-10:test'))).toHaveLength(1);
  });

  it('hears when a pulse is disabled because the bot can’t post in its channel', async () => {
    const pulse = await state.db
      .insertInto('pulses')
      .values({ question: 'turnover katuma 2026-10', schedule: 'daily 09:00', timezone: 'Europe/Madrid', channel_id: 'C0PULSE01', only_if_results: false, grace_minutes: 360, status: 'active', created_by: 'U0ADMIN01', last_slot_at: null, note: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    fake.failNext('chat.postMessage', { kind: 'error', error: 'not_in_channel' });
    await enqueue(state.db, { dedupeKey: `pulse:${pulse.id}:2026-11-15T09:00`, kind: 'pulse', ownerId: pulse.id, channelId: 'C0PULSE01', source: { pulseId: pulse.id, question: 'turnover katuma 2026-10', slotLocal: '2026-11-15T09:00', slotAt: '2026-11-15T08:00:00.000Z', timezone: 'Europe/Madrid', late: false, onlyIfResults: false } });
    const notice = await drainUntil(() => opsPosts().find((p) => p.includes(`Pulse #${pulse.id} is disabled`)));
    expect(notice).toContain('I can’t post in <#C0PULSE01>');
    expect(notice).toContain('*Why:* not_in_channel');
    expect(notice).toContain(`/invite @ofn-insights`);
    expect(notice).toContain(`/ofn pulse resume ${pulse.id}`);
    expect((await state.db.selectFrom('pulses').select('status').where('id', '=', pulse.id).executeTakeFirstOrThrow()).status).toBe('disabled');
    // Reported as disabled, not a second time as a failed delivery.
    expect(opsPosts().filter((p) => p.includes(`Pulse #${pulse.id}`))).toHaveLength(1);
  });

  it('hears once when a watch is disabled because the bot can’t post in its channel, with the command that brings it back', async () => {
    const watch = await state.db
      .insertInto('watches')
      .values({ event: 'new-shops', instance_id: 'katuma', channel_id: 'C0WATCH01', status: 'active', created_by: 'U0ADMIN01', source: 'slack', note: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const announcement = (shop: number) => ({ dedupeKey: `watch:${watch.id}:katuma:${shop}:new-shops`, kind: 'watch' as const, ownerId: watch.id, channelId: 'C0WATCH01', message: { text: 'New shop', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'New shop' } }] } });
    // Two announcements on their way when Slack says the channel is gone: one notice.
    fake.failNext('chat.postMessage', { kind: 'error', error: 'channel_not_found' });
    fake.failNext('chat.postMessage', { kind: 'error', error: 'channel_not_found' });
    await enqueue(state.db, announcement(901));
    await enqueue(state.db, announcement(902));
    const notice = await drainUntil(() => opsPosts().find((p) => p.includes(`Watch #${watch.id} is disabled`)));
    expect(notice).toContain('I can’t post in <#C0WATCH01>');
    expect(notice).toContain('*Why:* channel_not_found');
    expect(notice).toContain('*What to do:* Invite the bot to <#C0WATCH01> (`/invite @ofn-insights`)');
    // A watch has no resume: the notice names the command that makes it active again.
    expect(notice).toContain('`/ofn watch new-shops katuma`');
    expect((await state.db.selectFrom('watches').select('status').where('id', '=', watch.id).executeTakeFirstOrThrow()).status).toBe('disabled');
    await jobs.worker.drain();
    // Both were tried and refused (so both scripted failures are spent) …
    expect((await state.db.selectFrom('deliveries').select('status').where('dedupe_key', 'in', [`watch:${watch.id}:katuma:901:new-shops`, `watch:${watch.id}:katuma:902:new-shops`]).execute()).map((d) => d.status)).toEqual(['failed', 'failed']);
    // … and told once: not again for the second announcement, nor as a failed delivery.
    expect(opsPosts().filter((p) => p.includes(`#${watch.id}`) && p.includes('C0WATCH01'))).toHaveLength(1);
    // Its creator is told the same way back (there is no `watch resume`).
    const dm = await drainUntil(() => fake.calls.find((c) => c.method === 'chat.postMessage' && c.ok && c.body.channel === 'U0ADMIN01' && JSON.stringify(c.body.blocks).includes(`Watch #${watch.id}`)));
    expect(JSON.stringify(dm.body.blocks)).toContain('`/ofn watch new-shops katuma` there');
    expect(JSON.stringify(dm.body.blocks)).not.toContain('watch resume');
  });

  it('hears once when a webhook is disabled because its receiver answered 410, with the HTTP status and what to do', async () => {
    const event = (shop: number) => ({
      dedupeKey: `webhook:gone-hook:katuma:${shop}:new-shop`,
      kind: 'webhook' as const,
      channelId: 'webhook:gone-hook',
      source: { webhook: 'gone-hook', type: 'new-shop', instance: 'katuma' },
      body: JSON.stringify({ type: 'new-shop', timestamp: NOW.toISOString(), data: { id: `katuma:${shop}:new-shop` } }),
    });
    // Two events in flight to a receiver that is gone: one notice, not one per event.
    await enqueue(state.db, event(801));
    await enqueue(state.db, event(802));
    const notice = await drainUntil(() => opsPosts().find((p) => p.includes('Webhook `gone-hook` is disabled')));
    expect(notice).toContain('its receiver said it is gone');
    expect(notice).toContain('*Why:* HTTP 410 Gone from its receiver');
    expect(notice).toContain('*What to do:* Give it a new `url` in the ofn-insights config (or remove it) and restart');
    await jobs.worker.drain();
    expect(receiver.received.filter((r) => r.path === '/gone')).toHaveLength(1);
    expect(opsPosts().filter((p) => p.includes('gone-hook'))).toHaveLength(1);
  });

  it('hears once when a webhook delivery is refused by its receiver, with the HTTP status', async () => {
    await enqueue(state.db, {
      dedupeKey: 'webhook:picky-hook:katuma:803:new-shop',
      kind: 'webhook',
      channelId: 'webhook:picky-hook',
      source: { webhook: 'picky-hook', type: 'new-shop', instance: 'katuma' },
      body: JSON.stringify({ type: 'new-shop', timestamp: NOW.toISOString(), data: { id: 'katuma:803:new-shop' } }),
    });
    const notice = await drainUntil(() => opsPosts().find((p) => p.includes('webhook:picky-hook:katuma:803:new-shop')));
    expect(notice).toContain('was not delivered to webhook picky-hook');
    expect(notice).toContain('*Why:* HTTP 400');
    expect(notice).toContain('*What to do:* Check the receiver');
    await jobs.worker.drain();
    expect(opsPosts().filter((p) => p.includes('picky-hook'))).toHaveLength(1);
  });

  it('hears once when a replica has been unreachable longer than the threshold, from however many processes, and once when it is back', async () => {
    // The real check on a replica nobody answers for: down since NOW, not yet worth a notice.
    await jobs.checkReplicas(NOW);
    const outage = await state.db.selectFrom('replica_outages').selectAll().where('instance_id', '=', 'gone').executeTakeFirstOrThrow();
    expect(outage.down_since.toISOString()).toBe(NOW.toISOString());
    expect(outage.last_error).toContain('Gone Food');
    expect(await state.db.selectFrom('replica_outages').select('instance_id').where('instance_id', '=', 'katuma').executeTakeFirst()).toBeUndefined();
    // Four minutes on: still under the five.
    await jobs.checkReplicas(new Date(NOW.getTime() + 240_000));
    await jobs.worker.drain();
    expect(opsPosts().filter((p) => p.includes('Gone Food'))).toHaveLength(0);
    // Six minutes on, two processes check at once: one notice.
    const later = new Date(NOW.getTime() + 360_000);
    const down = async (id: string) => (id === 'gone' ? 'connect ECONNREFUSED 127.0.0.1:1' : undefined);
    await Promise.all([checkReplicas(state.db, deps, down, later, logger), checkReplicas(state.db, deps, down, later, logger), jobs.checkReplicas(later)]);
    const notice = await drainUntil(() => opsPosts().find((p) => p.includes('Gone Food')));
    expect(notice).toContain('has not answered since 2026-11-15 12:00 UTC (over 5 min)');
    expect(notice).toContain('ECONNREFUSED');
    expect(notice).toContain('*What to do:* Check the replica');
    await checkReplicas(state.db, deps, down, new Date(NOW.getTime() + 600_000), logger);
    await jobs.worker.drain();
    expect(opsPosts().filter((p) => p.includes('Gone Food'))).toHaveLength(1);
    // Back: one recovery notice, whoever sees it first.
    const up = async () => undefined;
    const back = new Date(NOW.getTime() + 900_000);
    await Promise.all([checkReplicas(state.db, deps, up, back, logger), checkReplicas(state.db, deps, up, back, logger)]);
    const recovered = await drainUntil(() => opsPosts().find((p) => p.includes('answers again, after')));
    expect(recovered).toContain('after about 15 min');
    await checkReplicas(state.db, deps, up, new Date(back.getTime() + 60_000), logger);
    await jobs.worker.drain();
    expect(opsPosts().filter((p) => p.includes('Gone Food'))).toHaveLength(2);
  });
});
