import { DateTime } from 'luxon';
import type { AnswerPeriod, InstanceRef } from '../core/answer.js';
import { OfnError } from '../core/errors.js';
import { readPeriod } from '../core/period-phrases.js';
import {
  isCanonicalPeriodWord,
  monthWords,
  parsePeriod,
  periodLikeError,
  dateLocale,
  periodLabel,
  spanOf,
  resolvePeriod,
  toUtcTimestamp,
  PERIOD_FORMS,
  type Grain,
  type PeriodOptions,
  type PeriodSpec,
  type ResolvedPeriod,
} from '../core/periods.js';
import { languageOfLocale } from '../core/i18n.js';
import { closest } from '../core/suggest.js';
import { bare, BREAKDOWN_WORDS, BY_WORDS, FLAG_WORDS, fold, isFiller } from '../core/vocabulary.js';
import type { InstanceConfig } from '../config/config.js';
import type { UtcWindow } from '../queries/definitions.js';
import type { Presentation } from '../core/outcome.js';
import type { Deps, ParseContext } from './types.js';

export type Breakdown = Grain | 'shop';

/** What a question accepts besides the instance. */
export interface QuestionShape {
  breakdowns: readonly Breakdown[];
  /** Used when no period is typed; undefined means "as of now" (counts of what exists). */
  defaultPeriod?: PeriodSpec;
  limit?: { default: number; max: number };
  /** Accepts `for <segment>`: only orders distributed by enterprises of that segment. */
  segments?: boolean;
}

export interface QuestionArgs extends Presentation {
  instance: string;
  /** Several instances: `all` (every instance the asker may see) or a list such as `katuma,uk`. */
  scope?: 'all' | string[];
  period?: PeriodSpec;
  breakdown?: Breakdown;
  limit?: number;
  /** `for hubs`: restrict to orders distributed by a segment. */
  segment?: string;
}

const FLAGS = ['chart', 'public'] as const;
const MAX_WORD = 80;

/** The instance ids an error may name: only those the asker may see. */
function listed(context: ParseContext): readonly string[] {
  return context.visibleIds ?? context.instanceIds;
}

function shorten(word: string): string {
  return word.length > MAX_WORD ? `${word.slice(0, MAX_WORD)}…` : word;
}

