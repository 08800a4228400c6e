import { OfnError } from '../core/errors.js';
import { PERIOD_HELP } from '../core/periods.js';
import { closest } from '../core/suggest.js';
import { activeShops } from './active-shops.js';
import { averageOrder } from './average-order.js';
import { hubs, newProfiles, newShops, producers, profiles, shops } from './enterprises.js';
import { orders } from './orders.js';
import { topShops } from './top-shops.js';
import { turnover } from './turnover.js';
import type { Command, ParseContext } from './types.js';
import { countCommand, customMetricCommand, describeRegistry, listCommand } from './registry-commands.js';
import { DEFAULT_REGISTRY, type Registry } from '../queries/registry.js';

/** The route table: every transport (CLI, Slack, scheduler) dispatches through it. */
export const COMMANDS: readonly Command<any>[] = [
  turnover,
  orders,
  averageOrder,
  topShops,
  newProfiles,
  newShops,
  activeShops,
  shops,
  hubs,
  producers,
  profiles,
];

export interface HelpText {
  kind: 'help';
  title: string;
  lines: string[];
}

export type ParsedQuestion = { kind: 'question'; command: Command<any>; args: any } | HelpText;

interface CommandTable {
  commands: readonly Command<any>[];
  names: ReadonlyMap<string, Command<any>>;
}

function tableOf(commands: readonly Command<any>[]): CommandTable {
  const names = new Map<string, Command<any>>();
  for (const command of commands) for (const name of [command.name, ...command.aliases]) names.set(name, command);
  return { commands, names };
}

const BUILT_IN_TABLE = tableOf([...COMMANDS, countCommand, listCommand]);
const tables = new WeakMap<Registry, CommandTable>();

/** The questions an installation answers: the built-in ones plus its custom metrics (config). */
export function commandTable(registry?: Registry): CommandTable {
  if (!registry) return BUILT_IN_TABLE;
  let table = tables.get(registry);
  if (!table) {
    const custom = [...registry.metrics.values()].filter((m) => !m.builtIn).map((m) => customMetricCommand(m, registry));
    table = tableOf([...BUILT_IN_TABLE.commands, ...custom]);
    tables.set(registry, table);
  }
  return table;
}

const META_WORDS = ['help', 'metrics', 'segments', 'define'];

/** Splits what the user typed into words; Slack's "/ofn" prefix and extra spaces are tolerated. */
export function splitWords(text: string): string[] {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words[0]?.toLowerCase() === '/ofn') words.shift();
  return words;
}

/** Finds the command named by the first one to three words ("new profiles", "top-shops"). */
function findCommand(words: readonly string[], table: CommandTable): { command: Command<any>; used: number } | undefined {
  for (const used of [3, 2, 1]) {
    if (words.length < used) continue;
    const name = words.slice(0, used).join('-').toLowerCase().replace(/_/g, '-');
    const command = table.names.get(name);
    if (command) return { command, used };
  }
  return undefined;
}

export function helpText(topic: string | undefined, context: ParseContext): HelpText {
  const instances = (context.visibleIds ?? context.instanceIds).join(', ');
  const table = commandTable(context.registry);
  const allNames = [...table.names.keys(), ...META_WORDS];
  if (topic) {
    const found = findCommand(topic.split(/[\s-]+/), table) ?? findCommand([topic], table);
    if (!found) {
      const guess = closest(topic, allNames);
      throw new OfnError('UnknownQuestion', `There is no question \`${topic.slice(0, 60)}\`.${guess ? ` Did you mean \`${guess}\`?` : ''}`, 'Type `help` for the list.');
    }
    const c = found.command;
    return {
      kind: 'help',
      title: c.name,
      lines: [
        c.summary,
        `Usage: ${c.usage}`,
        ...(c.aliases.length ? [`Also: ${c.aliases.join(', ')}`] : []),
        'Examples:',
        ...c.examples.map((e) => `  ${e}`),
        PERIOD_HELP,
        `Instances: ${instances}.`,
      ],
    };
  }
  return {
    kind: 'help',
    title: 'Questions',
    lines: [
      ...table.commands.map((c) => `${c.usage.padEnd(58)} ${c.summary}`),
      `${'metrics · segments · define <name>'.padEnd(58)} The official definitions, built-in and custom.`,
      `${'turnover all last-month · compare turnover · growth all'.padEnd(58)} Several instances at once, each in its own time zone.`,
      '',
      PERIOD_HELP,
      `Instances: ${instances}.`,
      'Add `chart` for a chart, `help <question>` for details and examples.',
    ],
  };
}

/** Text → a command and its typed arguments, or help. Pure: throws OfnError with suggestions. */
export function parseQuestion(text: string, context: ParseContext): ParsedQuestion {
  const words = splitWords(text);
  const head = words[0]?.toLowerCase();
  if (words.length === 0 || head === 'help') {
    return helpText(words.slice(1).join(' ') || undefined, context);
  }
  if (head === 'metrics' || head === 'segments' || head === 'define') {
    const what = head === 'define' ? words[1]?.toLowerCase() : head;
    if (!what) throw new OfnError('BadArguments', 'Define what? `define turnover`, `define hubs`; `metrics` and `segments` list them.');
    return { kind: 'help', ...describeRegistry(context.registry ?? DEFAULT_REGISTRY, what) };
  }
  const table = commandTable(context.registry);
  const found = findCommand(words, table);
  if (!found) {
    const first = words[0]!.slice(0, 60);
    const allNames = [...table.names.keys(), ...META_WORDS];
    const guess = closest(first, allNames) ?? closest(words.slice(0, 2).join('-'), allNames);
    throw new OfnError(
      'UnknownQuestion',
      `I don't know the question \`${first}\`.${guess ? ` Did you mean \`${guess}\`?` : ''}`,
      'Type `help` to see every question with examples.',
    );
  }
  return { kind: 'question', command: found.command, args: found.command.parse(words.slice(found.used), context) };
}
