import { OfnError } from '../core/errors.js';
import type { HelpText } from '../core/outcome.js';
import { isMessageKey, LANGUAGES, t, type Language } from '../core/i18n.js';
import { periodHelp } from '../core/periods.js';
import { closest } from '../core/suggest.js';
import { DEFAULT_REGISTRY, type Registry } from '../queries/registry.js';
import { compareRoute, growthRoute } from './across.js';
import { billingRoute } from './billing.js';
import { DASHBOARD_ROUTES } from './dashboard.js';
import { runAcross } from './fan-out.js';
import { buyersRoute, funnelRoute, mapRoute, reportRoute, retentionRoute } from './story.js';
import { MANAGE_ROUTES } from './manage.js';
import type { QuestionArgs } from './question.js';
import { cached } from '../core/memo.js';
import { findIn, questionCommands, splitWords, tableOf, type CommandTable } from './questions.js';
import { describeRegistry } from './registry-commands.js';
import { findSpoken, spokenHelpLines, spokenTopic, spokenWordLines } from './spoken.js';
import type { Command, ParseContext, Route, RouteGroup } from './types.js';

export { splitWords };

/** The one-instance questions of an installation (built-in and custom metrics). */
export const commandTable = questionCommands;

/** A one-instance question as a route: one instance gives an answer, `all` or a list a global answer. */
function questionRoute(command: Command<QuestionArgs>): Route<QuestionArgs> {
  return {
    name: command.name,
    aliases: command.aliases,
    group: 'question',
    summary: command.summary,
    usage: command.usage,
    examples: command.examples,
    parse: (words, context) => command.parse(words, context),
    reach: (args) => ({ instances: args.scope ?? [args.instance], billing: false }),
    async run(deps, args, context) {
      const presentation = { chart: args.chart, public: args.public };
      if (args.scope) return { kind: 'global', answer: await runAcross(deps, command, args, context.instances), presentation };
      return { kind: 'answer', answer: await command.run(deps, args), presentation };
    },
  };
}

const NOTHING = { instances: [], billing: false } as const;

function definitionsRoute(name: 'metrics' | 'segments' | 'define'): Route<string> {
  return {
    name,
    aliases: [],
    group: 'definitions',
    summary: name === 'define' ? 'The official definition of a metric or segment.' : `The ${name}, built-in and custom, with what each counts.`,
    usage: name === 'define' ? 'define <metric or segment>' : name,
    examples: name === 'define' ? ['define turnover', 'define hubs'] : [name],
    parse(words) {
      if (name !== 'define') return name;
      const what = words[0]?.toLowerCase();
      if (!what) throw OfnError.say('BadArguments', 'error.defineWhat');
      return what;
    },
    reach: () => NOTHING,
    run: async (deps, what) => ({ kind: 'help', ...describeRegistry(deps.config.registry ?? DEFAULT_REGISTRY, what) }),
  };
}

/** The groups of `help`, in order; each heading is the catalog's `help.group.<group>`. */
const GROUPS: readonly RouteGroup[] = ['question', 'instances', 'billing', 'dashboards', 'definitions', 'manage', 'help'];

/** `help`, `help turnover`, `ayuda facturación`: the topic, and the language of the word typed. */
export interface HelpArgs {
  topic?: string;
  language?: Language;
}

const helpRoute: Route<HelpArgs> = {
  name: 'help',
  aliases: [],
  group: 'help',
  summary: t('en', 'route.help'),
  usage: 'help [question]',
  examples: ['help', 'help turnover', 'help pulse add'],
  parse: (words) => (words.length ? { topic: words.join(' ') } : {}),
  reach: () => NOTHING,
  run: async (deps, args, context) => helpText(args, { instanceIds: [...deps.config.instances.keys()], visibleIds: [...context.grant.instances] }, deps.config.registry),
};

const tables = new WeakMap<Registry, CommandTable<Route<any>>>();

/**
 * The route table of an installation: every kind of question, from every face (Slack, buttons, pulses,
 * the billing post, the CLI), built-in routes and one per custom metric. Each route parses its own
 * words, declares what it needs and touches, and runs.
 */
export function routeTable(registry: Registry = DEFAULT_REGISTRY): CommandTable<Route<any>> {
  return cached(tables, registry, () =>
    tableOf<Route<any>>([
      ...questionCommands(registry).commands.map(questionRoute),
      compareRoute,
      growthRoute,
      funnelRoute,
      retentionRoute,
      buyersRoute,
      reportRoute,
      mapRoute,
      billingRoute,
      definitionsRoute('metrics'),
      definitionsRoute('segments'),
      definitionsRoute('define'),
      ...DASHBOARD_ROUTES,
      ...MANAGE_ROUTES,
      helpRoute,
    ]),
  );
}

/** A route's one-line summary in `lang`: the catalog's `route.<name>`; a custom metric's as written in the config. */
function summaryIn(route: Route<any>, lang: Language): string {
  const key = `route.${route.name}`;
  return isMessageKey(key) ? t(lang, key) : route.summary;
}

/**
 * `help` and `help <route>`: usage and examples, and only the instances the asker may see. In English,
 * with the same help in every other language beside it (the face shows its reader's: helpIn).
 */
