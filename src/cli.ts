#!/usr/bin/env node
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { findConfigFile, loadConfig, type Config } from './installation.js';
import { ask } from './commands/pipeline.js';
import type { Outcome } from './core/outcome.js';
import type { Deps } from './commands/types.js';
import { isUserError, OfnError } from './core/errors.js';
import { renderCsv } from './render/csv.js';
import { errorToJson, renderJson } from './render/json.js';
import { renderText } from './render/text.js';
import { ReplicaSet } from './queries/replica-set.js';
import { startDemo } from './demo.js';

type Format = 'text' | 'json' | 'csv';

const USAGE = `ofn-insights: Open Food Network business questions, from read-only replicas

Usage:
  ofn-insights ask [--config FILE] [--format text|json|csv] "<question>"
  ofn-insights demo                       interactive prompt on embedded demo data (no server needed)
  ofn-insights start                      the demo when no config exists; with a config, serve when SLACK_BOT_TOKEN is set, else a prompt
  ofn-insights serve [--config FILE]      the Slack app (env: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN, PORT, SLACK_API_URL)
  ofn-insights api [--config FILE]        the HTTP API alone, no Slack (/api/v1/, docs/api.md; env: PORT, STATE_DATABASE_URL)
  ofn-insights seed --url URL [--scale tiny|small|medium|large] [--timezone ZONE] [--currency EUR] [--seed N]
  ofn-insights help                       this text; \`ofn-insights ask help\` lists the questions

Config: --config FILE, else $OFN_INSIGHTS_CONFIG, else ./ofn-insights.yml.`;

interface Options {
  positional: string[];
  flags: Map<string, string>;
}

const VALUE_FLAGS = ['config', 'format', 'url', 'scale', 'timezone', 'currency', 'seed', 'until', 'prefix'] as const;

/** node:util parseArgs: `--name value` or `--name=value`; an unknown option is a usage error. */
function parseArgv(argv: string[]): Options {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...Object.fromEntries(VALUE_FLAGS.map((name) => [name, { type: 'string' as const }])), help: { type: 'boolean' } },
    });
    const flags = new Map(Object.entries(values).map(([k, v]) => [k, String(v)]));
    return { positional: positionals, flags };
  } catch (error) {
    throw new OfnError('BadArguments', (error as Error).message.replace(/\. To specify a positional argument.*$/s, '.'), USAGE);
  }
}

function render(outcome: Outcome, format: Format): string {
  if (format === 'json') return renderJson(outcome);
  if (format === 'csv') return renderCsv(outcome);
  return renderText(outcome);
}

function formatOf(options: Options): Format {
  const format = options.flags.get('format') ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'csv') {
    throw new OfnError('BadArguments', `--format is text, json or csv (got ${format}).`);
  }
  return format;
}

function depsFor(config: Config): { deps: Deps; close: () => Promise<void> } {
  const replicas = new ReplicaSet(config);
  return { deps: { config, replica: (id) => replicas.get(id), now: () => new Date() }, close: () => replicas.closeAll() };
}

function describeError(error: unknown): string {
  if (error instanceof OfnError) return error.hint ? `${error.message}\n${error.hint}` : error.message;
  return 'Something went wrong while answering; the details are in the log.';
}

async function commandAsk(options: Options): Promise<number> {
  const format = formatOf(options);
  const question = options.positional.slice(1).join(' ');
  let session: { deps: Deps; close: () => Promise<void> } | undefined;
  try {
    const file = findConfigFile(options.flags.get('config'));
    if (!file) {
      throw new OfnError('ConfigInvalid', 'No configuration: pass --config FILE, set OFN_INSIGHTS_CONFIG, or create ./ofn-insights.yml (see README). `ofn-insights demo` needs none.');
    }
    session = depsFor(loadConfig(file));
    let state: import('./state/store.js').StateStore | undefined;
    if (/^\s*billing\b/i.test(question) && (process.env.STATE_DATABASE_URL || process.env.OFN_INSIGHTS_DATA_DIR)) {
      // Billing compares with (and `as-sent` reads) what the bot posted: that lives in the state store.
      const { openStateStore } = await import('./state/store.js');
      state = await openStateStore({ ...(process.env.STATE_DATABASE_URL ? { url: process.env.STATE_DATABASE_URL } : {}), dataDir: process.env.OFN_INSIGHTS_DATA_DIR ?? 'data' });
      const close = session.close;
      session = { deps: session.deps, close: async () => { await close(); await state!.close(); } };
    }
    const outcome = await ask(session.deps, question, state?.db);
    process.stdout.write(`${render(outcome, format)}\n`);
    return 0;
  } catch (error) {
    const user = isUserError(error);
    if (format === 'json' && error instanceof OfnError) process.stdout.write(`${errorToJson(error)}\n`);
    process.stderr.write(`${describeError(error)}\n`);
    if (!(error instanceof OfnError)) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    return user ? 2 : 1;
  } finally {
    await session?.close();
  }
}

