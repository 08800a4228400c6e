import { DateTime } from 'luxon';
import type { Answer } from '../core/answer.js';
import { OfnError } from '../core/errors.js';
import { isMessageKey, LANGUAGES, t, type Language } from '../core/i18n.js';
import { averageToCents } from '../core/money.js';
import { countEnterprises, listEnterprises, type SalesScope } from '../queries/definitions.js';
import type { MetricEntry, Registry } from '../queries/registry.js';
import { needsAddresses, needsPeriod } from '../queries/definitions.js';
import { categoryLabel } from '../queries/watch-queries.js';
import { closest } from '../core/suggest.js';
import { defineMetricCommand, salesMeasure } from './metric-command.js';
import { answerPeriod, canonicalQuestion, instanceRef, lookupInstance, parseQuestionWords, utcWindow, type QuestionArgs } from './question.js';
import type { ResolvedPeriod } from '../core/periods.js';
import type { Command, Deps, ParseContext } from './types.js';

const THIS_MONTH = { kind: 'current', unit: 'month', offset: 0 } as const;

function segmentWord(command: string, words: readonly string[], context: ParseContext): string {
  const names = context.segmentNames ?? [];
  const word = words[0]?.toLowerCase();
  if (!word || !names.includes(word)) {
    const guess = word ? closest(word, names) : undefined;
    throw OfnError.say('BadArguments', guess ? 'error.needsSegmentGuess' : 'error.needsSegment', { command, names: names.join(', '), ...(guess ? { guess } : {}) }, 'hint.needsSegment');
  }
  return word;
}

interface SegmentArgs extends QuestionArgs {
  segmentName: string;
}

/** What `count` and `list` share: the segment's filters, the period (this month for period segments), the replica. */
async function segmentQuestion(deps: Deps, args: SegmentArgs, verb: 'counted' | 'listed') {
  const instance = lookupInstance(deps, args.instance);
  const filters = deps.config.registry.filtersOf(args.segmentName);
  const period = answerPeriod(args.period ?? (needsPeriod(filters) ? THIS_MONTH : undefined), instance, deps.now());
  const window = period.from ? utcWindow(period as ResolvedPeriod) : undefined;
  const replica = deps.replica(instance.id);
  // A replica without the personal tables (spree_addresses) still answers, but can't filter by country.
  const { addresses } = await replica.capabilities();
  if (needsAddresses(filters) && !addresses) {
    throw OfnError.say('SchemaMismatch', 'error.noAddresses', { name: instance.name, segment: args.segmentName, verb });
  }
  const base = { measure: args.segmentName, instance: instanceRef(instance), period, unit: 'count' as const };
  return { instance, filters, window, replica, addresses, base };
}

/** `count <segment> <instance> [period]`: how many enterprises are in a segment (at the period's end). */
export const countCommand: Command<SegmentArgs> = {
  name: 'count',
  aliases: [],
  summary: 'How many enterprises a segment has (now, or at the end of a period).',
  usage: 'count <segment> <instance> [period]',
  examples: ['count hubs katuma', 'count active-shops katuma last-month', 'count organic-hubs all'],
  parse(words, context) {
    const segmentName = segmentWord('count', words, context);
    return { ...parseQuestionWords('count', words.slice(1), { breakdowns: [] }, context), segmentName };
  },
  async run(deps, args): Promise<Answer> {
    const { filters, window, replica, base } = await segmentQuestion(deps, args, 'counted');
    // Segments about the period (active, created in) use the window; the others count what existed at its end.
    const value = await replica.read((tx) => countEnterprises(tx, filters, window && !needsPeriod(filters) ? { toUtc: window.toUtc } : undefined, window));
    return {
      kind: 'scalar',
      question: `count ${args.segmentName} ${canonicalQuestion('', args).trim()}`,
      title: `Count of ${args.segmentName}`,
      ...base,
      value: String(value),
    };
  },
};

/** `list <segment> <instance> [N]`: the segment's enterprises, newest first. */
export const listCommand: Command<SegmentArgs> = {
  name: 'list',
  aliases: [],
  summary: 'The enterprises of a segment: names, types, towns, creation dates (never people).',
  usage: 'list <segment> <instance> [N] [period]',
  examples: ['list hubs katuma', 'list active-shops katuma last-month 50'],
  parse(words, context) {
    const segmentName = segmentWord('list', words, context);
    return { ...parseQuestionWords('list', words.slice(1), { breakdowns: [], limit: { default: 20, max: 500 } }, context), segmentName };
  },
  async run(deps, args): Promise<Answer> {
    const { instance, filters, window, replica, addresses, base } = await segmentQuestion(deps, args, 'listed');
    // Segments about the period (active, created in) use the window; the others list what existed at its end, as count does.
    const { rows, total } = await replica.read((tx) => listEnterprises(tx, filters, args.limit ?? 20, window, addresses, window && !needsPeriod(filters) ? { toUtc: window.toUtc } : undefined));
    return {
      kind: 'list',
      question: `list ${args.segmentName} ${canonicalQuestion('', args).trim()}`,
      title: `List of ${args.segmentName}`,
      ...base,
      totalRows: total,
      rows: rows.map((r) => ({
        enterpriseId: r.enterpriseId,
        name: r.name,
        category: categoryLabel(r.isPrimaryProducer, r.sells),
        town: r.town,
        country: r.country,
        createdAt: DateTime.fromSQL(r.createdAt, { zone: 'UTC' }).setZone(instance.timezone).toISODate() ?? '',
      })),
    };
  },
};

