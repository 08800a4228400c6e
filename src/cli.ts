#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { findConfigFile } from './config/config.js';
import { loadConfig, type Config } from './installation.js';
import { ask } from './commands/pipeline.js';
import type { Outcome } from './core/outcome.js';
import type { Deps } from './commands/types.js';
import type { Requester } from './core/access.js';
import { errorWords, isUserError, OfnError } from './core/errors.js';
import { didYouMean } from './core/suggest.js';
import { isLanguage, LANGUAGES, type Language } from './core/i18n.js';
import { chartFilename, csvFile, localizeCsvHeaders, renderCsv } from './render/csv.js';
import { errorToJson, renderJson } from './render/json.js';
import { renderText } from './render/text.js';
import { ReplicaSet } from './queries/replica-set.js';
import type { StateDb } from './state/store.js';
import { DEMO_NOW, DEMO_SCALE, startDemo, type Demo } from './demo.js';

type Format = 'text' | 'json' | 'csv';

const USAGE = `ofn-insights: Open Food Network business questions, from read-only replicas

Usage:
  ofn-insights ask [--demo | --config FILE] [--format text|json|csv] [--lang en|es|ca|fr|de] [--headers localized] [--out DIR] "<question>"
                                          one answer; from the embedded demo with --demo or when there is no config;
                                          --lang: the language of the answer (default: the instance's)
                                          --headers localized: CSV headers in that language (default: machine names)
  ofn-insights demo [--fresh] [--lang xx] [--out DIR] interactive prompt on embedded demo data (no server needed)
  ofn-insights start [--fresh] [--lang xx] [--out DIR] the demo when no config exists; with a config, serve when SLACK_BOT_TOKEN is set, else a prompt
  ofn-insights serve [--config FILE]      the Slack app (env: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN, PORT, SLACK_API_URL)
  ofn-insights api [--config FILE]        the HTTP API alone, no Slack (/api/v1/, docs/api.md; env: PORT, STATE_DATABASE_URL)
  ofn-insights seed --url URL [--scale tiny|small|medium|large] [--timezone ZONE] [--currency EUR] [--seed N]
  ofn-insights help                       this text; \`ofn-insights ask help\` lists the questions

Add \`chart\` to a question for a PNG, \`csv\` for a CSV file: both are written to --out DIR (default: here).
The demo keeps its database in $OFN_INSIGHTS_DATA_DIR/demo (default ./data/demo), seeded on its first
start; --fresh seeds it again.
Config: --config FILE, else $OFN_INSIGHTS_CONFIG, else ./ofn-insights.yml.`;

interface Options {
  positional: string[];
  flags: Map<string, string>;
}

const VALUE_FLAGS = ['config', 'format', 'lang', 'headers', 'url', 'scale', 'timezone', 'currency', 'seed', 'until', 'prefix', 'out'] as const;
const BOOLEAN_FLAGS = ['help', 'demo', 'fresh'] as const;

/** node:util parseArgs: `--name value` or `--name=value`; an unknown option is a usage error. */
function parseArgv(argv: string[]): Options {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...Object.fromEntries(VALUE_FLAGS.map((name) => [name, { type: 'string' as const }])),
        ...Object.fromEntries(BOOLEAN_FLAGS.map((name) => [name, { type: 'boolean' as const }])),
      },
    });
    const flags = new Map(Object.entries(values).map(([k, v]) => [k, String(v)]));
    return { positional: positionals, flags };
  } catch (error) {
    throw new OfnError('BadArguments', (error as Error).message.replace(/\. To specify a positional argument.*$/s, '.'), USAGE);
  }
}

function render(outcome: Outcome, format: Format, lang?: Language, localizedHeaders = false): string {
  // JSON and CSV stay English (keys and machine headers) unless `--headers localized`; text is read by a person.
  if (format === 'json') return renderJson(outcome);
  if (format === 'csv') return localizedHeaders ? localizeCsvHeaders(renderCsv(outcome), outcome, lang) : renderCsv(outcome);
  return renderText(outcome, lang);
}