/** Parses the words after a question's name: instance, period, `by …`, N, chart, public, in any order. */
export function parseQuestionWords(commandName: string, words: readonly string[], shape: QuestionShape, context: ParseContext): QuestionArgs {
  const args: Partial<QuestionArgs> & Presentation = { chart: false, public: false };
  const periodOptions = context.dateOrder ? { dateOrder: context.dateOrder } : {};
  // Words as typed in a sentence: `katuma?` is katuma, a lone `?` is nothing.
  // Bared as they are read (a 10 kB paste stops at its first unknown word, unbared past it).
  const typed = new LazyWords(words);
  for (let i = 0; i < words.length; ) {
    const original = typed.at(i)!;
    const word = original.toLowerCase();
    if (word === '') {
      i++;
      continue;
    }
    if ((FLAGS as readonly string[]).includes(word)) {
      args[word as (typeof FLAGS)[number]] = true;
      i++;
      continue;
    }
    // `by month`, `por mes`, `par mois`, `pro Monat`: a breakdown word in any language follows.
    const byWord = word === 'by' || word.startsWith('by-') || (BY_WORDS.has(word) && BREAKDOWN_WORDS.has(fold(typed.at(i + 1) ?? '')));
    if (byWord) {
      const next = word.startsWith('by-') ? word.slice(3) : typed.at(i + 1)?.toLowerCase();
      const target = next === undefined ? undefined : (BREAKDOWN_WORDS.get(fold(next)) ?? next);
      i += word.startsWith('by-') ? 1 : 2;
      if (shape.breakdowns.length === 0) {
        throw OfnError.say('BadArguments', 'error.noBreakdowns', { command: commandName });
      }
      if (!target || !(shape.breakdowns as readonly string[]).includes(target)) {
        const list = shape.breakdowns.map((b) => `by ${b}`).join(', ');
        const guess = target ? closest(target, shape.breakdowns) : undefined;
        throw OfnError.say('BadArguments', guess ? 'error.breakdownsGuess' : 'error.breakdowns', { command: commandName, list, ...(guess ? { guess } : {}) });
      }
      if (args.breakdown) throw OfnError.say('BadArguments', 'error.oneBreakdown');
      args.breakdown = target as Breakdown;
      continue;
    }
    if (word === 'for') {
      const target = typed.at(i + 1)?.toLowerCase();
      const names = context.segmentNames ?? [];
      const segmentLike = target !== undefined && (names.includes(target) || closest(target, names) !== undefined);
      // `for` before an instance or a period is a filler word (`turnover for katuma`).
      if (target !== undefined && !segmentLike) {
        i++;
        continue;
      }
      if (!shape.segments) throw OfnError.say('BadArguments', 'error.noSegments', { command: commandName });
      if (!target || !names.includes(target)) {
        const guess = target ? closest(target, names) : undefined;
        throw OfnError.say('BadArguments', guess ? 'error.forSegmentGuess' : 'error.forSegment', { names: names.join(', '), ...(guess ? { guess } : {}) }, 'hint.segments');
      }
      args.segment = target;
      i += 2;
      continue;
    }
    if (word === 'all' || (word.includes(',') && word.split(',').every((id) => context.instanceIds.includes(id)))) {
      if (args.scope || args.instance) throw OfnError.say('BadArguments', 'error.instancesOnce');
      args.scope = word === 'all' ? 'all' : [...new Set(word.split(','))];
      i++;
      continue;
    }
    if (word.includes(',')) {
      const unknown = word.split(',').filter((id) => !context.instanceIds.includes(id));
      throw OfnError.say('UnknownInstance', 'error.unknownInList', { n: unknown.length, unknown: unknown.map((u) => `\`${shorten(u)}\``).join(', '), word: shorten(word), instances: listed(context).join(', ') });
    }
    if (context.instanceIds.includes(word)) {
      if (args.scope) throw OfnError.say('BadArguments', 'error.instancesOnce');
      if (args.instance && args.instance !== word) {
        throw OfnError.say('BadArguments', 'error.oneInstance', { first: args.instance, second: word });
      }
      args.instance = word;
      i++;
      continue;
    }
    // Four digits from 2000 are a year (`top-shops katuma 2026`); any other number is N, checked against its range,
    // unless it starts a period (`3 derniers mois`).
    if (/^\d+$/.test(word) && shape.limit && !(/^\d{4}$/.test(word) && Number(word) >= 2000) && !startsLongerPeriod(typed.from(i), 0, periodOptions, context)) {
      const n = Number(word);
      if (n < 1 || n > shape.limit.max) {
        throw OfnError.say('BadArguments', 'error.rowsRange', { command: commandName, max: String(shape.limit.max) });
      }
      args.limit = n;
      i++;
      continue;
    }
    // A canonical period word (`last-month`, `2026-10`) needs no phrase reading.
    const period = isCanonicalPeriodWord(word) ? { spec: parsePeriod(word, periodOptions), used: 1 } : readPeriod(typed.from(i), 0, periodOptions);
    if (period) {
      args.period = args.period ? joinPeriods(args.period, period.spec, original) : period.spec;
      i += period.used;
      continue;
    }
    // `gráfico`, `graphique`, `Diagramm`: the flags in other languages.
    const flag = FLAG_WORDS.get(fold(word));
    if (flag) {
      args[flag] = true;
      i++;
      continue;
    }
    // `how many`, `cuántas`, `de`, `en`, `hay`, `por` without a breakdown: nothing to read.
    if (isFiller(word) || BY_WORDS.has(word)) {
      i++;
      continue;
    }
    // The words it could have been, built only when one is not understood (every parse would pay for them).
    const known = [...listed(context), ...FLAGS, 'by', ...shape.breakdowns, ...(shape.segments ? (context.segmentNames ?? []) : [])];
    throw unknownWord(commandName, shorten(original), known, context);
  }
  if (args.scope) args.instance = args.scope === 'all' ? context.instanceIds[0]! : args.scope[0]!;
  if (!args.instance) {
    const visible = listed(context);
    if (visible.length === 1) args.instance = visible[0]!;
    else {
      throw OfnError.say('UnknownInstance', 'error.whichInstanceOrAll', { instances: visible.join(', '), command: commandName, example: visible[0] ?? 'katuma' }, 'hint.instanceExample');
    }
  }
  if (!args.period && shape.defaultPeriod) args.period = shape.defaultPeriod;
  if (shape.limit && args.limit === undefined) args.limit = shape.limit.default;
  return args as QuestionArgs;
}

/** Words bared on first read; `from(i)` gives the dozen a period phrase may span. */
class LazyWords {
  private readonly cache: (string | undefined)[];
  constructor(private readonly words: readonly string[]) {
    // A question is a few words: bare them at once (a packed array); a paste lazily.
    this.cache = words.length <= 32 ? words.map(bare) : [];
  }
  at(i: number): string | undefined {
    if (i >= this.words.length) return undefined;
    return (this.cache[i] ??= bare(this.words[i]!));
  }
  from(i: number): string[] {
    const out: string[] = [];
    for (let k = i; k < Math.min(this.words.length, i + 12); k++) out.push(this.at(k)!);
    return out;
  }
}