export function helpText(args: HelpArgs | undefined, context: Pick<ParseContext, 'instanceIds' | 'visibleIds'>, registry?: Registry): HelpText {
  const topic = args?.topic;
  const instances = (context.visibleIds ?? context.instanceIds).join(', ');
  const table = routeTable(registry);
  let found: { command: Route<any> } | undefined;
  if (topic) {
    const words = topic.split(/[\s]+/);
    found = findIn(words, table) ?? findIn(topic.split(/[\s-]+/), table) ?? spokenTopic(words, table);
    if (!found) {
      const guess = closest(topic, [...table.names.keys()]);
      const word = topic.slice(0, 60);
      throw guess
        ? OfnError.say('UnknownQuestion', 'error.noHelpTopicGuess', { word, guess: guess.replace(/-(add|list|pause|resume|remove)$/, ' $1') }, 'hint.helpList')
        : OfnError.say('UnknownQuestion', 'error.noHelpTopic', { word }, 'hint.helpList');
    }
  }
  // Built once per topic and audience (five languages of text): `help` is asked far more often than the table changes.
  const cache = cached(HELP_CACHE, table, () => new Map<string, HelpText>());
  const help = cached(cache, `${found?.command.name ?? ''}\u0000${instances}`, () => buildHelp(found?.command, instances, table), 200);
  return args?.language ? { ...help, language: args.language } : { ...help };
}
const HELP_CACHE = new WeakMap<CommandTable<Route<any>>, Map<string, HelpText>>();

/** Every language's help for one route (or all of them), for an audience that sees `instances`. */
function buildHelp(c: Route<any> | undefined, instances: string, table: CommandTable<Route<any>>): HelpText {
  let build: (lang: Language) => { title: string; lines: string[] };
  // The route's own name, never the words typed (they may hold `<!channel>`).
  let topicTitle: string | undefined;
  if (c) {
    const title = c.usage.split(' ')[0] === c.name ? c.name : c.usage.split(/ [<[]/)[0]!;
    topicTitle = title;
    const asks = c.group === 'question' || c.group === 'instances' || c.group === 'billing';
    build = (lang) => ({
      title,
      lines: [
        summaryIn(c, lang),
        t(lang, 'help.usage', { usage: c.usage }),
        ...(c.aliases.length ? [t(lang, 'help.also', { aliases: c.aliases.join(', ') })] : []),
        ...spokenWordLines(c.name, lang),
        ...(c.needs?.admin ? [t(lang, 'help.needsAdmin')] : []),
        ...(c.group === 'billing' ? [t(lang, 'help.needsBilling')] : []),
        t(lang, 'help.examples'),
        ...c.examples.map((e) => `  ${e}`),
        ...(asks ? [periodHelp(lang), t(lang, 'help.instances', { list: instances })] : []),
      ],
    });
  } else {
    build = (lang) => {
      const lines: string[] = [];
      for (const group of GROUPS) {
        const routes = table.commands.filter((r) => r.group === group);
        if (routes.length === 0) continue;
        lines.push(`${t(lang, `help.group.${group}` as const)}:`, ...routes.map((r) => `  ${r.usage.padEnd(56)} ${summaryIn(r, lang)}`), '');
      }
      const spoken = [t(lang, 'help.spoken'), ...spokenHelpLines(new Set(table.names.keys()), lang), ''];
      return { title: t(lang, 'help.title'), lines: [...lines, ...spoken, periodHelp(lang), t(lang, 'help.instances', { list: instances }), t(lang, 'help.more')] };
    };
  }
  const translations = Object.fromEntries(LANGUAGES.filter((l) => l !== 'en').map((l) => [l, build(l)]));
  return { kind: 'help', ...build('en'), command: topicTitle ? `help ${topicTitle}` : 'help', translations };
}

/** Text → a route and its arguments. Pure: throws OfnError with suggestions. */
export function parseRoute(text: string, context: ParseContext): { route: Route<any>; args: unknown } {
  const words = splitWords(text);
  const table = routeTable(context.registry);
  if (words.length === 0) return { route: helpRoute, args: {} };
  const found = findIn(words, table);
  if (found) return { route: found.command, args: found.command.parse(words.slice(found.used), context) };
  // Not the bot's own words first: a question as people type it, in any language (spoken.ts).
  const spoken = findSpoken(words, table);
  const args = spoken.command.parse(spoken.rest, context);
  // `ayuda`, `aide`: help in the language of the word typed.
  return { route: spoken.command, args: spoken.command === helpRoute && spoken.language ? { ...(args as HelpArgs), language: spoken.language } : args };
}

export type ParsedQuestion = { kind: 'question'; command: Route<any>; args: any } | HelpText;

/**
 * The parser alone, for tests and fuzzing: text → a route and its arguments, or the help it would
 * show (help, metrics, segments, define). Pure; throws OfnError with suggestions.
 */
export function parseQuestion(text: string, context: ParseContext): ParsedQuestion {
  const { route, args } = parseRoute(text, context);
  if (route === helpRoute) return helpText(args as HelpArgs, context, context.registry);
  if (route.group === 'definitions') return { kind: 'help', ...describeRegistry(context.registry ?? DEFAULT_REGISTRY, args as string) };
  return { kind: 'question', command: route, args };
}
