import { createCanvas } from '@napi-rs/canvas';
import pg from 'pg';
import type { CompiledQuery } from 'kysely';
import { ask } from '../src/commands/pipeline.js';
import type { Deps } from '../src/commands/types.js';
import type { Outcome } from '../src/core/outcome.js';
import { parseConfig } from '../src/installation.js';
import { chartSpecOf } from '../src/render/answer-chart.js';
import { renderChart } from '../src/render/chart.js';
import { renderText } from '../src/render/text.js';
import { Replica } from '../src/queries/replica.js';
import { indexesOf } from './questions.js';
import { fmt, median, table, timed } from './stats.js';

/**
 * Three instances on the one seeded database, in three zones and currencies, so that `report all`
 * fans out over several replicas and converts money. They share the database (and the machine's two
 * cores): unlike real replicas on their own servers, their queries compete with each other.
 */
const INSTANCES = {
  bench: { name: 'Bench', timezone: 'Europe/Madrid', currency: 'EUR' },
  bench_au: { name: 'Bench AU', timezone: 'Australia/Melbourne', currency: 'AUD' },
  bench_uk: { name: 'Bench UK', timezone: 'Europe/London', currency: 'GBP' },
} as const;

/** Last year: a whole calendar year that every seed of three years to now covers, with the year before. */
const YEAR = new Date().getUTCFullYear() - 1;

const QUESTIONS = [
  'growth bench',
  'funnel bench last-12-months',
  'retention bench',
  'buyers bench last-12-months',
  `report bench ${YEAR}`,
  `report all ${YEAR}`,
  'map shops bench',
];

/** The replica-freshness check is made once per 30 s, not per answer: not part of an answer's SQL. */
const isAnswerSql = (q: CompiledQuery) => /select/i.test(q.sql) && !/pg_last_xact_replay_timestamp/.test(q.sql);

/** The map's statement (the report reads it beside the year's snapshot). */
const isMapSql = (q: CompiledQuery) => /spree_addresses/.test(q.sql);

/** The milliseconds covered by a set of [start, end] intervals (statements that overlapped count once). */
function unionMs(intervals: readonly [number, number][]): number {
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of [...intervals].sort((x, y) => x[0] - y[0])) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/**
 * `npm run bench -- growth`: each growth-story question's whole answer (parse, periods, the read-only
 * transaction and its statements, the text) against the same statements sent bare through `pg`,
 * interleaved; the PNG drawn from the answer, apart (a report is one page; a map draws country outlines).
 * The bare statements go as the answer sends them (see `groups`): the baseline is what the SQL alone
 * costs in the answer's own shape, not one statement after another.
 */