function startsLongerPeriod(words: readonly string[], i: number, options: PeriodOptions, context: ParseContext): boolean {
  const next = words[i + 1]?.toLowerCase();
  if (next === undefined || context.instanceIds.includes(next)) return false;
  try {
    return (readPeriod(words, i, options)?.used ?? 0) > 1;
  } catch {
    return false;
  }
}

/** `since 2026-01-01` then `until 2026-06-30`: one range; any other second period is refused. */
function joinPeriods(first: PeriodSpec, second: PeriodSpec, typed: string): PeriodSpec {
  if (first.kind === 'span' && second.kind === 'span' && first.from && !first.to && second.to && !second.from) return spanOf(typed, first.from, second.to);
  if (first.kind === 'span' && second.kind === 'span' && first.to && !first.from && second.from && !second.to) return spanOf(typed, second.from, first.to);
  throw OfnError.say('BadPeriod', 'error.onePeriod', { forms: PERIOD_FORMS.join(', ') }, 'hint.periods');
}

function unknownWord(commandName: string, word: string, known: readonly string[], context: ParseContext): OfnError {
  const periodLike = periodLikeError(word, context.dateOrder ? { dateOrder: context.dateOrder } : {});
  if (periodLike) return periodLike;
  const asInstance = closest(word, listed(context));
  if (asInstance) {
    return OfnError.say('UnknownInstance', 'error.unknownInstanceGuess', { word, guess: asInstance, instances: listed(context).join(', ') });
  }
  const guess = closest(word, [...known, ...monthWords()]);
  if (guess) return OfnError.say('BadArguments', 'error.notUnderstoodGuess', { word, command: commandName, guess });
  return OfnError.say('BadArguments', 'error.notUnderstood', { word, command: commandName, instances: listed(context).join(', ') }, 'hint.helpCommand');
}

/** The canonical text of a question, runnable again as typed (buttons, saved questions). */
export function canonicalQuestion(commandName: string, args: QuestionArgs): string {
  const parts = [commandName];
  if (args.limit !== undefined) parts.push(String(args.limit));
  parts.push(args.scope === 'all' ? 'all' : args.scope ? args.scope.join(',') : args.instance);
  if (args.period) parts.push(periodLabel(args.period));
  if (args.breakdown) parts.push(`by ${args.breakdown}`);
  if (args.segment) parts.push(`for ${args.segment}`);
  return parts.join(' ');
}

export function instanceRef(instance: InstanceConfig): InstanceRef {
  return { id: instance.id, name: instance.name, timezone: instance.timezone, currency: instance.currency, locale: instance.locale, language: instance.language ?? languageOfLocale(instance.locale) };
}

export function lookupInstance(deps: Deps, id: string): InstanceConfig {
  const instance = deps.config.instances.get(id);
  if (!instance) {
    const ids = [...deps.config.instances.keys()];
    const guess = closest(id, ids);
    const values = { word: shorten(id), instances: ids.join(', ') };
    throw guess ? OfnError.say('UnknownInstance', 'error.unknownInstanceGuess', { ...values, guess }) : OfnError.say('UnknownInstance', 'error.unknownInstance', values);
  }
  return instance;
}

export function utcWindow(period: ResolvedPeriod): UtcWindow {
  return { fromUtc: toUtcTimestamp(period.from), toUtc: toUtcTimestamp(period.to) };
}

/** Resolves the period of a question in the instance's zone, or "as of now" when none applies. */
export function answerPeriod(spec: PeriodSpec | undefined, instance: InstanceConfig, now: Date): AnswerPeriod {
  if (spec) return resolvePeriod(spec, instance.timezone, now);
  return { label: 'now', from: null, to: DateTime.fromJSDate(now, { zone: instance.timezone }), timezone: instance.timezone };
}

/** "14:05 (Europe/Madrid)" when the instance's replica lags more than its threshold, else undefined. */
export async function staleness(deps: Deps, instance: InstanceConfig): Promise<string | undefined> {
  try {
    const replayed = await deps.replica(instance.id).lastReplayed(deps.now().getTime());
    if (!replayed) return undefined;
    if (replayed.lagMs <= instance.staleAfterSeconds * 1000) return undefined;
    return DateTime.fromJSDate(replayed.at, { zone: instance.timezone }).setLocale(dateLocale(instance.locale, 'en')).toFormat('d LLL HH:mm');
  } catch {
    return undefined; // freshness is a courtesy; the answer itself already succeeded or failed on its own
  }
}