/** `--headers localized`: CSV headers in the answer's language (or --lang's); `machine` (the default) keeps the names tools read. */
function localizedHeadersOf(options: Options): boolean {
  const headers = options.flags.get('headers');
  if (headers === undefined || headers === 'machine') return false;
  if (headers === 'localized') return true;
  throw new OfnError('BadArguments', `--headers is localized or machine (got ${headers.slice(0, 20)}).`);
}

/** `--lang es`: the language of answers on this terminal; unknown ones named with the list. */
function langOf(options: Options): Language | undefined {
  const lang = options.flags.get('lang');
  if (lang === undefined) return undefined;
  if (!isLanguage(lang)) throw new OfnError('BadArguments', `--lang is one of ${LANGUAGES.join(', ')} (got ${lang.slice(0, 20)}).`);
  return lang;
}

function formatOf(options: Options): Format {
  const format = options.flags.get('format') ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'csv') {
    throw new OfnError('BadArguments', `--format is text, json or csv (got ${format}).`);
  }
  return format;
}

function depsFor(config: Config): Session {
  const replicas = new ReplicaSet(config);
  return { deps: { config, replica: (id) => replicas.get(id), now: () => new Date() }, close: () => replicas.closeAll() };
}

function describeError(error: unknown, lang: Language = 'en'): string {
  if (error instanceof OfnError) {
    const { message, hint } = errorWords(error, lang);
    return hint ? `${message}\n${hint}` : message;
  }
  return 'Something went wrong while answering; the details are in the log.';
}

/** A place to ask: the deps `ask` needs, the state store and the requester where there are some. */
interface Session {
  deps: Deps;
  state?: StateDb;
  who?: Requester;
  /** Set when answering from the embedded demo. */
  demo?: Demo;
  close(): Promise<void>;
}

/** Where the demo and the default state store keep their files. */
function dataDir(): string {
  return process.env.OFN_INSIGHTS_DATA_DIR || 'data';
}

function demoScale(): typeof DEMO_SCALE {
  const scale = process.env.OFN_INSIGHTS_DEMO_SCALE;
  if (scale === undefined || scale === '') return DEMO_SCALE;
  if (!['tiny', 'demo', 'small', 'medium'].includes(scale)) throw new OfnError('BadArguments', `OFN_INSIGHTS_DEMO_SCALE is tiny, demo, small or medium (got ${scale}).`);
  return scale as typeof DEMO_SCALE;
}

/** Opens (or, on its first start, seeds) the embedded demo, saying what it does: both take seconds. */
async function openDemoSession(options: Options, say: (line: string) => void, why = 'Opening the embedded demo'): Promise<Session> {
  const started = performance.now();
  const dir = dataDir();
  say(`${why} (${join(dir, 'demo')})…`);
  const demo = await startDemo({ dataDir: dir, fresh: options.flags.get('fresh') === 'true', scale: demoScale(), log: (line) => say(`  ${line}`) });
  if (demo.seeded) say(`  Ready in ${((performance.now() - started) / 1000).toFixed(1)} s; later starts reuse it.`);
  return { deps: demo.deps, state: demo.state, who: demo.who, demo, close: () => demo.close() };
}

/** Runs `work`, and says `line` if it is still running after a second (a silent terminal looks hung). */
async function withProgress<T>(say: (line: string) => void, line: string, work: () => Promise<T>): Promise<T> {
  const timer = setTimeout(() => say(line), 1_000);
  try {
    return await work();
  } finally {
    clearTimeout(timer);
  }
}

/** What the terminal adds to a question: `csv` (a file, as Slack's CSV button) is the face's, not the question's. */
function splitIntent(text: string): { question: string; csv: boolean } {
  const words = text.trim().split(/\s+/);
  const question = words.filter((w) => w.toLowerCase() !== 'csv');
  return { question: question.join(' '), csv: question.length !== words.length };
}