export async function benchGrowth(url: string, runs: number, log: (line: string) => void): Promise<string> {
  const config = parseConfig(
    {
      reportingCurrency: 'EUR',
      exchangeRates: { AUD: 0.6, GBP: 1.17 },
      instances: Object.fromEntries(Object.entries(INSTANCES).map(([id, i]) => [id, { ...i, replica: url }])),
    },
    {},
    'bench',
  );
  const captured = new Map<string, CompiledQuery[]>(Object.keys(INSTANCES).map((id) => [id, []]));
  // When each statement of an answer ran (from Kysely's log: it ends when logged, after its own duration),
  // so that the answer's time outside its statements can be told from PostgreSQL's own run-to-run spread.
  const spans: [number, number][] = [];
  const replicas = new Map(
    [...config.instances.values()].map((i) => [
      i.id,
      Replica.connect(i, undefined, (event) => {
        if (event.level !== 'query') return;
        captured.get(i.id)!.push(event.query);
        if (isAnswerSql(event.query)) spans.push([performance.now() - event.queryDurationMillis, performance.now()]);
      }),
    ]),
  );
  const deps: Deps = { config, replica: (id) => replicas.get(id)!, now: () => new Date() };
  // As many bare connections per instance as its pool has (4), for statements the answer sends at once.
  const bare = new Map<string, pg.Client[]>();
  for (const id of Object.keys(INSTANCES)) {
    const clients: pg.Client[] = [];
    for (let i = 0; i < config.instances.get(id)!.poolSize; i++) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      clients.push(client);
    }
    bare.set(id, clients);
  }
  const main = bare.get('bench')![0]!;

  const answerRows: (string | number)[][] = [];
  const drawRows: (string | number)[][] = [];
  try {
    // A replica's spree_orders is vacuumed (all-visible pages); a freshly seeded one is not until this.
    await main.query('VACUUM (ANALYZE) spree_orders');
    await main.query('VACUUM (ANALYZE) enterprises');
    for (const question of QUESTIONS) {
      for (const list of captured.values()) list.length = 0;
      const first = await ask(deps, question); // warm-up, and capture the SQL the answer sends
      if (first.kind === 'notice' || first.kind === 'help') throw new Error(`${question}: ${renderText(first)}`);
      const statements = new Map([...captured].map(([id, list]) => [id, list.filter(isAnswerSql)] as const).filter(([, list]) => list.length > 0));
      const count = [...statements.values()].reduce((n, list) => n + list.length, 0);
      const plans = new Set<string>();
      for (const [id, list] of statements) {
        for (const query of list) {
          const explained = await bare.get(id)![0]!.query(`EXPLAIN (FORMAT JSON) ${query.sql}`, [...query.parameters]);
          for (const scan of indexesOf((explained.rows[0]['QUERY PLAN'] as { Plan: unknown }[])[0]!.Plan)) plans.add(scan);
        }
      }
      const answer: number[] = [];
      const baseline: number[] = [];
      /** Per answer: its time outside the wall-clock time its statements covered (their union; several run at once). */
      const outside: number[] = [];
      const sqlWall: number[] = [];
      let last: Outcome = first;
      const answerRun = async () => {
        spans.length = 0;
        const ms = (
          await timed(async () => {
            last = await ask(deps, question);
            return renderText(last);
          })
        )[0];
        answer.push(ms);
        const covered = unionMs(spans);
        sqlWall.push(covered);
        outside.push(ms - covered);
      };
      // The bare statements sent as the answer sends them: a report's year in one snapshot (one
      // connection, one after the other) beside its map; the other questions' statements all at once,
      // each on its own connection of the pool; instances at the same time.
      const groups = [...statements].flatMap(([id, list]) => {
        const clients = bare.get(id)!;
        const parts = question.startsWith('report') ? [list.filter((q) => !isMapSql(q)), list.filter(isMapSql)] : list.map((q) => [q]);
        return parts.filter((part) => part.length > 0).map((part, i) => ({ client: clients[i % clients.length]!, part }));
      });
      const bareRun = async () =>
        baseline.push(
          (
            await timed(() =>
              Promise.all(
                groups.map(async ({ client, part }) => {
                  for (const query of part) await client.query(query.sql, [...query.parameters]);
                }),
              ),
            )
          )[0],
        );
      for (let i = 0; i < runs; i++) {
        // Alternate which goes first so neither always follows the other's cache and GC state.
        if (i % 2 === 0) {
          await answerRun();
          await bareRun();
        } else {
          await bareRun();
          await answerRun();
        }
      }
      const overhead = ((median(answer) - median(baseline)) / median(baseline)) * 100;
      // Each pair ran back to back: the median of the pairs' differences is less swayed than the
      // difference of two medians by a slow minute of the box (PostgreSQL's parallel workers, autovacuum).
      const paired = (median(answer.map((a, i) => a - baseline[i]!)) / median(baseline)) * 100;
      const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} %`;
      const own = (median(outside) / median(sqlWall)) * 100;
      answerRows.push([`\`${question}\``, count, fmt(median(baseline)), fmt(median(answer)), fmt(Math.max(...answer)), pct(overhead), pct(paired), `${fmt(median(outside))} ms, ${pct(own)}`, [...plans].join(', ')]);
      log(`  ${question}: bare ${fmt(median(baseline))} ms, answer ${fmt(median(answer))} ms, paired ${pct(paired)}, outside its statements ${fmt(median(outside))} ms (${pct(own)} of their ${fmt(median(sqlWall))} ms) (${[...plans].join(', ')})`);

      // The PNG, from the last answer: drawn apart from the answer (Slack uploads it after the text).
      const spec = chartSpecOf(last, config);
      if (spec) {
        await renderChart(spec);
        const draws: number[] = [];
        let png: Buffer = Buffer.alloc(0);
        for (let i = 0; i < runs; i++) {
          const [ms, bytes] = await timed(() => renderChart(spec));
          draws.push(ms);
          png = bytes;
        }
        // The floor: a blank canvas of the same pixels (from the PNG's header) encoded to PNG.
        const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
        const blank: number[] = [];
        for (let i = 0; i < runs; i++) {
          const canvas = createCanvas(width, height);
          const ctx = canvas.getContext('2d');
          ctx.fillStyle = '#fff';
          ctx.fillRect(0, 0, width, height);
          blank.push((await timed(() => canvas.encode('png')))[0]);
        }
        const points = last.kind === 'story' && last.story === 'map' ? last.map.instances.reduce((n, i) => n + i.points.length, 0) : undefined;
        drawRows.push([`\`${question}\``, points === undefined ? '' : points, `${width}×${height}, ${Math.round(png.length / 1024)} KB`, fmt(median(blank)), fmt(median(draws)), fmt(Math.max(...draws))]);
        log(`    PNG: ${fmt(median(draws))} ms`);
      }
    }
  } finally {
    for (const clients of bare.values()) for (const client of clients) await client.end();
    for (const replica of replicas.values()) await replica.close();
  }
  return [
    `${runs} runs of each, interleaved (answer and bare SQL alternating which goes first). Bare SQL = the statements the answer sent, through plain \`pg\` clients, sent as the answer sends them: at once on separate connections (growth: four statements), a report's year one after the other in one connection beside its map, \`all\`'s instances at the same time. Three instances on the one seeded database (Europe/Madrid EUR, Australia/Melbourne AUD, Europe/London GBP; rates 0.6 and 1.17 to EUR). The year is ${YEAR}.`,
    '',
    table(['question', 'statements', 'bare SQL via pg, median ms', 'whole answer (text), median ms', 'answer, max ms', 'pipeline overhead (medians)', 'pipeline overhead (median of paired differences)', 'answer outside its own statements (median; % of their time)', 'spree_orders read through'], answerRows),
    '',
    table(['PNG drawn from the answer', 'map points', 'PNG pixels, size', 'blank canvas of its size → PNG, median ms', 'draw + encode median ms', 'draw + encode max ms'], drawRows),
  ].join('\n');
}
