import { activeShops } from './active-shops.js';
import { averageOrder } from './average-order.js';
import { hubs, newProfiles, newShops, producers, profiles, shops } from './enterprises.js';
import { orders } from './orders.js';
import { topShops } from './top-shops.js';
import { turnover } from './turnover.js';
import type { Command } from './types.js';
import { countCommand, customMetricCommand, listCommand } from './registry-commands.js';
import type { Registry } from '../queries/registry.js';
import { cached } from '../core/memo.js';

/** The questions answered from one instance's replica: the built-in ones. */
export const COMMANDS: readonly Command<any>[] = [turnover, orders, averageOrder, topShops, newProfiles, newShops, activeShops, shops, hubs, producers, profiles];

export interface CommandTable<C extends { name: string; aliases: readonly string[] }> {
  commands: readonly C[];
  names: ReadonlyMap<string, C>;
}

export function tableOf<C extends { name: string; aliases: readonly string[] }>(commands: readonly C[]): CommandTable<C> {
  const names = new Map<string, C>();
  for (const command of commands) for (const name of [command.name, ...command.aliases]) names.set(name, command);
  return { commands, names };
}

const BUILT_IN = tableOf<Command<any>>([...COMMANDS, countCommand, listCommand]);
const tables = new WeakMap<Registry, CommandTable<Command<any>>>();

/** The one-instance questions an installation answers: the built-in ones plus its custom metrics (config). */
export function questionCommands(registry?: Registry): CommandTable<Command<any>> {
  if (!registry) return BUILT_IN;
  return cached(tables, registry, () => {
    const custom = [...registry.metrics.values()].filter((m) => !m.builtIn).map((m) => customMetricCommand(m, registry));
    return tableOf([...BUILT_IN.commands, ...custom]);
  });
}

/** Splits what the user typed into words; Slack's "/ofn" prefix and extra spaces are tolerated. */
export function splitWords(text: string): string[] {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words[0]?.toLowerCase() === '/ofn') words.shift();
  return words;
}

/** Finds the entry named by the first one to three words ("new profiles", "top-shops", "pulse add"). */
export function findIn<C extends { name: string; aliases: readonly string[] }>(words: readonly string[], table: CommandTable<C>): { command: C; used: number } | undefined {
  // The longest name first; the key is built once, word by word (this runs on every question).
  const n = Math.min(3, words.length);
  const keys: string[] = [];
  let key = '';
  for (let i = 0; i < n; i++) {
    const word = words[i]!.toLowerCase();
    key = i === 0 ? word : `${key}-${word}`;
    keys.push(key.includes('_') ? key.replace(/_/g, '-') : key);
  }
  for (let used = n; used >= 1; used--) {
    const command = table.names.get(keys[used - 1]!);
    if (command) return { command, used };
  }
  return undefined;
}
