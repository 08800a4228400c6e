import pg from 'pg';
import { WebClient } from '@slack/web-api';
import { parseConfig } from '../src/installation.js';
import { createLogger } from '../src/core/log.js';
import { startJobs } from '../src/jobs/start-jobs.js';
import { Replica } from '../src/queries/replica.js';
import { enterprisesUpdatedSince } from '../src/queries/watch-queries.js';
import { openStateStore } from '../src/state/store.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { fmt, median, percentile, table, timed } from './stats.js';
import { databaseUrl, recreateDatabase } from './support.js';

/**
 * Announcement latency: enterprises inserted into a replica at random moments, time until the
 * announcement reaches the fake Slack, with the default 15 s poll and with 1 s. Plus the watcher's
 * query per poll, next to a bare `select 1` round trip on the same connection.
 */
export async function benchWatch(adminUrl: string, templateDb: string, log: (line: string) => void, inserts = 100, spreadMs = 45_000): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const rows: (string | number)[][] = [];
  for (const pollMs of [15_000, 1_000]) {
    const name = `bench_watch_${pollMs}`;
    const replicaUrl = await recreateDatabase(adminUrl, name, templateDb);
    const store = await openStateStore({ url: await recreateDatabase(adminUrl, `${name}_state`) });
    const fake = await startFakeSlack({ botToken: 'xoxb-watch' });
    const config = parseConfig({ instances: { bench: { name: 'Bench', replica: replicaUrl, timezone: 'Europe/Madrid', currency: 'EUR' } } }, {}, 'bench');
    const replica = Replica.connect(config.instances.get('bench')!);
    const deps = { config, replica: () => replica, now: () => new Date() };
    await store.db.insertInto('watches').values({ event: 'new-profiles', instance_id: 'bench', channel_id: 'C0WATCH01', status: 'active', created_by: 'bench', source: 'config', note: null }).execute();
    const client = new WebClient('xoxb-watch', { slackApiUrl: fake.url, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    const jobs = await startJobs({ state: store.db, deps, client, logger: createLogger('silent'), cronEnabled: false, pollMs, outboxMs: 200 });
    await jobs.pollAll(); // first start: records the mark
    const writer = new pg.Client({ connectionString: replicaUrl });
    await writer.connect();
    const owner = (await writer.query('select min(id) as id from spree_users')).rows[0].id;
    const insertedAt = new Map<string, number>();
    log(`  watch poll ${pollMs} ms: inserting ${inserts} enterprises over ${spreadMs / 1000} s…`);
    const started = Date.now();
    for (let i = 0; i < inserts; i++) {
      const due = started + (spreadMs * i) / inserts + Math.random() * (spreadMs / inserts);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
      const name = `Bench Watch ${pollMs} ${i}`;
      await writer.query(
        `insert into enterprises (name, permalink, sells, visible, created_at, updated_at, owner_id)
         values ($1, $2, 'none', 'public', now() at time zone 'utc', now() at time zone 'utc', $3)`,
        [name, `bench-watch-${pollMs}-${i}`, owner],
      );
      insertedAt.set(name, performance.timeOrigin + performance.now());
    }
    const latencies = new Map<string, number>();
    await fake.waitFor(() => {
      for (const call of fake.calls) {
        if (call.method !== 'chat.postMessage' || !call.ok) continue;
        const text = JSON.stringify(call.body.blocks);
        // Names are shown bold (*name*) in single announcements and summaries alike.
        for (const [name, at] of insertedAt) if (!latencies.has(name) && text.includes(`*${name}*`)) latencies.set(name, call.at - at);
      }
      return latencies.size >= inserts;
    }, pollMs * 3 + spreadMs + 60_000);
    const messages = fake.calls.filter((c) => c.method === 'chat.postMessage' && c.ok).length;
    const values = [...latencies.values()];
    rows.push([`${pollMs / 1000} s`, inserts, messages, fmt(median(values)), fmt(percentile(values, 99))]);
    log(`  watch poll ${pollMs} ms: median ${fmt(median(values))} ms, p99 ${fmt(percentile(values, 99))} ms, ${messages} messages`);
    await jobs.stop();
    await writer.end();
    await replica.close();
    await fake.close();
    await store.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`drop database if exists ${name}_state with (force)`);
  }
  // The watcher's replica query per poll on the full template data (10k enterprises, 1M orders).
  const config = parseConfig({ instances: { bench: { name: 'Bench', replica: databaseUrl(adminUrl, templateDb), timezone: 'Europe/Madrid', currency: 'EUR', poolSize: 1 } } }, {}, 'bench');
  const replica = Replica.connect(config.instances.get('bench')!);
  // The mark minus the overlap window: the last ten minutes, as in a steady state.
  const since = new Date(Date.now() - 600_000).toISOString().replace('T', ' ').slice(0, 19);
  const poll: number[] = [];
  const ping: number[] = [];
  const { sql } = await import('kysely');
  for (let i = 0; i < 30; i++) {
    poll.push((await timed(() => replica.read((tx) => enterprisesUpdatedSince(tx, since, 2_000))))[0]);
    ping.push((await timed(() => replica.read((tx) => sql`select 1`.execute(tx))))[0]);
  }
  await replica.close();
  await admin.end();
  return [
    table(['poll interval', 'inserts', 'messages posted', 'insert → post median ms', 'p99 ms'], rows),
    '',
    table(['watcher query per poll (10k enterprises)', 'median ms'], [['`select 1` round trip (baseline)', fmt(median(ping))], ['enterprises updated since the mark − overlap', fmt(median(poll))]]),
  ].join('\n');
}