/** Reads questions line by line (a terminal or a pipe) and answers each until EOF or `quit`. */
async function prompt(deps: Deps, intro: string): Promise<number> {
  const interactive = process.stdin.isTTY === true;
  process.stdout.write(`${intro}\n`);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
  if (interactive) rl.setPrompt('ofn> ');
  if (interactive) rl.prompt();
  for await (const line of rl) {
    const text = line.trim();
    if (text === 'quit' || text === 'exit') break;
    if (text) {
      if (!interactive) process.stdout.write(`ofn> ${text}\n`);
      try {
        process.stdout.write(`${renderText(await ask(deps, text))}\n\n`);
      } catch (error) {
        process.stdout.write(`${describeError(error)}\n\n`);
        if (!(error instanceof OfnError)) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
      }
    }
    if (interactive) rl.prompt();
  }
  rl.close();
  return 0;
}

async function commandDemo(): Promise<number> {
  process.stdout.write('Starting the embedded demo (PGlite, no server needed) and seeding three instances…\n');
  const scale = process.env.OFN_INSIGHTS_DEMO_SCALE as 'tiny' | 'small' | 'medium' | undefined;
  const demo = await startDemo({ ...(scale ? { scale } : {}), log: (line) => process.stdout.write(`  ${line}\n`) });
  const ids = [...demo.config.instances.keys()].join(', ');
  try {
    return await prompt(
      demo.deps,
      `Demo instances: ${ids}. Ask as you would in Slack, e.g. \`turnover katuma last-month\`, \`top-shops au 2026\`, \`new shops uk last-12-months by month\`. \`help\` lists everything, \`quit\` leaves.`,
    );
  } finally {
    await demo.close();
  }
}

async function commandStart(options: Options): Promise<number> {
  const file = findConfigFile(options.flags.get('config'));
  if (!file) return commandDemo();
  if (process.env.SLACK_BOT_TOKEN) return commandServe(options);
  const session = depsFor(loadConfig(file));
  try {
    return await prompt(session.deps, `Using ${file}: instances ${[...session.deps.config.instances.keys()].join(', ')}. \`help\` lists the questions.`);
  } finally {
    await session.close();
  }
}

async function commandServe(options: Options): Promise<number> {
  const { serve } = await import('./slack/serve.js');
  const file = findConfigFile(options.flags.get('config'));
  if (!file) throw new OfnError('ConfigInvalid', 'serve needs a configuration (--config FILE, $OFN_INSIGHTS_CONFIG or ./ofn-insights.yml); see README.');
  const handle = await serve(loadConfig(file), process.env, undefined, file);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      void handle.shutdown().then(resolve, resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  return 0;
}

async function commandApi(options: Options): Promise<number> {
  const { serveApi } = await import('./api/serve-api.js');
  const { createLogger } = await import('./core/log.js');
  const file = findConfigFile(options.flags.get('config'));
  if (!file) throw new OfnError('ConfigInvalid', 'api needs a configuration (--config FILE, $OFN_INSIGHTS_CONFIG or ./ofn-insights.yml); see docs/api.md.');
  const running = await serveApi(loadConfig(file), process.env, createLogger(process.env.LOG_LEVEL ?? 'info'));
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
    switch (command) {
      case 'ask':
        return await commandAsk(options);
      case 'demo':
        return await commandDemo();
      case 'start':
        return await commandStart(options);
      case 'seed':
        return await commandSeed(options);
      case 'serve':
        return await commandServe(options);
      case 'api':
        return await commandApi(options);
      case undefined:
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return 0;
      default:
        process.stderr.write(`Unknown command \`${command}\`.\n\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    process.stderr.write(`${describeError(error)}\n`);
    if (!(error instanceof OfnError)) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    return isUserError(error) ? 2 : 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  },
);
