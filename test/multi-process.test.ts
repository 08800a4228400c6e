import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';

import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { createStateStore, eventually } from './support/state.js';
import { postSigned, slackSignature, slashCommandBody } from './support/slack-requests.js';
import { startServeProcess } from './support/serve-process.js';
import { tempDir } from './support/temp-dir.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');
const TOKEN = 'xoxb-multi';

let replica: TestDatabase;
let state: Awaited<ReturnType<typeof createStateStore>>;
let fake: FakeSlack;
let config: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  replica = await createTestDatabase('multi');
  const f = new OfnFixture(replica.client);
  const shop = await f.enterprise({ name: 'Mercat Verd', sells: 'any' });
  await f.order(shop, { total: '42.50', completed_at: utc('2026-10-14 12:00', 'Europe/Madrid') });
  state = await createStateStore();
  fake = await startFakeSlack({ botToken: TOKEN });
  const dir = tempDir('multi');
  config = join(dir, 'ofn-insights.yml');
  writeFileSync(
    config,
    `instances:\n  katuma:\n    name: Katuma\n    replica: ${replica.url}\n    timezone: Europe/Madrid\n    currency: EUR\naccess:\n  - channel: C0MULTI01\n    instances: [katuma]\n`,
  );
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await fake?.close();
  await state?.drop();
  await replica?.drop();
});

const ports: number[] = [];

/** A serve process on a port of its own choosing, up once it says so (after its start-up tick). */
async function startServe(): Promise<number> {
  const serve = await startServeProcess(CLI, config, { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 'multi-secret', SLACK_API_URL: fake.url, STATE_DATABASE_URL: state.url });
  children.push(serve.child);
  ports.push(serve.port);
  return serve.port;
}

describe('several serve processes on one state database', () => {
  it('deliver a missed pulse slot exactly once', async () => {
    // A daily slot ten minutes ago: due, within the grace window, so each process's first tick wants it.
    const slot = DateTime.now().setZone('Europe/Madrid').minus({ minutes: 10 });
    const pulse = await state.db
      .insertInto('pulses')
      .values({
        question: 'turnover katuma 2026-10',
        schedule: `daily ${slot.toFormat('HH:mm')}`,
        timezone: 'Europe/Madrid',
        channel_id: 'C0MULTI01',
        only_if_results: false,
        grace_minutes: 360,
        status: 'active',
        created_by: 'U0ADMIN01',
        last_slot_at: slot.minus({ minutes: 5 }).toJSDate(),
        note: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Both processes are up (each ran its start-up tick before serving /healthz).
    await Promise.all([startServe(), startServe()]);
    const sent = await eventually(async () => {
      const rows = await state.db.selectFrom('deliveries').select(['dedupe_key', 'status']).where('owner_id', '=', pulse.id).where('kind', '=', 'pulse').execute();
      return rows.length === 1 && rows[0]!.status === 'sent' ? rows : undefined;
    }, 30_000);
    expect(sent[0]!.dedupe_key).toBe(`pulse:${pulse.id}:${slot.toFormat("yyyy-LL-dd'T'HH:mm")}`);
    // Give both outbox loops several more rounds: still one message.
    await eventually(async () => {
      const rounds = await state.db.selectFrom('deliveries').select('id').where('status', 'in', ['pending', 'sending']).execute();
      return rounds.length === 0;
    });
    const posts = fake.calls.filter((c) => c.method === 'chat.postMessage' && c.ok && c.body.channel === 'C0MULTI01');
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]!.body.blocks)).toContain('€42.50');
    expect(JSON.stringify(posts[0]!.body.blocks)).toContain('Late delivery of pulse');
  });

  it('answer a command redelivered by Slack (to either process) once', async () => {
    const body = slashCommandBody('orders katuma 2026-10', { channelId: 'C0MULTI01', userId: 'U0ALICE01', responseUrl: fake.responseUrl('redelivered') });
    const first = await postSigned(`http://127.0.0.1:${ports[0]}/slack/events`, body, 'multi-secret');
    // Slack thought the first delivery failed and sends the same request again, here to the other process.
    const timestamp = Math.floor(Date.now() / 1000);
    const again = await fetch(`http://127.0.0.1:${ports[1]}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature('multi-secret', timestamp, body), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
      body,
    });
    expect([first.status, again.status]).toEqual([200, 200]);
    await fake.waitFor(() => fake.responses.find((r) => r.path.endsWith('/redelivered')));
    // A later, distinct command is answered: by then any duplicate of the first would have arrived too.
    await postSigned(`http://127.0.0.1:${ports[1]}/slack/events`, slashCommandBody('orders katuma 2026-10', { channelId: 'C0MULTI01', userId: 'U0ALICE01', responseUrl: fake.responseUrl('later') }), 'multi-secret');
    await fake.waitFor(() => fake.responses.find((r) => r.path.endsWith('/later')));
    await eventually(async () => (await state.db.selectFrom('audit_log').select('id').where('action', '=', 'slack.answer').execute()).length >= 2);
    expect(fake.responses.filter((r) => r.path.endsWith('/redelivered'))).toHaveLength(1);
  });
});
