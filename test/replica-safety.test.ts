import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { sql, type CompiledQuery } from 'kysely';
import { ask, type Outcome } from '../src/commands/pipeline.js';
import { commandTable } from '../src/commands/index.js';
import type { Deps } from '../src/commands/types.js';
import { parseConfig, type Config } from '../src/installation.js';
import { OfnError } from '../src/core/errors.js';
import { Replica } from '../src/queries/replica.js';
import { renderCsv } from '../src/render/csv.js';
import { renderJson } from '../src/render/json.js';
import { renderText } from '../src/render/text.js';
import { freePort } from './support/postgres-cluster.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { testDeps } from './support/deps.js';
import { startFakeSlack } from './support/fake-slack.js';
import { PLANTED_PERSONAL_DATA, personalColumnViolations } from './support/personal-data.js';
import { startServeProcess } from './support/serve-process.js';
import { buttonClickBody, postSigned, slashCommandBody } from './support/slack-requests.js';
import { createStateStore } from './support/state.js';
import { tempDir } from './support/temp-dir.js';

const TZ = 'Europe/Madrid';
const NOW = new Date('2026-11-15T12:00:00Z');
const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');

/**
 * Two instances on the same data (Madrid/EUR with a billing plan, London/GBP), custom metrics and
 * segments, one channel that may see everything: every kind of question can be asked.
 */
function configDocument(url: string) {
  return {
    // Not what these tests are about: on a loaded machine a 10 s fan-out deadline can pass while a
    // question waits for a pool connection behind the others.
    fanOutTimeoutSeconds: 120,
    reportingCurrency: 'EUR',
    exchangeRates: { GBP: 1.15 },
    instances: {
      katuma: { name: 'Katuma', replica: url, timezone: TZ, currency: 'EUR', billing: { fixed: 5, rate: 0.02, taxRate: 0.21 } },
      uk: { name: 'OFN UK', replica: url, timezone: 'Europe/London', currency: 'GBP' },
    },
    segments: {
      'organic-hubs': { of: 'hubs', inGroup: 'Organic' },
      'spanish-shops': { of: 'shops', country: 'ES' },
    },
    metrics: {
      'goods-turnover': { sum: 'item_total', of: 'sales-orders' },
      'hub-orders': { count: 'sales-orders', for: 'hubs' },
    },
    access: [{ channel: 'C0SAFE001', instances: ['*'], billing: true }],
  };
}

/** Every question kind, with every breakdown, custom metric and segment, as a user could type them. */
function everyQuestion(config: Config, period: string): string[] {
  const segments = [...config.registry.segments.keys()];
  const questions: string[] = [];
  for (const command of commandTable(config.registry).commands) {
    if (command.name === 'count' || command.name === 'list') {
      for (const s of segments) questions.push(`${command.name} ${s} katuma ${period}`);
      continue;
    }
    const breakdowns = /\[by ([a-z|]+)\]/.exec(command.usage)?.[1]?.split('|') ?? [];
    questions.push(`${command.name} katuma`, `${command.name} katuma ${period}`, `${command.name} katuma 2026`);
    for (const b of breakdowns) questions.push(`${command.name} katuma 2026 by ${b}`);
    if (command.usage.includes('for <segment>')) questions.push(`${command.name} katuma ${period} for organic-hubs`);
  }
  questions.push(
    `turnover all ${period}`, `top-shops all ${period}`, `orders katuma,uk ${period}`, 'new-profiles all 2026 by month',
    'compare turnover katuma,uk', 'compare orders all 2026', 'growth all 2026-10', 'growth katuma,uk',
    'billing katuma 2026-10', 'help', 'help turnover', 'metrics', 'segments', 'define organic-hubs',
    // Issue 16: the growth story.
    'growth katuma', `funnel katuma ${period}`, 'funnel all 2026', 'retention katuma', 'retention all 2026', `buyers katuma ${period}`, 'buyers all 2026',
    'report katuma 2026', 'report all 2026', 'map shops katuma', 'map producers all', 'map hubs katuma',
  );
  return questions;
}