/** Writes `name` to `outDir`; returns its path as a person would type it from here: `./x.png` under the current directory, else absolute. */
function writeOut(outDir: string, name: string, data: string | Uint8Array): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, name);
  writeFileSync(file, data);
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : `./${rel}`;
}

/**
 * What Slack would attach or do beside the answer, done the terminal's way: a chart is written as a
 * PNG and a CSV as a file (both to `outDir`); `public` and pulses are noted. Returns one line each.
 */
async function terminalExtras(session: Session, outcome: Outcome, wantsCsv: boolean, outDir: string, localizedHeaders: boolean, lang?: Language): Promise<string[]> {
  const notes: string[] = [];
  const presentation = 'presentation' in outcome ? outcome.presentation : undefined;
  if (presentation?.chart) {
    const { chartSpecOf } = await import('./render/answer-chart.js');
    const spec = chartSpecOf(outcome, session.deps.config, lang);
    if (spec) {
      const { renderChart } = await import('./render/chart.js');
      notes.push(`Chart: ${writeOut(outDir, chartFilename(outcome), await renderChart(spec))}`);
    } else if (outcome.kind === 'answer') {
      notes.push('A single figure has no chart: add a breakdown such as `by month` or `by shop`.');
    }
  }
  if (wantsCsv) {
    const csv = csvFile(outcome);
    notes.push(`CSV: ${writeOut(outDir, csv.filename, localizedHeaders ? localizeCsvHeaders(csv.text, outcome, lang) : csv.text)}`);
  }
  if (presentation?.public) notes.push('`public` only matters in Slack, where it posts the answer for the whole channel; here it changes nothing.');
  if (session.demo && outcome.kind === 'notice' && /^(pulse-add|pulse-set|watch-add)$/.test(outcome.action)) {
    notes.push('The demo stores pulses and watches but posts nothing: `ofn-insights serve` delivers them in Slack.');
  }
  return notes;
}

/** The demo asks as a Slack user in a DM; a terminal shows that conversation's mention as `#demo`. */
function terminalText(session: Session, text: string): string {
  return session.who ? text.replaceAll(`<#${session.who.channelId}>`, '#demo') : text;
}

async function commandAsk(options: Options): Promise<number> {
  const format = formatOf(options);
  const localized = localizedHeadersOf(options);
  const { question, csv } = splitIntent(options.positional.slice(1).join(' '));
  const outDir = options.flags.get('out') ?? '.';
  const say = (line: string) => process.stderr.write(`${line}\n`);
  let session: Session | undefined;
  try {
    const file = options.flags.get('demo') === 'true' ? undefined : findConfigFile(options.flags.get('config'));
    if (!file) {
      // Said every time: someone who meant a config (and mistyped its place) must not take demo figures for theirs.
      session = await openDemoSession(options, say, options.flags.get('demo') === 'true' ? undefined : 'No configuration: answering from the embedded demo');
    } else {
      session = depsFor(loadConfig(file));
      if (/^\s*billing\b/i.test(question) && (process.env.STATE_DATABASE_URL || process.env.OFN_INSIGHTS_DATA_DIR)) {
        // Billing compares with (and `as-sent` reads) what the bot posted: that lives in the state store.
        const { openStateStore } = await import('./state/store.js');
        const store = await openStateStore({ ...(process.env.STATE_DATABASE_URL ? { url: process.env.STATE_DATABASE_URL } : {}), dataDir: dataDir() });
        const close = session.close;
        session = { deps: session.deps, state: store.db, close: async () => { await close(); await store.close(); } };
      }
    }
    const asking = session;
    const outcome = await withProgress(say, `Still working on \`${question}\`…`, () => ask(asking.deps, question, asking.state, asking.who ? { who: asking.who } : {}));
    const lang = langOf(options);
    process.stdout.write(`${format === 'text' ? terminalText(asking, render(outcome, format, lang)) : render(outcome, format, lang, localized)}\n`);
    for (const note of await terminalExtras(asking, outcome, csv, outDir, localized, lang)) say(note);
    return 0;
  } catch (error) {
    if (format === 'json' && error instanceof OfnError) process.stdout.write(`${errorToJson(error)}\n`);
    // A bad --lang is itself the error being told, in English.
    const lang = options.flags.get('lang');
    process.stderr.write(`${describeError(error, lang !== undefined && isLanguage(lang) ? lang : undefined)}\n`);
    if (!(error instanceof OfnError)) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    return isUserError(error) ? 2 : 1;
  } finally {
    await session?.close();
  }
}

