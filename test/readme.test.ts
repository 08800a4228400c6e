import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRoute } from '../src/commands/index.js';
import { parseConfig } from '../src/installation.js';

/**
 * The README, run: every command it writes and every answer it shows, against the demo as a new user
 * gets it (the built CLI, run from a directory of their own with nothing configured, the demo in
 * ./data/demo). A README that drifts from what the code does fails here.
 */
const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
const SCRIPTS = PACKAGE.scripts;

/** The user's working directory: charts and CSVs land here, the demo in ./data/demo. */
const home = mkdtempSync(join(tmpdir(), 'readme-'));
/** Nothing of ours from the test environment: no config, no state database, the demo's own scale and place. */
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries({ ...process.env, LOG_LEVEL: 'silent' }).filter(([k]) => !/^(OFN_INSIGHTS_|STATE_DATABASE_URL|SLACK_)/.test(k)),
);

interface Block {
  lang: string;
  lines: string[];
}

/** Fenced blocks (also indented ones, inside lists), with the fence's indentation removed. */
function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let open: { indent: number; block: Block } | undefined;
  for (const line of markdown.split('\n')) {
    const fence = /^(\s*)```(\S*)\s*$/.exec(line);
    if (fence && !open) open = { indent: fence[1]!.length, block: { lang: fence[2]!, lines: [] } };
    else if (fence && open) {
      blocks.push(open.block);
      open = undefined;
    } else if (open) open.block.lines.push(line.slice(open.indent));
  }
  return blocks;
}

/** Inline code spans of the prose (outside fences), a span broken over two lines joined by a space. */
function inlineCode(markdown: string): string[] {
  const prose = markdown.replace(/^\s*```[\s\S]*?^\s*```\s*$/gm, '');
  return [...prose.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\s*\n\s*/g, ' '));
}

/** Words of a shell command line: quotes group, nothing else is interpreted. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** `a|b|c` in a word means one command each; the first word with alternatives is expanded. */
function expandAlternatives(words: string[]): string[][] {
  const at = words.findIndex((w) => /^[a-z-]+(\|[a-z-]+)+$/.test(w));
  if (at < 0) return [words];
  return words[at]!.split('|').flatMap((choice) => expandAlternatives([...words.slice(0, at), choice, ...words.slice(at + 1)]));
}

/** Placeholders (`[YYYY-MM]`, `<id>`, `…`) make a synopsis, not a command to run. */
const isSynopsis = (text: string) => /[[<…]/.test(text);

/** Runs the built CLI as the README's `ofn-insights` (or `npx ofn-insights`): stdout and stderr in one stream, as a terminal shows them. */
function runCli(args: string[], input = ''): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', 'exec "$0" "$@" 2>&1', process.execPath, CLI, ...args], { cwd: home, env });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output: output.replace(/\r\n/g, '\n') }));
    child.stdin.end(input);
  });
}

/** The README's command line as CLI arguments: `npx ofn-insights ask …` → `ask …`; undefined when it is not our CLI. */
function cliArgs(line: string): string[] | undefined {
  const words = shellWords(line.replace(/\s+#\s.*$/, ''));
  if (words[0] === 'npx') words.shift();
  return words[0] === 'ofn-insights' ? words.slice(1) : undefined;
}

const trimEnd = (lines: string[]) => {
  const copy = [...lines];
  while (copy.length && copy.at(-1)!.trim() === '') copy.pop();
  return copy.map((l) => l.replace(/\s+$/, ''));
};

const blocks = fencedBlocks(README);
const commandLines = blocks.filter((b) => b.lang === 'sh').flatMap((b) => b.lines).map((l) => l.trim()).filter((l) => cliArgs(l) !== undefined);

beforeAll(async () => {
  // A new user's first `npm start` (the script's own command), which unpacks the shipped demo into ./data/demo.
  expect(SCRIPTS.start).toBe('node dist/src/cli.js start');
  const first = await runCli(['start'], 'quit\n');
  expect(first.code).toBe(0);
  expect(first.output).toContain('Unpacking three demo OFN instances into data/demo (first start');
}, 900_000);

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('the README, run against the demo', () => {
  it('shows at the prompt exactly what the demo answers, and writes the files it names', async () => {
    const transcripts = blocks.filter((b) => b.lang === '' && b.lines.some((l) => l.startsWith('ofn> ')));
    expect(transcripts.length).toBeGreaterThan(0);
    const expected = new Map<string, string[]>();
    for (const block of transcripts) {
      let question: string | undefined;
      for (const line of block.lines) {
        if (line.startsWith('ofn> ')) expected.set((question = line.slice(5)), []);
        else if (question) expected.get(question)!.push(line);
      }
    }
    const questions = [...expected.keys()];
    const session = await runCli(['start'], `${questions.join('\n')}\n`);
    expect(session.code).toBe(0);
    const answers = session.output.slice(session.output.indexOf('ofn> ')).split(/^ofn> /m).slice(1);
    expect(answers.map((a) => a.split('\n')[0])).toEqual(questions);
    for (const [i, question] of questions.entries()) {
      expect(trimEnd(answers[i]!.split('\n').slice(1)), question).toEqual(trimEnd(expected.get(question)!));
    }
    // The files the transcript says it wrote are there: a PNG, and the CSV `--format csv` prints.
    for (const [question, lines] of expected) {
      for (const line of lines) {
        const file = /^(?:Chart|CSV): \.\/(.+)$/.exec(line)?.[1];
        if (!file) continue;
        expect(existsSync(join(home, file)), `${question} → ${file}`).toBe(true);
        if (file.endsWith('.png')) expect(readFileSync(join(home, file)).subarray(1, 4).toString()).toBe('PNG');
        if (file.endsWith('.csv')) {
          const printed = await runCli(['ask', '--format', 'csv', question.replace(/\s*\bcsv\b/, '')]);
          expect(printed.output.split('\n').slice(1).join('\n').trim()).toBe(readFileSync(join(home, file), 'utf8').replace(/\r\n/g, '\n').trim());
        }
      }
    }
  }, 300_000);

  it('prints exactly what its console samples show', async () => {
    const consoles = blocks.filter((b) => b.lang === 'console');
    expect(consoles.length).toBeGreaterThan(0);
    for (const block of consoles) {
      const runs: { command: string; expected: string[] }[] = [];
      for (const line of block.lines) {
        if (line.startsWith('$ ')) runs.push({ command: line.slice(2), expected: [] });
        else runs.at(-1)?.expected.push(line);
      }
      for (const { command, expected } of runs) {
        const args = cliArgs(command);
        expect(args, command).toBeDefined();
        const result = await runCli(args!);
        expect(result.code, command).toBe(0);
        expect(trimEnd(result.output.split('\n')), command).toEqual(trimEnd(expected));
      }
    }
  }, 300_000);

  it('runs every `ofn-insights ask` and `help` it writes, in code and in prose, with exit code 0', async () => {
    const inline = inlineCode(README).filter((code) => cliArgs(code) !== undefined && !isSynopsis(code));
    const commands = [...commandLines, ...inline].flatMap((line) => expandAlternatives(cliArgs(line)!));
    // Each distinct command once (the quick start and "Pointing it at real replicas" share one).
    const runnable = [...new Map(commands.filter((args) => args[0] === 'ask' || args[0] === 'help').map((args) => [JSON.stringify(args), args])).values()];
    // The README's own examples of asking, from the quick start and from "Pointing it at real replicas" (here: the demo).
    expect(runnable.length).toBeGreaterThanOrEqual(8);
    for (const args of runnable) {
      const result = await runCli(args);
      expect(result.code, `ofn-insights ${args.join(' ')}\n${result.output}`).toBe(0);
      if (args[0] === 'ask') expect(result.output, args.join(' ')).not.toMatch(/I don't|not a period|Something went wrong/);
      const out = args.indexOf('--out');
      if (out >= 0) expect(result.output).toMatch(new RegExp(`^Chart: \\./${args[out + 1]}/.+\\.png$`, 'm'));
    }
  }, 600_000);

  it('names only commands the CLI has, and npm scripts package.json has', async () => {
    // `npx ofn-insights` runs the package's own bin: the built CLI, executable by its shebang.
    expect(PACKAGE.bin).toEqual({ 'ofn-insights': 'dist/src/cli.js' });
    expect(readFileSync(join(ROOT, PACKAGE.bin['ofn-insights']!), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const help = await runCli(['help']);
    const inline = inlineCode(README).filter((code) => cliArgs(code) !== undefined);
    // The first word after `ofn-insights`, where there is one (not the bare name, not `…`).
    const commands = [...commandLines, ...inline].map((line) => cliArgs(line)![0]).filter((command): command is string => command !== undefined && /^[a-z]+$/.test(command));
    expect(new Set(commands)).toEqual(new Set(['ask', 'help', 'seed', 'serve', 'api']));
    for (const command of commands) expect(help.output, command).toContain(`ofn-insights ${command} `);
    const npm = [...blocks.filter((b) => b.lang === 'sh').flatMap((b) => b.lines), ...inlineCode(README)].flatMap((l) => [...l.matchAll(/\bnpm (?:run ([a-z:-]+)|(start|test))\b/g)]);
    expect(npm.length).toBeGreaterThan(3);
    for (const m of npm) expect(SCRIPTS, m[0]).toHaveProperty(m[1] ?? m[2]!);
  }, 120_000);

  it('writes only Slack commands that parse, with the demo’s instances', () => {
    const config = parseConfig(
      { instances: Object.fromEntries(['katuma', 'au', 'uk'].map((id) => [id, { name: id, replica: 'postgres://x@y/z', timezone: 'Europe/Madrid', currency: 'EUR' }])) },
      {},
      'readme test',
    );
    const context = { instanceIds: [...config.instances.keys()], segmentNames: [...config.registry.segments.keys()], registry: config.registry };
    const slack = [...blocks.flatMap((b) => b.lines), ...inlineCode(README)]
      .flatMap((line) => line.replace(/\s+#\s.*$/, '').split(' · '))
      .map((text) => text.trim())
      .filter((text) => text.startsWith('/ofn ') && !isSynopsis(text));
    expect(slack.length).toBeGreaterThanOrEqual(8);
    for (const text of slack) {
      // Slack turns `#ops` into a channel mention before the command reaches us.
      const words = shellWords(text.slice(5)).map((w) => w.replace(/^#([a-z-]+)$/, (_, name: string) => `<#C0${name.toUpperCase().replace(/-/g, '')}|${name}>`));
      for (const variant of expandAlternatives(words)) {
        const question = variant.map((w) => (/\s/.test(w) ? `"${w}"` : w)).join(' ');
        expect(() => parseRoute(question, context), text).not.toThrow();
      }
    }
  });

  it('answers every question its table lists, and the examples around it, without an error', async () => {
    const section = README.slice(README.indexOf('## Questions'), README.indexOf('\n## ', README.indexOf('## Questions') + 1));
    const names = [...section.matchAll(/^\| `([^`]+)`(?:, `([^`]+)`)*(?:, `([^`]+)`)* \|/gm)].flatMap((m) => [...m[0].matchAll(/`([a-z-]+)/g)].map((n) => n[1]!));
    expect(names).toEqual(expect.arrayContaining(['turnover', 'orders', 'top-shops', 'new-profiles', 'active-shops', 'hubs']));
    const examples = inlineCode(section).filter((code) => /^[a-z-]+( |$)/.test(code) && !isSynopsis(code) && !/^(help|quit)$/.test(code) && /katuma|au|uk/.test(code));
    const questions = [...names.map((name) => `${name} katuma last-month`), ...examples, 'help', 'help turnover'];
    const session = await runCli(['start'], `${questions.join('\n')}\n`);
    const answers = session.output.slice(session.output.indexOf('ofn> ')).split(/^ofn> /m).slice(1);
    expect(answers).toHaveLength(questions.length);
    for (const answer of answers) expect(answer).not.toMatch(/I don't|not a period|Something went wrong|Did you mean/);
  }, 300_000);
});
