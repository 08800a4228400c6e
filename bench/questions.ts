import pg from 'pg';
import type { CompiledQuery } from 'kysely';
import { ask } from '../src/commands/pipeline.js';
import type { Deps } from '../src/commands/types.js';
import { parseConfig } from '../src/installation.js';
import { renderText } from '../src/render/text.js';
import { Replica } from '../src/queries/replica.js';
import { fmt, median, table, timed } from './stats.js';

const QUESTIONS = ['turnover bench last-month', 'turnover bench last-12-months by month', 'top-shops bench last-month'];

/**
 * The index docs/benchmarks.md suggests an operator may add on the replica's primary: completion time
 * with the columns the sales-order queries read, so they can answer from the index alone. It is created
 * for the second half of the run and dropped afterwards; the first half runs on OFN's own indexes.
 */
const OPERATOR_INDEX = 'ofn_insights_bench_spree_orders_completed_at_covering';
const OPERATOR_INDEX_DDL = `CREATE INDEX ${OPERATOR_INDEX} ON spree_orders (completed_at) INCLUDE (state, total, distributor_id)`;

/** The indexes a plan reads spree_orders through ("Seq Scan" when none), from EXPLAIN's JSON. */
export function indexesOf(plan: unknown): string[] {
  const found: string[] = [];
  const walk = (node: Record<string, unknown>) => {
    if (node['Relation Name'] === 'spree_orders' && node['Node Type'] === 'Seq Scan') found.push('Seq Scan');
    if (typeof node['Index Name'] === 'string') found.push(`${node['Node Type']} on ${node['Index Name']}`);
    for (const child of (node['Plans'] as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk(plan as Record<string, unknown>);
  return [...new Set(found)];
}

/**
 * The whole answer (parse, period, read-only transaction, queries, render) against the same statements
 * run bare through `pg` on an idle connection, interleaved so that both see the same cache state. Twice: on
 * OFN's own indexes (what every replica has), then with the operator's index added.
 */
export async function benchQuestions(url: string, timezone: string, runs: number, log: (line: string) => void): Promise<string> {
  const config = parseConfig({ instances: { bench: { name: 'Bench', replica: url, timezone, currency: 'EUR', poolSize: 1 } } }, {}, 'bench');
  const captured: CompiledQuery[] = [];
  // The same pool and session settings as production (Replica.connect), with a log hook to capture the SQL.
  const replica = Replica.connect(config.instances.get('bench')!, undefined, (event) => {
    if (event.level === 'query' && /select/i.test(event.query.sql)) captured.push(event.query);
  });
  const deps: Deps = { config, replica: () => replica, now: () => new Date() };
  const bare = new pg.Client({ connectionString: url });
  await bare.connect();

  const measure = async (label: string) => {
    const rows: (string | number)[][] = [];
    for (const question of QUESTIONS) {
      captured.length = 0;
      await ask(deps, question); // warm-up, and capture the SQL the pipeline sends
      // Every statement of the answer (a breakdown also asks for its total), but not the replica
      // freshness check, which the pipeline makes once per 30 s, not per answer.
      const queries = captured.filter((q) => !/pg_last_xact_replay_timestamp/.test(q.sql));
      const plans = new Set<string>();
      for (const query of queries) {
        const explained = await bare.query(`EXPLAIN (FORMAT JSON) ${query.sql}`, [...query.parameters]);
        for (const scan of indexesOf((explained.rows[0]['QUERY PLAN'] as { Plan: unknown }[])[0]!.Plan)) plans.add(scan);
      }
      const plan = [...plans].join(', ');
      const pipeline: number[] = [];
      const baseline: number[] = [];
      for (let i = 0; i < runs; i++) {
        // Alternate which goes first so neither always follows the other's cache and GC state.
        const pipelineRun = async () => pipeline.push((await timed(async () => renderText(await ask(deps, question))))[0]);
        const bareRun = async () =>
          baseline.push(
            (
              await timed(async () => {
                for (const query of queries) await bare.query(query.sql, [...query.parameters]);
              })
            )[0],
          );
        if (i % 2 === 0) {
          await pipelineRun();
          await bareRun();
        } else {
          await bareRun();
          await pipelineRun();
        }
      }
      const overhead = ((median(pipeline) - median(baseline)) / median(baseline)) * 100;
      rows.push([`\`${question}\``, queries.length, fmt(median(baseline)), fmt(median(pipeline)), `${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)} %`, plan]);
      log(`  ${label}: ${question}: bare ${fmt(median(baseline))} ms, answer ${fmt(median(pipeline))} ms (${plan})`);
    }
    return table(['question', 'statements', 'bare SQL via pg, median ms', 'whole answer, median ms', 'pipeline overhead', 'spree_orders read through'], rows);
  };

  const out: string[] = [];
  try {
    await bare.query(`DROP INDEX IF EXISTS ${OPERATOR_INDEX}`); // left over from an interrupted run
    // A replica's spree_orders is vacuumed (all-visible pages); a freshly seeded one is not until this.
    await bare.query('VACUUM (ANALYZE) spree_orders');
    out.push("On OFN's own indexes (db/schema.rb):", '', await measure("OFN's indexes"));
    log(`  adding ${OPERATOR_INDEX_DDL}`);
    await bare.query(OPERATOR_INDEX_DDL);
    await bare.query('VACUUM (ANALYZE) spree_orders');
    out.push('', `With the operator's index \`${OPERATOR_INDEX_DDL.replace(OPERATOR_INDEX + ' ', '')}\`:`, '', await measure('operator index'));
  } finally {
    await bare.query(`DROP INDEX IF EXISTS ${OPERATOR_INDEX}`).catch(() => {});
    await bare.end();
    await replica.close();
  }
  return out.join('\n');
}
