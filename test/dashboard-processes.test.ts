import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { createStateStore, eventually } from './support/state.js';
import { startServeProcess } from './support/serve-process.js';
import { tempDir } from './support/temp-dir.js';

/** A dashboard pulse, due while two serve processes share one state database: one message, its chart uploaded once (test/multi-process.test.ts's pattern). */

const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');
const TOKEN = 'xoxb-dashproc';

let replica: TestDatabase;
let state: Awaited<ReturnType<typeof createStateStore>>;
let fake: FakeSlack;
let config: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  replica = await createTestDatabase('dashproc');
  const f = new OfnFixture(replica.client);
  const shop = await f.enterprise({ name: 'Mercat Verd', sells: 'any' });
  await f.order(shop, { total: '42.50', completed_at: utc('2026-10-14 12:00', 'Europe/Madrid') });
  await f.order(shop, { total: '7.50', completed_at: utc('2026-09-14 12:00', 'Europe/Madrid') });
  state = await createStateStore();
  fake = await startFakeSlack({ botToken: TOKEN });
  const dir = tempDir('dashproc');
  config = join(dir, 'ofn-insights.yml');
  writeFileSync(
    config,
    [
      'instances:',
      '  katuma:',
      '    name: Katuma',
      `    replica: ${replica.url}`,
      '    timezone: Europe/Madrid',
      '    currency: EUR',
      'access:',
      '  - channel: C0DASH001',
      '    instances: [katuma]',
      'dashboards:',
      '  katuma-monthly:',
      '    title: Katuma, monthly',
      '    questions: ["turnover katuma 2026-10", "turnover katuma 2026-09-01..2026-10-31 by month chart"]',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await fake?.close();
  await state?.drop();
  await replica?.drop();
});

describe('a dashboard pulse with two serve processes', () => {
  it('is delivered exactly once, its chart uploaded once and shown by file id', async () => {
    const slot = DateTime.now().setZone('Europe/Madrid').minus({ minutes: 10 });
    const pulse = await state.db
      .insertInto('pulses')
      .values({ question: 'dashboard katuma-monthly', schedule: `daily ${slot.toFormat('HH:mm')}`, timezone: 'Europe/Madrid', channel_id: 'C0DASH001', only_if_results: false, grace_minutes: 360, status: 'active', created_by: 'U0ADMIN01', last_slot_at: slot.minus({ minutes: 5 }).toJSDate(), note: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const env = { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 'dashproc-secret', SLACK_API_URL: fake.url, STATE_DATABASE_URL: state.url };
    const serves = await Promise.all([startServeProcess(CLI, config, env), startServeProcess(CLI, config, env)]);
    children.push(...serves.map((s) => s.child));
    await eventually(async () => {
      const rows = await state.db.selectFrom('deliveries').select('status').where('owner_id', '=', pulse.id).where('kind', '=', 'pulse').execute();
      return rows.length === 1 && rows[0]!.status === 'sent';
    }, 60_000);
    // Several more rounds of both outboxes: still one.
    await eventually(async () => (await state.db.selectFrom('deliveries').select('id').where('status', 'in', ['pending', 'sending']).execute()).length === 0);
    const posts = fake.calls.filter((c) => c.method === 'chat.postMessage' && c.ok && c.body.channel === 'C0DASH001');
    expect(posts).toHaveLength(1);
    const blocks = posts[0]!.body.blocks as any[];
    expect(blocks[0].text.text).toBe('Katuma, monthly');
    expect(JSON.stringify(blocks)).toContain('€42.50');
    expect(JSON.stringify(blocks)).toContain(`late delivery of pulse #${pulse.id}`);
    const images = blocks.filter((b) => b.type === 'image');
    expect(images).toHaveLength(1);
    expect(fake.sharedFiles.filter((f) => f.filename.endsWith('.png'))).toHaveLength(1);
    expect(fake.sharedFiles.find((f) => f.fileId === images[0].slack_file.id)?.channelId).toBeUndefined();
  });
});