/** Where a planted personal value shows up in `text`, for the failure message. */
function leaksIn(text: string): string[] {
  return PLANTED_PERSONAL_DATA.filter((personal) => text.includes(personal));
}

let db: TestDatabase;
let readerUrl: string;

beforeAll(async () => {
  db = await createTestDatabase('safety');
  const f = new OfnFixture(db.client);
  const spain = await f.country();
  const addr = await f.address(spain);
  const shop = await f.enterprise({ name: 'Mercat Verd', sells: 'any', address_id: addr });
  const producer = await f.enterprise({ name: 'Horta Nord', sells: 'own', is_primary_producer: true, address_id: addr });
  await f.enterprise({ name: 'Granja Sol', sells: 'none', created_at: utc('2026-10-12 10:00', TZ) });
  await f.group('Organic', [shop]);
  await f.customer(shop);
  await f.customer(producer);
  for (let day = 1; day <= 28; day++) {
    await f.order(day % 2 ? shop : producer, { total: `${day}.25`, completed_at: utc(`2026-10-${String(day).padStart(2, '0')} 12:00`, TZ) });
  }
  // A role like OFN's db_integrations roles: it may SELECT and nothing else.
  const role = `reader_${db.name}`;
  await db.client.query(`create role ${role} login`);
  await db.client.query(`grant usage on schema public to ${role}`);
  await db.client.query(`grant select on all tables in schema public to ${role}`);
  const u = new URL(db.url);
  u.username = role;
  readerUrl = u.toString();
});

afterAll(async () => {
  await db?.drop();
});

