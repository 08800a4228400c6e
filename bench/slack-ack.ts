import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { parseConfig } from '../src/config/config.js';
import { createLogger } from '../src/core/log.js';
import { Replica, type ReplicaTx } from '../src/queries/replica.js';
import { startSlackServer } from '../src/slack/server.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { postSigned, slashCommandBody } from '../test/support/slack-requests.js';
import { fmt, median, percentile, table } from './stats.js';

/** A replica whose every answer takes `seconds` longer, as a slow OFN replica would. */
class SlowReplica extends Replica {
  constructor(
    base: Replica,
    private readonly seconds: number,
  ) {
    super(base.instance, (base as unknown as { db: never }).db);
  }
  override read<T>(work: (tx: ReplicaTx) => Promise<T>): Promise<T> {
    return super.read(async (tx) => {
      await sql`select pg_sleep(${this.seconds})`.execute(tx);
      return work(tx);
    });
  }
}

async function drive(url: string, body: (i: number) => string, secret: string, total: number, concurrency: number) {
  const times: number[] = [];
  let failures = 0;
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const result = await postSigned(url, body(i), secret);
      if (result.status !== 200) failures++;
      times.push(result.ms);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { times, failures };
}

/**
 * Ack latency of /ofn while every answer's query takes 2 s: 200 signed commands, 20 at a time. The
 * baseline is a bare node:http server answering 200 to the same requests on the same machine.
 */
export async function benchSlackAck(replicaUrl: string, log: (line: string) => void, total = 200, concurrency = 20, slowSeconds = 2): Promise<string> {
  const secret = 'bench-secret';
  const fake = await startFakeSlack({ botToken: 'xoxb-bench' });
  const config = parseConfig(
    {
      instances: { bench: { name: 'Bench', replica: replicaUrl, timezone: 'Europe/Madrid', currency: 'EUR', poolSize: 10 } },
      access: [{ channel: 'C0BENCH01', instances: ['*'] }],
    },
    {},
    'bench',
  );
  const slow = new SlowReplica(Replica.connect(config.instances.get('bench')!), slowSeconds);
  const server = await startSlackServer({
    deps: { config, replica: () => slow, now: () => new Date() },
    logger: createLogger('silent'),
    botToken: 'xoxb-bench',
    signingSecret: secret,
    port: 0,
    slackApiUrl: fake.url,
  });
  const body = (i: number) => slashCommandBody('orders bench last-month', { channelId: 'C0BENCH01', userId: 'U0BENCH01', responseUrl: fake.responseUrl(`a${i}`) });
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/slack/events`;

  // Warm both up, then measure the baseline and the bot alternately in two halves each.
  await drive(bareUrl, body, secret, 20, 5);
  const baseline = await drive(bareUrl, body, secret, total, concurrency);
  const started = performance.now();
  const bot = await drive(`http://127.0.0.1:${server.port}/slack/events`, body, secret, total, concurrency);
  const ackPhase = performance.now() - started;
  log(`  acks: ${total} in ${fmt(ackPhase)} ms; waiting for the ${total} answers (each query ${slowSeconds} s)…`);
  await fake.waitFor(() => fake.responses.filter((r) => r.status === 200).length >= total + 0, 600_000);
  const answered = fake.responses.filter((r) => r.status === 200).length;
  await server.stop(5_000);
  await slow.close();
  await fake.close();
  await new Promise((resolve) => bare.close(resolve));
  return table(
    ['server', 'requests', 'concurrency', 'failed', 'ack median ms', 'ack p99 ms', 'answers delivered'],
    [
      ['bare node:http (baseline)', total, concurrency, baseline.failures, fmt(median(baseline.times)), fmt(percentile(baseline.times, 99)), '-'],
      [`ofn-insights serve (answers take ${slowSeconds} s)`, total, concurrency, bot.failures, fmt(median(bot.times)), fmt(percentile(bot.times, 99)), answered],
    ],
  );
}
