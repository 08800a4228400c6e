import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import { ask } from '../src/commands/pipeline.js';
import { COMMANDS } from '../src/commands/index.js';
import { OfnError } from '../src/core/errors.js';
import { renderCsv } from '../src/render/csv.js';
import { renderJson } from '../src/render/json.js';
import { renderText } from '../src/render/text.js';
import { freePort } from './support/postgres-cluster.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { testDeps } from './support/deps.js';

const TZ = 'Europe/Madrid';
const NOW = new Date('2026-11-15T12:00:00Z');

/** Every question the table knows, with every breakdown and a period, as a user could type them. */
function everyQuestion(instance: string): string[] {
  const questions: string[] = [];
  for (const command of COMMANDS) {
    const breakdowns = /\[by ([a-z|]+)\]/.exec(command.usage)?.[1]?.split('|') ?? [];
    questions.push(`${command.name} ${instance}`, `${command.name} ${instance} last-month`, `${command.name} ${instance} 2026`);
    for (const b of breakdowns) questions.push(`${command.name} ${instance} last-12-months by ${b}`);
  }
  return questions;
}

// Personal data planted in the fixture; none of it may appear in any answer.
const PERSONAL = ['@example.org', 'Jordi', 'Vila', 'Marta', 'Puig', '+34', 'Carrer Major', '192.168.1.9', '10.0.0.1', 'secret-hash', 'Leave at the door'];

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
  it('answers every question through a SELECT-only role, leaking no personal data', async () => {
    const deps = testDeps([{ id: 'katuma', url: readerUrl, timezone: TZ }], NOW);
    try {
      const questions = everyQuestion('katuma');
      expect(questions.length).toBeGreaterThan(40);
      for (const question of questions) {
        const outcome = await ask(deps, question);
        expect(outcome.kind, question).toBe('answer');
        for (const output of [renderText(outcome), renderJson(outcome), renderCsv(outcome)]) {
          for (const personal of PERSONAL) expect(output, `${question} leaks ${personal}`).not.toContain(personal);
        }
      }
      // The fixture is not empty: the scan above looked at real figures.
      const top = await ask(deps, 'top-shops katuma last-month');
      expect(renderText(top)).toContain('Mercat Verd');
    } finally {
      await deps.close();
    }
  });

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
    // A period or instance can't carry SQL: the parser refuses anything it does not know.
    const deps = testDeps([{ id: 'katuma', url: db.url, timezone: TZ }], NOW);
    try {
      await expect(ask(deps, "turnover katuma'; drop table enterprises; --")).rejects.toMatchObject({ code: 'UnknownInstance' });
      const still = await db.client.query('select count(*)::int as n from enterprises');
      expect(still.rows[0].n).toBe(3);
    } finally {
      await deps.close();
    }
  });
});

export { pg };
