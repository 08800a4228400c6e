/**
 * The layers of architecture.md, checked on the code: every import in src/ (type-only ones
 * included: they tie modules together just the same for a reader) is walked; a forbidden edge or an
 * import circle fails the test with the files that make it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../src');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** file (relative to src, e.g. `jobs/outbox.ts`) → the src files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of filesUnder(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => relative(SRC, resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts'))));
    graph.set(relative(SRC, file), [...new Set(targets)]);
  }
  return graph;
}

/** The layer of a file: its folder, or the file itself at the top of src/. */
const layerOf = (file: string) => (file.includes('/') ? file.split('/')[0]! : file.replace(/\.ts$/, ''));

/** What each layer may import (besides itself), from architecture.md. */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  db: [],
  config: ['core'],
  queries: ['core', 'db'],
  state: ['core', 'db'],
  render: ['core'],
  installation: ['core', 'config', 'queries'],
  commands: ['core', 'config', 'queries', 'state', 'installation'],
  jobs: ['core', 'config', 'queries', 'state', 'installation', 'commands', 'render'],
  seed: ['core', 'config', 'queries', 'db'],
  api: ['core', 'config', 'queries', 'state', 'installation', 'commands', 'render', 'jobs'],
  slack: ['core', 'config', 'queries', 'state', 'installation', 'commands', 'render', 'jobs', 'api'],
  demo: ['core', 'config', 'queries', 'state', 'installation', 'commands', 'db', 'seed'],
  // `npm run demo:pack`: the demo, seeded and stored as the shipped database.
  'demo-pack': ['demo'],
  cli: ['core', 'config', 'queries', 'state', 'installation', 'commands', 'render', 'demo', 'slack', 'seed', 'api'],
};

describe('the structure of src/ (architecture.md)', () => {
  const graph = importGraph();

  it('reads every file and import', () => {
    expect(graph.size).toBeGreaterThan(60);
    expect(graph.get('jobs/outbox.ts')).toContain('state/deliveries.ts');
  });

  it('has no import from a layer to one it may not use', () => {
    const forbidden: string[] = [];
    for (const [file, targets] of graph) {
      const from = layerOf(file);
      const allowed = ALLOWED[from];
      if (!allowed) {
        forbidden.push(`${file}: layer ${from} is not in architecture.md`);
        continue;
      }
      for (const target of targets) {
        const to = layerOf(target);
        if (to !== from && !allowed.includes(to)) forbidden.push(`${file} -> ${target}`);
      }
    }
    expect(forbidden).toEqual([]);
  });

  it('keeps Slack out of jobs, render, commands, queries and the API, and render pure', () => {
    const edges = [...graph].flatMap(([file, targets]) => targets.map((t) => [file, t] as const));
    expect(edges.filter(([f, t]) => ['jobs', 'render', 'commands', 'queries', 'api'].includes(layerOf(f)) && layerOf(t) === 'slack')).toEqual([]);
    expect(edges.filter(([f, t]) => layerOf(f) === 'render' && ['commands', 'queries', 'state'].includes(layerOf(t)))).toEqual([]);
  });

  it('has no import circle anywhere in src/', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open') circles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
        else if (!state.has(next) && graph.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(circles).toEqual([]);
  });
});
