import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ask } from '../src/commands/pipeline.js';
import { DEMO_SHARED_BUFFERS, startDemo } from '../src/demo.js';
import { renderText } from '../src/render/text.js';
import { fmt, median, percentile, table } from './stats.js';

/** The checkout measured: this one (compiled), or another built one (BENCH_STARTUP_REPO, e.g. the commit before). */
const REPO = process.env.BENCH_STARTUP_REPO ?? join(import.meta.dirname, import.meta.dirname.endsWith(join('dist', 'bench')) ? '../..' : '..');

interface Run {
  /** Until the line that says the prompt is ready (or the process's own marker), ms. */
  readyMs: number;
  /** Peak resident set of the process tree (/usr/bin/time -v: the largest process), MB. */
  peakMb: number;
  /** User + system CPU of the whole run (to exit), s: on a shared machine, what the wall time would be alone. */
  cpuS: number;
}

/**
 * Runs `command` under /usr/bin/time -v from REPO, feeds it `input` once `ready` shows on stdout,
 * and returns the time to that line and the peak memory GNU time reports.
 */
function measure(command: string[], ready: RegExp, env: NodeJS.ProcessEnv, input = 'quit\n'): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-v', ...command], { cwd: REPO, env: { ...process.env, LOG_LEVEL: 'silent', ...env } });
    let stdout = '';
    let stderr = '';
    let readyMs: number | undefined;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (readyMs === undefined && ready.test(stdout)) {
        readyMs = performance.now() - started;
        child.stdin.end(input);
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1]);
      const cpuS = Number(/User time \(seconds\): ([\d.]+)/.exec(stderr)?.[1]) + Number(/System time \(seconds\): ([\d.]+)/.exec(stderr)?.[1]);
      if (code !== 0 || readyMs === undefined || !kb) reject(new Error(`${command.join(' ')} exited ${code}\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`));
      else resolve({ readyMs, peakMb: kb / 1024, cpuS });
    });
  });
}

/** PGlite alone, with the demo's settings (shared_buffers, Liftoff only): started on a directory (new: initdb; existing: opened), then closed. */
function emptyPGlite(dir: string): string[] {
  const script = `
    import { PGlite } from '@electric-sql/pglite';
    const pglite = new PGlite(${JSON.stringify(dir)}, { startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=${DEMO_SHARED_BUFFERS}'] });
    await pglite.waitReady;
    console.log('ready');
    await pglite.close();`;
  // The demo's own settings: shared_buffers above, and WebAssembly compiled by Liftoff only (src/demo.ts).
  return [process.execPath, '--liftoff-only', '--input-type=module', '-e', script];
}

/** The shipped demo database unpacked into `dir` (as a first start does), then opened by PGlite alone and closed. */
function unpackedPGlite(dir: string): string[] {
  const demoModule = join(REPO, 'dist', 'src', 'demo.js');
  const script = `
    import { rmSync } from 'node:fs';
    import { PGlite } from '@electric-sql/pglite';
    import { DEMO_SCALE, demoFingerprint, shippedDemo, unpackShipped } from ${JSON.stringify(demoModule)};
    const archive = shippedDemo(demoFingerprint(DEMO_SCALE), DEMO_SCALE);
    if (!archive) throw new Error('no current shipped demo: npm run demo:pack');
    rmSync(${JSON.stringify(dir)}, { recursive: true, force: true });
    await unpackShipped(archive, ${JSON.stringify(dir)});
    const pglite = new PGlite(${JSON.stringify(dir)}, { startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=${DEMO_SHARED_BUFFERS}'] });
    await pglite.waitReady;
    console.log('ready');
    await pglite.close();`;
  // The demo's own settings: shared_buffers above, and WebAssembly compiled by Liftoff only (src/demo.ts).
  return [process.execPath, '--liftoff-only', '--input-type=module', '-e', script];
}

/** Questions the README shows, and a few more of each kind, answered by the demo in process. */
const ANSWERS = [
  'turnover katuma last-month',
  'top-shops 5 au last-month',
  'orders uk last-quarter by month',
  'turnover katuma last-12-months by month',
  'new shops uk last-12-months by month',
  'active-shops au this-year',
  'turnover all last-month',
  'billing katuma 2026-10',
];

