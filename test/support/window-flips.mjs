#!/usr/bin/env node
/**
 * The half-open window [from, to) of the official definitions is written as Kysely operator strings
 * ('>=', '<'). Stryker only turns a string into "" (which does not type-check), so it never flips
 * `>=` to `>` or `<` to `<=`. This does, one occurrence at a time, in src/queries/definitions.ts, and
 * runs the definitions test against each flip: every flip must fail it.
 *
 *   node test/support/window-flips.mjs     (from the repository root; restores the file when done)
 *
 * Run it on a clean checkout: it edits src/queries/definitions.ts in place while it runs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const FILE = 'src/queries/definitions.ts';
const TEST = 'test/mutation-kills-definitions.test.ts';
const FLIPS = { "'>='": "'>'", "'<'": "'<='" };

const original = readFileSync(FILE, 'utf8');
const sites = [];
for (const [from, to] of Object.entries(FLIPS)) {
  for (let at = original.indexOf(from); at >= 0; at = original.indexOf(from, at + 1)) sites.push({ at, from, to });
}
sites.sort((a, b) => a.at - b.at);

let survived = 0;
try {
  for (const { at, from, to } of sites) {
    const line = original.slice(0, at).split('\n').length;
    writeFileSync(FILE, original.slice(0, at) + to + original.slice(at + from.length));
    const run = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.mutate.config.ts', TEST], { encoding: 'utf8' });
    const killed = run.status !== 0;
    if (!killed) survived++;
    console.log(`${FILE}:${line} ${from} -> ${to}: ${killed ? 'killed' : 'SURVIVED'}`);
  }
} finally {
  writeFileSync(FILE, original);
}
console.log(`${sites.length} flips, ${sites.length - survived} killed, ${survived} survived`);
process.exit(survived === 0 ? 0 : 1);
