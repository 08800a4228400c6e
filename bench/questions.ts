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
 * The whole answer (parse, period, read-only transaction, query, render) against the same SQL run bare
 * through `pg` on an idle connection, interleaved so that both see the same cache state.
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
  const rows: (string | number)[][] = [];
  for (const question of QUESTIONS) {
    captured.length = 0;
    await ask(deps, question); // warm-up, and capture the SQL the pipeline sends
    const query = captured[0]!;
    const pipeline: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate which goes first so neither always follows the other's cache and GC state.
      const pipelineRun = async () => pipeline.push((await timed(async () => renderText(await ask(deps, question))))[0]);
      const bareRun = async () => baseline.push((await timed(() => bare.query(query.sql, [...query.parameters])))[0]);
      if (i % 2 === 0) {
        await pipelineRun();
        await bareRun();
      } else {
        await bareRun();
        await pipelineRun();
      }
    }
    const overhead = ((median(pipeline) - median(baseline)) / median(baseline)) * 100;
    rows.push([`\`${question}\``, fmt(median(baseline)), fmt(median(pipeline)), `${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)} %`]);
    log(`  ${question}: bare ${fmt(median(baseline))} ms, answer ${fmt(median(pipeline))} ms`);
  }
  await bare.end();
  await replica.close();
  return table(['question', 'bare SQL via pg, median ms', 'whole answer, median ms', 'pipeline overhead'], rows);
}