/**
 * `npm start` to the prompt, as a new user meets it: the first start (an empty data directory: the
 * shipped database is unpacked) and later ones (reusing it), `runs` times each, beside PGlite alone on
 * the same directories (the floor of each) and PGlite's initdb (what a start without the shipped copy
 * pays before it seeds); then each demo answer.
 */
export async function benchStartup(runs: number, log: (line: string) => void): Promise<string> {
  const work = mkdtempSync(join(os.tmpdir(), 'bench-startup-'));
  const dataDir = join(work, 'data');
  const env = { OFN_INSIGHTS_DATA_DIR: dataDir };
  const npmStart = ['npm', 'start', '--silent'];
  const prompt = /^Demo instances: /m;
  const rows: (string | number)[][] = [];
  const load: number[] = [];
  const series = async (label: string, once: () => Promise<Run>) => {
    const samples: Run[] = [];
    for (let i = 0; i < runs; i++) {
      load.push(os.loadavg()[0]!);
      samples.push(await once());
      const last = samples.at(-1)!;
      log(`  ${label} #${i + 1}: ${(last.readyMs / 1000).toFixed(2)} s, ${last.cpuS.toFixed(2)} s CPU, ${last.peakMb.toFixed(0)} MB`);
    }
    const ms = samples.map((s) => s.readyMs);
    const mb = samples.map((s) => s.peakMb);
    const cpu = samples.map((s) => s.cpuS);
    rows.push([label, (median(ms) / 1000).toFixed(2), `${(Math.min(...ms) / 1000).toFixed(2)}–${(Math.max(...ms) / 1000).toFixed(2)}`, median(cpu).toFixed(2), median(mb).toFixed(0), Math.max(...mb).toFixed(0)]);
  };
  try {
    const empty = join(work, 'empty');
    await series('PGlite alone, new directory (initdb: what a first start without the shipped database pays before seeding)', () => {
      rmSync(empty, { recursive: true, force: true });
      return measure(emptyPGlite(empty), /^ready$/m, {});
    });
    await series('PGlite alone, existing directory (the floor of a later start)', () => measure(emptyPGlite(empty), /^ready$/m, {}));
    await series('the shipped database unpacked, then opened by PGlite alone (the floor of a first start)', () => measure(unpackedPGlite(join(work, 'unpacked')), /^ready$/m, {}));
    await series('`npm start`, first (empty data directory: unpacks the shipped database)', () => {
      rmSync(dataDir, { recursive: true, force: true });
      return measure(npmStart, prompt, env);
    });
    await series('`npm start`, later (reuses ./data/demo)', () => measure(npmStart, prompt, env));

    let answers = '';
    if (existsSync(join(REPO, 'dist', 'src', 'demo.js')) && !process.env.BENCH_STARTUP_REPO) {
      const demo = await startDemo({ dataDir });
      try {
        const answerRows: (string | number)[][] = [];
        for (const question of ANSWERS) {
          const samples: number[] = [];
          for (let i = 0; i < 25; i++) {
            const started = performance.now();
            renderText(await ask(demo.deps, question, demo.state));
            if (i >= 5) samples.push(performance.now() - started); // the first five warm the caches
          }
          answerRows.push([`\`${question}\``, fmt(median(samples)), fmt(percentile(samples, 95))]);
        }
        answers = `\n\nEach demo answer in process (ask + text), 20 runs after 5 warm-up runs:\n\n${table(['question', 'median ms', 'p95 ms'], answerRows)}`;
      } finally {
        await demo.close();
      }
    }
    const loads = `load average (1 min) during the runs: median ${median(load).toFixed(1)}, ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)} on ${os.cpus().length} cores`;
    return [
      `Checkout: ${REPO}; ${runs} runs each, one after the other; ${loads}.`,
      'Time = from spawning the command to the line that says the prompt is ready (`Demo instances: …`); CPU = user + system time of the whole run, to its exit (`quit` is typed at the prompt); peak = /usr/bin/time -v maximum resident set size.',
      '',
      table(['start', 'to the prompt, median s', 'range s', 'CPU median s', 'peak MB (median)', 'peak MB (max)'], rows),
    ].join('\n') + answers;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
