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

const NAMES = new Map<string, Command<any>>();
for (const command of COMMANDS) {
  for (const name of [command.name, ...command.aliases]) NAMES.set(name, command);
}
const ALL_NAMES = [...NAMES.keys(), 'help'];

/** Splits what the user typed into words; Slack's "/ofn" prefix and extra spaces are tolerated. */
export function splitWords(text: string): string[] {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words[0]?.toLowerCase() === '/ofn') words.shift();
  return words;
}

/** Finds the command named by the first one to three words ("new profiles", "top-shops"). */
function findCommand(words: readonly string[]): { command: Command<any>; used: number } | undefined {
  for (const used of [3, 2, 1]) {
    if (words.length < used) continue;
    const name = words.slice(0, used).join('-').toLowerCase().replace(/_/g, '-');
    const command = NAMES.get(name);
    if (command) return { command, used };
  }
  return undefined;
}

export function helpText(topic: string | undefined, context: ParseContext): HelpText {
  const instances = context.instanceIds.join(', ');
  if (topic) {
    const found = findCommand(topic.split(/[\s-]+/)) ?? findCommand([topic]);
    if (!found) {
      const guess = closest(topic, ALL_NAMES);
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
      ...COMMANDS.map((c) => `${c.usage.padEnd(58)} ${c.summary}`),
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
  if (words.length === 0 || words[0]!.toLowerCase() === 'help') {
    return helpText(words.slice(1).join(' ') || undefined, context);
  }
  const found = findCommand(words);
  if (!found) {
    const first = words[0]!.slice(0, 60);
    const guess = closest(first, ALL_NAMES) ?? closest(words.slice(0, 2).join('-'), ALL_NAMES);
    throw new OfnError(
      'UnknownQuestion',
      `I don't know the question \`${first}\`.${guess ? ` Did you mean \`${guess}\`?` : ''}`,
      'Type `help` to see every question with examples.',
    );
  }
  return { kind: 'question', command: found.command, args: found.command.parse(words.slice(found.used), context) };
}