describe('replica access', () => {
  it('answers every question kind through a SELECT-only role, with no personal data in text, JSON or CSV, and no personal column read', async () => {
    const config = parseConfig(configDocument(readerUrl), {}, 'test');
    const captured: CompiledQuery[] = [];
    const replicas = new Map([...config.instances.values()].map((i) => [i.id, Replica.connect(i, undefined, (event) => void (event.level === 'query' && captured.push(event.query)))]));
    const deps: Deps = { config, replica: (id) => replicas.get(id)!, now: () => NOW };
    try {
      const questions = everyQuestion(config, 'last-month');
      expect(questions.length).toBeGreaterThan(60);
      const kinds = new Set<string>();
      for (const question of questions) {
        let outputs: string[];
        try {
          const outcome: Outcome = await ask(deps, question);
          kinds.add(outcome.kind);
          outputs = [renderText(outcome), renderJson(outcome), renderCsv(outcome)];
        } catch (error) {
          // A refusal is output too: what it says must be as clean as an answer.
          if (!(error instanceof OfnError)) throw new Error(`${question}: ${String(error)}`);
          kinds.add(`refused ${question}`);
          outputs = [error.message, error.hint ?? ''];
        }
        for (const output of outputs) expect(leaksIn(output), `${question} leaks`).toEqual([]);
      }
      // Every kind was really answered, not refused, so the scan above looked at real output.
      expect([...kinds].filter((k) => k.startsWith('refused'))).toEqual([]);
      expect([...kinds].sort()).toEqual(['answer', 'billing', 'global', 'growth', 'help', 'story']);
      const top = renderText(await ask(deps, 'top-shops katuma last-month'));
      expect(top).toContain('Mercat Verd');
      // And no query any of them sent named a personal column or a forbidden table.
      expect(captured.length).toBeGreaterThan(questions.length);
      expect(captured.flatMap((q) => personalColumnViolations(q.sql))).toEqual([]);
    } finally {
      await Promise.all([...replicas.values()].map((r) => r.close()));
    }
  });

  it('leaks no personal data into Slack messages, uploaded files, log lines or the audit log', async () => {
    const config = parseConfig(configDocument(readerUrl), {}, 'test');
    const fake = await startFakeSlack({ botToken: 'xoxb-safety' });
    const state = await createStateStore();
    const file = join(tempDir('safety'), 'ofn-insights.yml');
    writeFileSync(file, JSON.stringify(configDocument(readerUrl))); // JSON is YAML
    // The real serve process, its answer worker and its logger, at debug: what it would write in production and more.
    const serve = await startServeProcess(CLI, file, { SLACK_BOT_TOKEN: 'xoxb-safety', SLACK_SIGNING_SECRET: 'safety', SLACK_API_URL: fake.url, STATE_DATABASE_URL: state.url }, { logLevel: 'debug' });
    try {
      const events = `http://127.0.0.1:${serve.port}/slack/events`;
      const who = { channelId: 'C0SAFE001', userId: 'U0SAFE001' };
      // Every Slack rendering once (a figure, a series, a ranking, a list, a count, a custom metric, all,
      // an instance list, compare, growth, billing, help, definitions), its CSV and a chart; the other
      // variants were scanned in text, JSON and CSV above. Explicit periods: serve runs on the real clock.
      const questions = [
        'turnover katuma 2026-10', 'orders katuma 2026-10 by day', 'top-shops katuma 2026-10', 'turnover katuma 2026-10 by shop', 'active-shops katuma 2026 by month',
        'new-profiles katuma 2026 by month', 'shops katuma', ...[...config.registry.segments.keys()].flatMap((s) => [`list ${s} katuma`, `count ${s} katuma 2026-10`]),
        'goods-turnover katuma 2026-10 by shop', 'hub-orders katuma 2026-10', 'turnover katuma 2026-10 for organic-hubs',
        'turnover all 2026-10', 'top-shops all 2026-10', 'orders katuma,uk 2026-10', 'compare turnover katuma,uk 2026', 'growth all 2026-10',
        'billing katuma 2026-10', 'help', 'help turnover', 'metrics', 'segments', 'define organic-hubs',
        'turnover katuma 2026-10 by day chart', 'compare turnover katuma,uk 2026 chart',
      ];
      for (const [i, question] of questions.entries()) {
        // The answer (message blocks), then the CSV button (the file); one question at a time.
        expect((await postSigned(events, slashCommandBody(question, { ...who, responseUrl: fake.responseUrl(`q${i}`) }), 'safety')).status).toBe(200);
        await fake.waitFor(() => fake.responses.some((r) => r.path === `/response/q${i}`), 60_000);
        expect((await postSigned(events, buttonClickBody('ofn_csv', question, { ...who, responseUrl: fake.responseUrl(`c${i}`) }), 'safety')).status).toBe(200);
      }
      // SIGTERM lets every answer in flight finish (uploads included) before the process exits.
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);

      const messages = fake.responses.map((r) => JSON.stringify(r.body));
      const calls = fake.calls.map((c) => JSON.stringify(c.body));
      const files = fake.sharedFiles.filter((f) => !f.filename.endsWith('.png')).map((f) => `${f.filename}: ${f.bytes.toString('utf8')}`);
      const comments = fake.sharedFiles.map((f) => `${f.title ?? ''} ${f.altText ?? ''} ${f.initialComment ?? ''}`);
      const audit = (await state.db.selectFrom('audit_log').selectAll().execute()).map((row) => JSON.stringify(row));
      for (const [what, outputs] of Object.entries({ messages, calls, files, comments, log: serve.log, audit })) {
        for (const output of outputs) expect(leaksIn(output), `${what}: ${output.slice(0, 300)}`).toEqual([]);
      }
      // The scan looked at real answers, files and log lines.
      expect(messages.some((m) => m.includes('Mercat Verd'))).toBe(true);
      expect(messages.filter((m) => m.includes(':warning:'))).toEqual([]);
      expect(files.filter((f) => f.includes('Mercat Verd')).length).toBeGreaterThan(5);
      expect(files.some((f) => f.startsWith('billing-katuma-2026-10.csv'))).toBe(true);
      expect(fake.sharedFiles.some((f) => f.filename.endsWith('.png'))).toBe(true);
      expect(serve.log.filter((line) => line.includes('"slack request"')).length).toBeGreaterThanOrEqual(questions.length * 2);
      expect(audit.length).toBeGreaterThanOrEqual(questions.length);
    } finally {
      serve.child.kill('SIGKILL');
      await fake.close();
      await state.drop();
    }
  }, 300_000);

  it('runs every query read-only: a write inside the bot transaction is refused by PostgreSQL', async () => {
    const deps = testDeps([{ id: 'katuma', url: db.url, timezone: TZ }], NOW);
    try {
      const replica = deps.replica('katuma');
      const attempt = replica.read((tx) => sql`insert into spree_countries (iso, name) values ('XX', 'Nowhere')`.execute(tx));
      await expect(attempt).rejects.toMatchObject({ code: 'ReplicaUnavailable', cause: { code: '25006' } }); // read_only_sql_transaction
      const count = await db.client.query("select count(*)::int as n from spree_countries where iso = 'XX'");
      expect(count.rows[0].n).toBe(0);
    } finally {
      await deps.close();
    }
  });

  it('stops a slow query at the statement timeout with a friendly message', async () => {
    const deps = testDeps([{ id: 'katuma', name: 'Katuma', url: db.url, timezone: TZ, statementTimeoutSeconds: 0.3 }], NOW);
    try {
      const slow = deps.replica('katuma').read((tx) => sql`select pg_sleep(5)`.execute(tx));
      await expect(slow).rejects.toBeInstanceOf(OfnError);
      await expect(slow).rejects.toMatchObject({ code: 'ReplicaTimeout', message: "Katuma's replica did not answer in 0.3 s, try again later." });
    } finally {
      await deps.close();
    }
  });

  it('turns an unreachable replica into ReplicaUnavailable, without a stack trace in the message', async () => {
    const port = await freePort();
    const deps = testDeps([{ id: 'katuma', name: 'Katuma', url: `postgres://nobody@127.0.0.1:${port}/none`, timezone: TZ }], NOW);
    try {
      const failure = ask(deps, 'turnover katuma last-month');
      await expect(failure).rejects.toMatchObject({ code: 'ReplicaUnavailable', message: "Katuma's replica is not answering right now, try again later." });
    } finally {
      await deps.close();
    }
  });

  it('sends user text only as parameters, never inside SQL', async () => {
    const config = testDeps([{ id: 'katuma', name: 'Katuma', url: db.url, timezone: TZ }], NOW).config;
    const captured: CompiledQuery[] = [];
    const replica = Replica.connect(config.instances.get('katuma')!, undefined, (event) => void (event.level === 'query' && captured.push(event.query)));
    const deps: Deps = { config, replica: () => replica, now: () => NOW };
    const sqlOf = () => captured.map((q) => q.sql).join('\n');
    const parametersOf = () => captured.flatMap((q) => q.parameters.map((p) => (p instanceof Date ? p.toISOString() : String(p))));
    try {
      // Values typed by the user reach the replica, as parameters: the top-N and the days of a range
      // (as the UTC instants of their local midnights, 5 Oct 00:00 and 20 Oct 00:00 in Madrid).
      await ask(deps, 'top-shops 17 katuma 2026-10-05..2026-10-19');
      expect(parametersOf()).toContain('17');
      expect(parametersOf().some((p) => p.startsWith('2026-10-04 22:00') || p.startsWith('2026-10-04T22:00'))).toBe(true);
      expect(parametersOf().some((p) => p.startsWith('2026-10-19 22:00') || p.startsWith('2026-10-19T22:00'))).toBe(true);
      expect(sqlOf()).not.toMatch(/\b17\b|2026-10|22:00/);
      captured.length = 0;
      await ask(deps, 'orders katuma 2026-10-05 by day');
      expect(parametersOf().some((p) => p.startsWith('2026-10-04 22:00') || p.startsWith('2026-10-04T22:00'))).toBe(true);
      expect(sqlOf()).not.toMatch(/2026-10|22:00/);
      // Text that is not a value the grammar knows never reaches the replica at all.
      captured.length = 0;
      await expect(ask(deps, "turnover katuma'; drop table enterprises; --")).rejects.toMatchObject({ code: 'UnknownInstance' });
      // A sentence's trailing `;` is punctuation now (issue 18): `17;` alone would be 17; glued to more text it is refused.
      await expect(ask(deps, 'top-shops 17;drop katuma')).rejects.toBeInstanceOf(OfnError);
      expect(captured).toEqual([]);
      const still = await db.client.query('select count(*)::int as n from enterprises');
      expect(still.rows[0].n).toBe(3);
    } finally {
      await replica.close();
    }
  });
});

export { pg };
