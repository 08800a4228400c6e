import type { CompiledQuery } from 'kysely';
import pg from 'pg';
import { runBilling } from '../src/commands/billing.js';
import type { Deps } from '../src/commands/types.js';
import { parseConfig } from '../src/installation.js';
import { Replica } from '../src/queries/replica.js';
import { billingCsv } from '../src/render/billing.js';
import { fmt, median, table, timed } from './stats.js';

/** Billing one month (query, arithmetic for every shop, CSV) against the same SQL run bare through pg. */
export async function benchBilling(url: string, runs: number, log: (line: string) => void, scale = 'large'): Promise<string> {
  const config = parseConfig(
    {
      instances: {
        bench: {
          name: 'Bench',
          replica: url,
          timezone: 'Europe/Madrid',
          currency: 'EUR',
          poolSize: 1,
          billing: { minimumTurnover: 100, fixed: 5, rate: 0.02, cap: 20, taxRate: 0.21, trialDays: 30, groupBy: 'external_billing_id' },
        },
      },
    },
    {},
    'bench',
  );
  const captured: CompiledQuery[] = [];
  const replica = Replica.connect(config.instances.get('bench')!, undefined, (event) => {
    if (event.level === 'query') captured.push(event.query);
  });
  const deps: Deps = { config, replica: () => replica, now: () => new Date() };
  const bare = new pg.Client({ connectionString: url });
  await bare.connect();
  const first = await runBilling(deps, undefined, { instance: 'bench', asSent: false });
  // The billing statement itself (the first query is the one-off schema probe).
  const query = captured.find((q) => /spree_orders/.test(q.sql))!;
  const whole: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < runs; i++) {
    whole.push((await timed(async () => billingCsv(await runBilling(deps, undefined, { instance: 'bench', asSent: false }))))[0]);
    baseline.push((await timed(() => bare.query(query.sql, [...query.parameters])))[0]);
  }
  const counts = await bare.query("select count(*)::int as shops from enterprises where sells in ('own','any')");
  await bare.end();
  await replica.close();
  log(`  billing: bare ${fmt(median(baseline))} ms, whole ${fmt(median(whole))} ms`);
  return table(
    ['billing last month', 'billable shops', 'lines', 'bare SQL via pg, median ms', 'whole run (query + arithmetic + CSV), median ms'],
    [[`seed ${scale}`, counts.rows[0].shops, first.lines.length, fmt(median(baseline)), fmt(median(whole))]],
  );
}