/**
 * Reads questions line by line (a terminal or a pipe) and answers each until EOF or `quit`, then closes
 * the session. A bare `chart` or `csv` line asks the previous question again for its chart or CSV, as
 * Slack's buttons do.
 */
async function prompt(session: Session, intro: string, outDir: string, lang?: Language): Promise<number> {
  try {
    const interactive = process.stdin.isTTY === true;
    const out = (text: string) => process.stdout.write(text);
    out(`${intro}\n`);
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
    // Ctrl-C leaves like `quit`, so the demo database is closed properly (and its lock released).
    rl.on('SIGINT', () => rl.close());
    if (interactive) rl.setPrompt('ofn> ');
    if (interactive) rl.prompt();
    let previous: string | undefined;
    for await (const line of rl) {
      const text = line.trim();
      if (text === 'quit' || text === 'exit') break;
      if (text) {
        if (!interactive) out(`ofn> ${text}\n`);
        try {
          let { question, csv } = splitIntent(text);
          if (question === '' || question.toLowerCase() === 'chart') {
            if (!previous) throw new OfnError('BadArguments', `Ask a question first; \`${text}\` then writes its ${csv ? 'CSV' : 'chart'} to a file.`);
            question = question === '' ? previous : `${previous} chart`;
          }
          const asked = question;
          const outcome = await withProgress((l) => out(`${l}\n`), 'Still working on it…', () => ask(session.deps, asked, session.state, session.who ? { who: session.who } : {}));
          if (outcome.kind === 'answer' || outcome.kind === 'global' || outcome.kind === 'growth' || outcome.kind === 'billing' || outcome.kind === 'billing-all') {
            previous = asked.split(/\s+/).filter((w) => !/^(chart|public)$/i.test(w)).join(' ');
          }
          const notes = await terminalExtras(session, outcome, csv, outDir, false, lang);
          out(`${terminalText(session, renderText(outcome, lang))}\n${notes.length ? `\n${notes.join('\n')}\n` : ''}\n`);
        } catch (error) {
          out(`${describeError(error, lang)}\n\n`);
          if (!(error instanceof OfnError)) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
        }
      }
      if (interactive) rl.prompt();
    }
    rl.close();
    return 0;
  } finally {
    await session.close();
  }
}

/** The demo's clock, in Madrid: the banner says it is stopped, and where. */
const DEMO_CLOCK = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Madrid' }).format(DEMO_NOW);

async function commandDemo(options: Options): Promise<number> {
  // `--lang es`: answers and errors in that language, as `ask --lang` (checked before the demo opens).
  const lang = langOf(options);
  const session = await openDemoSession(options, (line) => process.stdout.write(`${line}\n`));
  const demo = session.demo!;
  const names = [...demo.config.instances.values()].map((i) => `${i.id} (${i.timezone}, ${i.currency})`).join(', ');
  const outDir = options.flags.get('out') ?? '.';
  return prompt(
    session,
    [
      `Demo instances: ${names}. Its clock is stopped at ${DEMO_CLOCK} (Madrid), so its answers never change.`,
      'Ask as in Slack: `turnover katuma last-month`, `top-shops au 2026`, `new shops uk last-12-months by month chart`.',
      `\`chart\` writes a PNG, \`csv\` a CSV (to ${outDir === '.' ? 'this directory' : outDir}); \`help\` lists everything, \`quit\` leaves.`,
    ].join('\n'),
    outDir,
    lang,
  );
}

