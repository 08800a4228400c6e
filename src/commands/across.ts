import { OfnError } from '../core/errors.js';
import { looksLikePeriod } from '../core/periods.js';
import { closest } from '../core/suggest.js';
import { runAcross } from './fan-out.js';
import { runGrowth } from './growth.js';
import { parseQuestionWords, type QuestionArgs } from './question.js';
import { findIn, questionCommands } from './questions.js';
import type { Command, ParseContext, Route } from './types.js';

/** Several instances at once: one answer per instance, each in its own time zone. */

function hasScope(words: readonly string[], context: ParseContext): boolean {
  return words.some((w) => w.toLowerCase() === 'all' || context.instanceIds.includes(w.toLowerCase()) || w.includes(','));
}

/** `compare <question> [instances] [period]`: one series per instance, by month over the last 12 months by default. */
export const compareRoute: Route<{ command: Command<QuestionArgs>; args: QuestionArgs }> = {
  name: 'compare',
  aliases: [],
  group: 'instances',
  summary: 'One question on several instances, one series each (by month, last 12 months by default).',
  usage: 'compare <question> [all | <instance>,<instance>] [period] [by day|week|month]',
  examples: ['compare turnover', 'compare new-shops katuma,uk 2026', 'compare orders all last-6-months by week'],
  parse(words, context) {
    const table = questionCommands(context.registry);
    const found = findIn(words, table);
    if (!found) {
      const guess = words[0] ? closest(words[0], [...table.names.keys()]) : undefined;
      throw guess ? OfnError.say('BadArguments', 'error.compareWhichGuess', { guess }, 'hint.compare') : OfnError.say('BadArguments', 'error.compareWhich', undefined, 'hint.compare');
    }
    const rest = words.slice(found.used);
    const args = found.command.parse(hasScope(rest, context) ? rest : [...rest, 'all'], context) as QuestionArgs;
    // One series per instance: by month unless another breakdown was asked (and the question has one).
    const byMonth = !args.breakdown && /\bmonth\b/.test(found.command.usage);
    const typedPeriod = rest.some((w) => looksLikePeriod(w) || w.toLowerCase() === 'last' || w.toLowerCase() === 'this');
    return {
      command: found.command,
      args: {
        ...args,
        chart: true,
        ...(byMonth ? { breakdown: 'month' as const } : {}),
        ...(typedPeriod ? {} : { period: { kind: 'last-n', n: 12, unit: 'month' } as const }),
      },
    };
  },
  reach: ({ args }) => ({ instances: args.scope ?? [args.instance], billing: false }),
  async run(deps, { command, args }, context) {
    return { kind: 'global', answer: await runAcross(deps, command, args, context.instances), presentation: { chart: true, public: args.public } };
  },
};

/**
 * `growth [instances] [period]`: per local month new profiles, new shops, active shops, orders and
 * turnover, each against the month before and the same month a year before; the last 12 complete
 * months by default.
 */
export const growthRoute: Route<QuestionArgs> = {
  name: 'growth',
  aliases: [],
  group: 'instances',
  summary: 'Per month: new profiles, new shops, active shops, orders, turnover, with % changes (last 12 full months).',
  usage: 'growth [all | <instance>,<instance> | <instance>] [period]',
  examples: ['growth all', 'growth katuma 2026', 'growth all last-6-months'],
  parse(words, context) {
    return parseQuestionWords('growth', hasScope(words, context) ? words : [...words, 'all'], { breakdowns: [] }, context);
  },
  reach: (args) => ({ instances: args.scope ?? [args.instance], billing: false }),
  run: (deps, args, context) => runGrowth(deps, args, context.instances),
};
