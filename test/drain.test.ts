import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { createStateStore } from './support/state.js';
import { postSigned, slashCommandBody } from './support/slack-requests.js';
import { startServeProcess } from './support/serve-process.js';
import { tempDir } from './support/temp-dir.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');

let replica: TestDatabase;
let state: Awaited<ReturnType<typeof createStateStore>>;
let fake: FakeSlack;

beforeAll(async () => {
  replica = await createTestDatabase('drain');
  const f = new OfnFixture(replica.client);
  const shop = await f.enterprise({ name: 'Mercat Verd', sells: 'any' });
  await f.order(shop, { total: '77.00', completed_at: utc('2026-10-15 12:00', 'Europe/Madrid') });
  // Every orders query takes 1.5 s, so the answer is still in flight when SIGTERM arrives.
  await replica.client.query('alter table spree_orders rename to spree_orders_data');
  await replica.client.query('create view spree_orders as with pause as materialized (select pg_sleep(1.5)) select o.* from spree_orders_data o cross join pause');
  state = await createStateStore();
  fake = await startFakeSlack({ botToken: 'xoxb-drain' });
});

afterAll(async () => {
  await fake?.close();
  await state?.drop();
  await replica?.drop();
});

describe('serve on SIGTERM', () => {
  it('finishes the answers in flight, then exits 0', async () => {
    const dir = tempDir('drain');
    const config = join(dir, 'ofn-insights.yml');
    writeFileSync(config, `instances:\n  katuma:\n    name: Katuma\n    replica: ${replica.url}\n    timezone: Europe/Madrid\n    currency: EUR\naccess:\n  - channel: C0DRAIN01\n    instances: [katuma]\n`);
    const { child, port, exited } = await startServeProcess(CLI, config, { SLACK_BOT_TOKEN: 'xoxb-drain', SLACK_SIGNING_SECRET: 'drain', SLACK_API_URL: fake.url, STATE_DATABASE_URL: state.url });
    const ack = await postSigned(`http://127.0.0.1:${port}/slack/events`, slashCommandBody('turnover katuma 2026-10', { channelId: 'C0DRAIN01', userId: 'U1', responseUrl: fake.responseUrl('inflight') }), 'drain');
    expect(ack.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const answer = fake.responses.find((r) => r.path.endsWith('/inflight'));
    expect(JSON.stringify(answer?.body)).toContain('€77.00');
  });
});
