import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import pg from 'pg';
import { createLogger } from '../src/core/log.js';
import { DeliveryWorker, enqueue, type DeliveryWorkerOptions, type OutboxMessage } from '../src/jobs/outbox.js';
import { openStateStore, type StateStore } from '../src/state/store.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { createStateStore, eventually } from './support/state.js';

/**
 * The delivery ledger under the conditions production gives it: several processes draining one state
 * database at the same moment, and Slack rate-limiting. Asserted on what the fake Slack received (and
 * when), and on the ledger rows.
 */
const TOKEN = 'xoxb-ledger';
const logger = createLogger('silent');
const message = (text: string): OutboxMessage => ({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });

let state: Awaited<ReturnType<typeof createStateStore>>;
let fake: FakeSlack;
let client: WebClient;

beforeAll(async () => {
  state = await createStateStore();
  fake = await startFakeSlack({ botToken: TOKEN });
  // As the outbox's client is built in production: a 429 is the outbox's to handle, no retries inside the client.
  client = new WebClient(TOKEN, { slackApiUrl: fake.url, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
});

afterAll(async () => {
  await fake?.close();
  await state?.drop();
});

function worker(db: StateStore['db'], extra: Partial<DeliveryWorkerOptions> = {}) {
  return new DeliveryWorker({ db, client, logger, channelGapMs: 0, backoffBaseMs: 50, compose: async () => null, onChannelGone: async () => {}, ...extra });
}
const posts = (channel: string) => fake.calls.filter((c) => c.method === 'chat.postMessage' && c.ok && c.body.channel === channel);
const row = (key: string) => state.db.selectFrom('deliveries').selectAll().where('dedupe_key', '=', key).executeTakeFirstOrThrow();

describe('several processes draining one ledger', () => {
  it('post a pending delivery exactly once when they all claim it at the same moment, round after round', async () => {
    // Six workers, each on its own pool (its own connections), as six processes would be.
    const stores = await Promise.all(Array.from({ length: 6 }, () => openStateStore({ url: state.url })));
    const gate = new pg.Client({ connectionString: state.url });
    await gate.connect();
    // A state database under load: the claiming UPDATE takes 50 ms to commit, long enough for every other
    // worker to read the row meanwhile. Only a claim that locks the row it reads keeps them off it.
    await gate.query(`create function slow_claim() returns trigger language plpgsql as $$
                      begin if new.status = 'sending' and old.status <> 'sending' then perform pg_sleep(0.05); end if; return new; end $$`);
    await gate.query('create trigger slow_claim before update on deliveries for each row execute function slow_claim()');
    try {
      const workers = stores.map((s) => worker(s.db));
      for (let round = 1; round <= 10; round++) {
        const channel = `C0RACE${String(round).padStart(3, '0')}`;
        await enqueue(state.db, { dedupeKey: `race:${round}`, kind: 'notice', channelId: channel, message: message(`race ${round}`) });
        // A starting gate: SHARE mode lets the workers read but holds every claim (an UPDATE) at its start
        // until all of them wait there; then they all go at once. Without it the claims are milliseconds
        // apart and rarely overlap, and a claim without `for update skip locked` would pass most rounds.
        await gate.query('begin');
        await gate.query('lock table deliveries in share mode');
        const draining = Promise.all(workers.map((w) => w.drain()));
        await eventually(async () => {
          const waiting = await gate.query("select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");
          return waiting.rows[0].n >= workers.length;
        }, 10_000, 5);
        await gate.query('commit');
        const handled = await draining;
        expect(handled.reduce((a, b) => a + b, 0), `round ${round}: claims`).toBe(1);
        expect(posts(channel), `round ${round}: posts`).toHaveLength(1);
        // Claimed once: a second claim would show as a second attempt, even when its history check saved the post.
        expect(await row(`race:${round}`), `round ${round}: ledger`).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
      }
    } finally {
      await gate.query('drop trigger slow_claim on deliveries; drop function slow_claim()');
      await gate.end();
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});

describe('rate limits', () => {
  it('makes no new attempt before Retry-After has passed since the 429', async () => {
    const channel = 'C0RETRY01';
    await enqueue(state.db, { dedupeKey: 'retry-after:2', kind: 'notice', channelId: channel, message: message('after the wait') });
    fake.failNext('chat.postMessage', { kind: 'ratelimited', retryAfter: 2 });
    // A worker polling every 20 ms, as serve's outbox loop does (every 500 ms): eager to retry.
    const w = worker(state.db);
    w.start(20);
    try {
      await eventually(async () => (await row('retry-after:2')).status === 'sent', 15_000, 20);
    } finally {
      await w.stop();
    }
    const attempts = fake.calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === channel);
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
    // The fake stamps each call when it receives it: the retry came at least 2 s after the 429 arrived.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(2_000);
    expect(await row('retry-after:2')).toMatchObject({ status: 'sent', attempts: 1 });
  });
});
