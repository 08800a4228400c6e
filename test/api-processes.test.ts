import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { startServeProcess } from './support/serve-process.js';
import { createStateStore, eventually } from './support/state.js';
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from './support/webhook-receiver.js';
import { tempDir } from './support/temp-dir.js';

/**
 * The API as deployed: mounted by `ofn-insights serve` on the Slack port (answered in its answer
 * thread), and `ofn-insights api` alone, without any Slack variable, answering and delivering
 * webhooks. Real processes, real HTTP, real PostgreSQL.
 */
const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');
const TOKEN = 'proc-0123456789abcdef0123456789abcdef';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

let replica: TestDatabase;
let state: Awaited<ReturnType<typeof createStateStore>>;
let fake: FakeSlack;
let receiver: WebhookReceiver;
let config: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  replica = await createTestDatabase('apiproc');
  const f = new OfnFixture(replica.client);
  const shop = await f.enterprise({ name: 'Mercat Verd', sells: 'any' });
  await f.order(shop, { total: '42.50', completed_at: utc('2026-10-14 12:00', 'Europe/Madrid') });
  await f.order(shop, { total: '7.50', completed_at: utc('2026-10-20 12:00', 'Europe/Madrid') });
  state = await createStateStore();
  fake = await startFakeSlack({ botToken: 'xoxb-apiproc' });
  receiver = await startWebhookReceiver();
  const dir = tempDir('apiproc');
  config = join(dir, 'ofn-insights.yml');
  writeFileSync(
    config,
    [
      'watchIntervalSeconds: 1',
      'instances:',
      '  katuma:',
      '    name: Katuma',
      `    replica: ${replica.url}`,
      '    timezone: Europe/Madrid',
      '    currency: EUR',
      'access:',
      '  - channel: C0APIPROC',
      '    instances: [katuma]',
      'api:',
      '  tokens:',
      '    - name: sheets-katuma',
      '      token: ${KATUMA_API_TOKEN}',
      '      instances: [katuma]',
      'webhooks:',
      '  - name: n8n',
      `    url: ${receiver.url}/n8n`,
      '    secret: ${N8N_WEBHOOK_SECRET}',
      '    events: [new-shop]',
      '    instances: [katuma]',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await receiver?.close();
  await fake?.close();
  await state?.drop();
  await replica?.drop();
});

/** The process environment without any Slack variable. */
function withoutSlack(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith('SLACK_') && v !== undefined)) as Record<string, string>;
}

/** `ofn-insights api` on a port of its own choosing, read from its "serving /api/v1" log line. */
function startApiProcess(env: Record<string, string>): Promise<{ child: ChildProcess; port: number; log: string[]; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'api', '--config', config], { env: { ...env, PORT: '0', LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  const log: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`api did not report its port\n${log.join('\n')}`)), 30_000);
    createInterface({ input: child.stderr! }).on('line', (line) => {
      log.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'ofn-insights serving /api/v1' && entry.port) {
          clearTimeout(timer);
          resolve({ child, port: entry.port, log, exited });
        }
      } catch {
        /* not JSON */
      }
    });
    child.once('exit', (code) => reject(new Error(`api exited (${code})\n${log.join('\n')}`)));
  });
}

const answer = (port: number, token = TOKEN) => fetch(`http://127.0.0.1:${port}/api/v1/answers?q=${encodeURIComponent('turnover katuma 2026-10')}`, { headers: { authorization: `Bearer ${token}` } });

describe('the API in real processes', () => {
  it('is served by `serve` beside Slack on the same port', async () => {
    const serve = await startServeProcess(CLI, config, {
      SLACK_BOT_TOKEN: 'xoxb-apiproc',
      SLACK_SIGNING_SECRET: 'apiproc-secret',
      SLACK_API_URL: fake.url,
      STATE_DATABASE_URL: state.url,
      KATUMA_API_TOKEN: TOKEN,
      N8N_WEBHOOK_SECRET: SECRET,
    });
    children.push(serve.child);
    const r = await answer(serve.port);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { value: number }).value).toBe(50);
    expect((await answer(serve.port, 'wrong-0123456789abcdef0123456789')).status).toBe(401);
    // Slack is still there, on the same port: an unsigned event is refused by Bolt, not taken for the API.
    const slack = await fetch(`http://127.0.0.1:${serve.port}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(slack.status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${serve.port}/healthz`)).status).toBe(200);
    expect(serve.log.some((l) => l.includes('"api request"') && l.includes('"tokenName":"sheets-katuma"'))).toBe(true);
    expect(serve.log.join('\n')).not.toContain(TOKEN);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  });

  it('is served alone by `ofn-insights api` with no Slack variable, which also delivers webhooks, and stops on SIGTERM', async () => {
    const api = await startApiProcess({ ...withoutSlack(), STATE_DATABASE_URL: state.url, KATUMA_API_TOKEN: TOKEN, N8N_WEBHOOK_SECRET: SECRET });
    const r = await answer(api.port);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { value: number }).value).toBe(50);
    // Its watcher runs: the first poll records the mark, then a new shop reaches the webhook.
    await eventually(() => state.db.selectFrom('watermarks').select('instance_id').where('instance_id', '=', 'katuma').executeTakeFirst());
    const shop = await new OfnFixture(replica.client).enterprise({ name: 'Forn Nou', sells: 'any', created_at: '2026-11-20 10:00:00' });
    const post = await eventually(async () => receiver.received.find((p) => JSON.parse(p.body).data.enterprise_id === shop), 20_000);
    expect(verifyStandardWebhook(SECRET, post.headers, post.body)).toBe(true);
    expect(JSON.parse(post.body)).toMatchObject({ type: 'new-shop', data: { id: `katuma:${shop}:new-shop`, name: 'Forn Nou' } });
    const events = await fetch(`http://127.0.0.1:${api.port}/api/v1/events?instance=katuma`, { headers: { authorization: `Basic ${Buffer.from(`zapier:${TOKEN}`).toString('base64')}` } });
    expect(((await events.json()) as { id: string }[]).map((e) => e.id)).toContain(`katuma:${shop}:new-shop`);
    expect(api.log.join('\n')).not.toContain(TOKEN);
    expect(api.log.join('\n')).not.toContain(SECRET);
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
  });
});
