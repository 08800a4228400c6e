import { OfnError } from '../core/errors.js';
import { t } from '../core/i18n.js';
import { closest } from '../core/suggest.js';
import { bare, isFiller, LANGUAGES, QUESTION_WORDS, questionPhraseAt, questionWordSpellings, type Language } from '../core/vocabulary.js';
import { cached } from '../core/memo.js';
import { findIn, type CommandTable } from './questions.js';
import type { RouteGroup } from './types.js';

/**
 * Questions as people type them (issue 18): `how many shops in katuma?`, `¿cuántas tiendas hay en
 * katuma?`, `chiffre d'affaires katuma le mois dernier`. Only reached when the words do not start
 * with a route's own name, so every question the bot already understood is parsed as before.
 *
 * The question word (a route's name or alias, or one of core/vocabulary.ts in any language) may stand
 * anywhere after filler words; what is left, before and after it, goes to the route's own parser,
 * which skips filler words and reads periods as typed. Nothing leaves this closed grammar as text.
 */

/** Routes a sentence may name anywhere: questions and help, never management (`pulse add …` is typed as such). */
const SPOKEN_GROUPS: readonly RouteGroup[] = ['question', 'instances', 'billing', 'definitions', 'help'];

const MAX_LEAD = 12;

interface Named {
  name: string;
  aliases: readonly string[];
  group: RouteGroup;
}

export function findSpoken<C extends Named>(words: readonly string[], table: CommandTable<C>): { command: C; rest: string[]; language?: Language } {
  // Only the lead of a sentence is read here; the route's parser reads the rest.
  const cleaned = words.slice(0, MAX_LEAD + 4).map(bare).filter((w) => w !== '');
  // A question word comes early in a question: past the first dozen words, this is not one (and a 10 kB paste costs nothing).
  for (let i = 0; i < Math.min(cleaned.length, MAX_LEAD); i++) {
    const phrase = questionPhraseAt(cleaned, i);
    const command = phrase ? table.names.get(phrase.route) : undefined;
    const found = command ? { command, used: phrase!.used } : findIn(cleaned.slice(i), table);
    if (found && SPOKEN_GROUPS.includes(found.command.group)) {
      // A word before the question word that looks like a question of its own (`turnvoer`, `pulse ad …`) is the mistake to name.
      const mistaken = cleaned.slice(0, i).find((w) => !isFiller(w) && looksLikeAQuestion(w, table));
      if (mistaken) throw unknownQuestion(mistaken, cleaned.slice(cleaned.indexOf(mistaken)), table);
      const rest = [...cleaned.slice(0, i), ...cleaned.slice(i + found.used), ...words.slice(MAX_LEAD + 4)];
      // The language of the word typed (`ayuda`): help answers in it.
      return phrase && command ? { command: found.command, rest, language: phrase.language } : { command: found.command, rest };
    }
  }
  const meaningful = cleaned.filter((w) => !isFiller(w));
  const help = table.names.get('help');
  if (meaningful.length === 0 && help && words.length <= MAX_LEAD + 4) return { command: help, rest: [] };
  throw unknownQuestion(meaningful[0] ?? cleaned[0] ?? '', meaningful, table);
}

function looksLikeAQuestion<C extends Named>(word: string, table: CommandTable<C>): boolean {
  const w = word.toLowerCase();
  if (w.length > 40) return false;
  for (const name of table.names.keys()) if (name.startsWith(`${w}-`)) return true;
  return closest(word, namesOf(table)) !== undefined || closest(word, questionWordSpellings()) !== undefined;
}

const NAMES = new WeakMap<object, readonly string[]>();
function namesOf<C extends Named>(table: CommandTable<C>): readonly string[] {
  return cached(NAMES, table, () => [...table.names.keys()]);
}

/** `help facturación`, `ayuda pedidos`: the route a question word of any language names. */
export function spokenTopic<C extends Named>(words: readonly string[], table: CommandTable<C>): { command: C; used: number } | undefined {
  const phrase = questionPhraseAt(words.map(bare), 0);
  const command = phrase ? table.names.get(phrase.route) : undefined;
  return command ? { command, used: phrase!.used } : undefined;
}

/** "I don't know the question `facturacon`. Did you mean `facturación`?": across route names and every language. */
function unknownQuestion<C extends Named>(first: string, meaningful: readonly string[], table: CommandTable<C>): OfnError {
  const shown = first.slice(0, 60);
  const names = namesOf(table);
  const spellings = questionWordSpellings();
  const guess =
    closest(first, names) ??
    closest(first, spellings) ??
    closest(meaningful.slice(0, 2).join('-'), names) ??
    closest(meaningful.slice(0, 2).join(' '), spellings);
  return guess
    ? OfnError.say('UnknownQuestion', 'error.unknownQuestionGuess', { word: shown, guess }, 'hint.help')
    : OfnError.say('UnknownQuestion', 'error.unknownQuestion', { word: shown }, 'hint.help');
}

/** `In Spanish: facturación, ventas, …`: one line per language for `help <question>`, in `lang` (built once per route and language). */
export function spokenWordLines(route: string, lang: Language = 'en'): readonly string[] {
  return cached(LINES_OF, `${lang} ${route}`, () =>
    spokenWordsOf(route).map((l) => t(lang, 'help.wordsIn', { language: t(lang, `language.${l.language}` as const), words: l.words.join(', ') })),
  );
}
const LINES_OF = new Map<string, readonly string[]>();

/** The question words of each language for a route (`turnover`: es facturación, ventas …), for help. */
export function spokenWordsOf(route: string): { language: Language; words: string[] }[] {
  return cached(WORDS_OF, route, () =>
    LANGUAGES.map((language) => ({ language, words: QUESTION_WORDS.filter((q) => q.language === language && q.route === route).map((q) => q.phrase) })).filter((l) => l.words.length > 0),
  );
}
const WORDS_OF = new Map<string, { language: Language; words: string[] }[]>();

/** One line per language: its question words and what each asks, for `help`, in `lang` (the reader's first). */
export function spokenHelpLines(routes: ReadonlySet<string>, lang: Language = 'en'): readonly string[] {
  return cached(HELP_LINES, `${lang} ${[...routes].join(' ')}`, () => helpLinesOf(routes, lang), 100);
}
const HELP_LINES = new Map<string, readonly string[]>();

function helpLinesOf(routes: ReadonlySet<string>, lang: Language): string[] {
  const order = [lang, ...LANGUAGES.filter((l) => l !== lang && l !== 'en')].filter((l) => l !== 'en');
  return order.map((language) => {
    const words = QUESTION_WORDS.filter((q) => q.language === language && routes.has(q.route));
    const byRoute = new Map<string, string[]>();
    for (const q of words) byRoute.set(q.route, [...(byRoute.get(q.route) ?? []), q.phrase]);
    return `  ${t(lang, `language.${language}` as const)}: ${[...byRoute].map(([route, phrases]) => `${phrases[0]} (${route})`).join(', ')}`;
  });
}