async function commandStart(options: Options): Promise<number> {
  const file = findConfigFile(options.flags.get('config'));
  if (!file) return commandDemo(options);
  if (process.env.SLACK_BOT_TOKEN) return commandServe(options);
  const lang = langOf(options);
  const session = depsFor(loadConfig(file));
  return prompt(session, `Using ${file}: instances ${[...session.deps.config.instances.keys()].join(', ')}. \`help\` lists the questions.`, options.flags.get('out') ?? '.', lang);
}

/** Keeps a server (`serve`, `api`) running until SIGTERM or SIGINT, then shuts it down. */
async function untilSignal(running: { shutdown(): Promise<void> }): Promise<number> {
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      void running.shutdown().then(resolve, resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  return 0;
}

async function commandServe(options: Options): Promise<number> {
  const { serve } = await import('./slack/serve.js');
  const file = findConfigFile(options.flags.get('config'));
  if (!file) throw new OfnError('ConfigInvalid', 'serve needs a configuration (--config FILE, $OFN_INSIGHTS_CONFIG or ./ofn-insights.yml); see README.');
  return untilSignal(await serve(loadConfig(file), process.env, undefined, file));
}

async function commandApi(options: Options): Promise<number> {
  const { serveApi } = await import('./api/serve-api.js');
  const { createLogger } = await import('./core/log.js');
  const file = findConfigFile(options.flags.get('config'));
  if (!file) throw new OfnError('ConfigInvalid', 'api needs a configuration (--config FILE, $OFN_INSIGHTS_CONFIG or ./ofn-insights.yml); see docs/api.md.');
  return untilSignal(await serveApi(loadConfig(file), process.env, createLogger(process.env.LOG_LEVEL ?? 'info')));
}

async function commandSeed(options: Options): Promise<number> {
  const { runSeedCommand } = await import('./seed/cli-seed.js');
  const url = options.flags.get('url') ?? process.env.DATABASE_URL;
  if (!url) throw new OfnError('BadArguments', 'seed needs --url postgres://… (a database you may write to, never a production replica).');
  const scale = options.flags.get('scale') ?? 'small';
  if (!['tiny', 'small', 'medium', 'large'].includes(scale)) throw new OfnError('BadArguments', '--scale is tiny, small, medium or large.');
  const until = options.flags.get('until');
  const seed = options.flags.get('seed');
  const prefix = options.flags.get('prefix');
  await runSeedCommand({
    url,
    scale: scale as 'tiny' | 'small' | 'medium' | 'large',
    timezone: options.flags.get('timezone') ?? 'Europe/Madrid',
    currency: options.flags.get('currency') ?? 'EUR',
    ...(seed ? { seed: Number(seed) } : {}),
    ...(until ? { until: new Date(until) } : {}),
    ...(prefix ? { namePrefix: prefix } : {}),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  return 0;
}

/** The commands `main` knows besides `help`, in the order the did-you-mean of a mistyped one lists them. */
const COMMANDS = new Map<string, (options: Options) => Promise<number>>([
  ['ask', commandAsk],
  ['demo', commandDemo],
  ['start', commandStart],
  ['seed', commandSeed],
  ['serve', commandServe],
  ['api', commandApi],
]);

export async function main(argv: string[]): Promise<number> {
  let options: Options;
  try {
    options = parseArgv(argv);
  } catch (error) {
    process.stderr.write(`${describeError(error)}\n`);
    return 2;
  }
  const command = options.positional[0];
  try {
    if (command === undefined || command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const run = COMMANDS.get(command);
    if (run) return await run(options);
    process.stderr.write(`Unknown command \`${command}\`.${didYouMean(command, [...COMMANDS.keys(), 'help'])}\n\n${USAGE}\n`);
    return 2;
  } catch (error) {
    process.stderr.write(`${describeError(error)}\n`);
    if (!(error instanceof OfnError)) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    return isUserError(error) ? 2 : 1;
  }
}

// Piped into `head` or a closed terminal: stop quietly instead of a stack trace (a demo interrupted
// while seeding is seeded again on its next start).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  },
);
