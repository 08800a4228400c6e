#!/usr/bin/env node
/**
 * `npm run test:repeat [-- N]`: the whole suite N times in a row (default 20) on this machine, to show
 * it has no clock or order flakes (issue 19). Run 2 lists the test files in reverse order
 * (OFN_TEST_ORDER=reverse) and run 3 starts at 00:02 on the 1st of the month in Madrid
 * (test/support/fake-clock.mjs); the others run as `npm test` does (all of them with OFN_REPEAT_PLAIN=1). Both compile steps run once, first,
 * exactly as `npm test` runs them.
 *
 * Each run's output goes to <dir>/run-<i>.log and a line per run to <dir>/runs.jsonl (commit, variant,
 * start, seconds, load average, files and tests passed/failed); the last line says how many passed in
 * a row. Exit code 1 when any run failed. <dir> is $OFN_REPEAT_DIR or a new temporary directory.
 */
import { spawn, execFileSync } from 'node:child_process';
import { appendFileSync, createWriteStream, mkdtempSync, mkdirSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';

const runs = Number(process.argv[2] ?? 20);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`usage: npm run test:repeat -- <runs> (a whole number; got ${process.argv[2]})`);
  process.exit(2);
}
const repo = resolve(import.meta.dirname, '../..');
const dir = process.env.OFN_REPEAT_DIR ?? mkdtempSync(join(tmpdir(), 'ofn-repeat-'));
mkdirSync(dir, { recursive: true });
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repo, encoding: 'utf8' }).trim() !== '';

// OFN_REPEAT_PLAIN=1: every run as `npm test` runs (to count plain runs in a row).
const variantOf = (i) => (process.env.OFN_REPEAT_PLAIN === '1' ? 'plain' : i === 2 ? 'reverse' : i === 3 ? 'madrid-month-start' : 'plain');
const envOf = (variant) =>
  variant === 'reverse'
    ? { OFN_TEST_ORDER: 'reverse' }
    : variant === 'madrid-month-start'
      ? { OFN_TEST_CLOCK: 'madrid-month-start', NODE_OPTIONS: `--import=${join(repo, 'test/support/fake-clock.mjs')}` }
      : {};

function run(command, args, env, logFile) {
  return new Promise((done) => {
    const log = createWriteStream(logFile);
    const child = spawn(command, args, { cwd: repo, env: { ...process.env, CI: 'true', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (d) => {
        log.write(d);
        out += d;
        if (out.length > 200_000) out = out.slice(-100_000);
      });
    }
    child.on('close', (code) => log.end(() => done({ code, out })));
  });
}

// Both compile steps, as `npm test` runs them (type errors in src, bench or test fail every run).
const compiled = await run('sh', ['-c', 'npx tsc -p tsconfig.json && npx tsc -p tsconfig.test.json'], {}, join(dir, 'compile.log'));
if (compiled.code !== 0) {
  console.error(`the compile failed: ${join(dir, 'compile.log')}`);
  process.exit(1);
}

console.log(`${runs} runs of the whole suite at ${commit}${dirty ? ' (with uncommitted changes)' : ''} on ${cpus().length} cores; logs in ${dir}`);
let streak = 0;
let best = 0;
let failed = 0;
for (let i = 1; i <= runs; i++) {
  const variant = variantOf(i);
  const started = new Date();
  const load = loadavg()[0];
  const { code, out } = await run('npx', ['vitest', 'run'], envOf(variant), join(dir, `run-${i}.log`));
  const seconds = (Date.now() - started.getTime()) / 1000;
  // vitest's summary: "Test Files  45 passed (45)", "Tests  446 passed (446)" (colours stripped).
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const files = /Test Files\s+(.*)\n/.exec(plain)?.[1]?.trim() ?? '?';
  const tests = /Tests\s+(.*)\n/.exec(plain)?.[1]?.trim() ?? '?';
  const failures = [...plain.matchAll(/FAIL\s+(\S+\.test\.ts.*)/g)].map((m) => m[1].trim()).slice(0, 10);
  const ok = code === 0;
  streak = ok ? streak + 1 : 0;
  best = Math.max(best, streak);
  if (!ok) failed++;
  const row = { run: i, commit, dirty, variant, started: started.toISOString(), seconds: Math.round(seconds), load1: Number(load.toFixed(1)), ok, files, tests, ...(ok ? {} : { failures }) };
  appendFileSync(join(dir, 'runs.jsonl'), `${JSON.stringify(row)}\n`);
  console.log(`run ${i}/${runs} ${variant}: ${ok ? 'passed' : 'FAILED'} in ${Math.round(seconds)} s (load ${load.toFixed(1)}) · files ${files} · tests ${tests}${ok ? '' : `\n  ${failures.join('\n  ')}`}`);
}
console.log(`${runs - failed} of ${runs} runs passed; longest streak ${best} in a row.`);
process.exit(failed ? 1 : 0);