/** A custom metric from config as a question like the built-in ones. */
export function customMetricCommand(entry: MetricEntry, registry: Registry): Command<QuestionArgs> {
  const measure = entry.measure;
  if (measure.kind === 'enterprises') {
    const filters = registry.filtersOf(measure.segment);
    return defineMetricCommand({
      name: entry.name,
      title: entry.name,
      summary: entry.description,
      unit: 'count',
      shape: { breakdowns: [] },
      examples: [`${entry.name} katuma`],
      async scalar(tx, window) {
        return { value: String(await countEnterprises(tx, filters, window && !needsPeriod(filters) ? { toUtc: window.toUtc } : undefined, window)) };
      },
    });
  }
  const fixed = measure.distributors ? registry.filtersOf(measure.distributors) : [];
  const scoped = (scope: SalesScope): SalesScope => ({ column: measure.column, distributors: [...fixed, ...(scope.distributors ?? [])] });
  const valueOf = (totals: { turnover: string; orders: number }) =>
    measure.aggregate === 'count' ? String(totals.orders) : measure.aggregate === 'avg' ? averageToCents(totals.turnover, totals.orders) : totals.turnover;
  return defineMetricCommand({
    name: entry.name,
    title: entry.name,
    summary: entry.description,
    unit: entry.unit,
    shape: { segments: true, breakdowns: ['day', 'week', 'month', 'shop'], defaultPeriod: THIS_MONTH },
    examples: [`${entry.name} katuma last-month`, `${entry.name} katuma last-12-months by month`],
    ordersDetail: measure.aggregate === 'avg' ? 'over' : 'from',
    ...(measure.aggregate === 'avg' ? { zero: null } : {}),
    ...salesMeasure(valueOf, scoped),
  });
}

/** A built-in entry's description in `lang` where the catalogs have its route's words; as written otherwise (custom ones: the config's). */
function descriptionIn(entry: { name: string; description: string; builtIn: boolean }, lang: Language): string {
  const key = `route.${entry.name}`;
  return lang !== 'en' && entry.builtIn && isMessageKey(key) ? t(lang, key) : entry.description;
}

/**
 * `metrics`, `segments`, `define <name>`: the registry in words, in English with every other language
 * beside it (helpIn picks the reader's). Definitions and custom descriptions are shown as written.
 */
export function describeRegistry(registry: Registry, what: 'metrics' | 'segments' | string): { title: string; lines: string[]; command: string; translations: Partial<Record<Language, { title: string; lines: string[] }>> } {
  const page = pageOf(registry, what);
  const translations = Object.fromEntries(LANGUAGES.filter((l) => l !== 'en').map((l) => [l, page.build(l)]));
  return { ...page.build('en'), command: page.command, translations };
}

function pageOf(registry: Registry, what: string): { command: string; build: (lang: Language) => { title: string; lines: string[] } } {
  const row = (e: { name: string; description: string; builtIn: boolean }, lang: Language) => `${e.name.padEnd(18)} ${descriptionIn(e, lang)}${e.builtIn ? '' : ` ${t(lang, 'define.custom')}`}`;
  if (what === 'metrics') return { command: 'metrics', build: (lang) => ({ title: t(lang, 'define.metrics'), lines: [...registry.metrics.values()].map((m) => row(m, lang)) }) };
  if (what === 'segments') return { command: 'segments', build: (lang) => ({ title: t(lang, 'define.segments'), lines: [...registry.segments.values()].map((s) => row(s, lang)) }) };
  const origin = (e: { builtIn: boolean }, lang: Language) => t(lang, e.builtIn ? 'define.builtIn' : 'define.fromConfig');
  const metric = registry.metrics.get(what);
  if (metric) {
    return {
      command: `define ${metric.name}`,
      build: (lang) => ({
        title: t(lang, 'define.metricTitle', { name: metric.name }),
        lines: [descriptionIn(metric, lang), t(lang, 'define.definition', { definition: metric.definition }), t(lang, 'define.unit', { unit: metric.unit }), origin(metric, lang)],
      }),
    };
  }
  const segment = registry.segments.get(what);
  if (segment) {
    const examples = `\`count ${segment.name} <instance>\`, \`list ${segment.name} <instance>\`, \`turnover <instance> last-month for ${segment.name}\``;
    return {
      command: `define ${segment.name}`,
      build: (lang) => ({
        title: t(lang, 'define.segmentTitle', { name: segment.name }),
        lines: [descriptionIn(segment, lang), t(lang, 'define.definition', { definition: segment.definition }), origin(segment, lang), t(lang, 'define.use', { examples })],
      }),
    };
  }
  const names = [...registry.metrics.keys(), ...registry.segments.keys()];
  const guess = closest(what, names);
  throw OfnError.say('NotFound', guess ? 'error.nothingCalledGuess' : 'error.nothingCalled', { what: what.slice(0, 40), ...(guess ? { guess } : {}) }, 'hint.metricsSegments');
}
