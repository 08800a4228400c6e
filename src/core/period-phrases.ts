import { OfnError } from './errors.js';
import { isCanonicalPeriodWord, looksLikePeriod, parsePeriod, spanOf, type BoundSpec, type PeriodOptions, type PeriodSpec } from './periods.js';
import { fold } from './vocabulary.js';

/**
 * Periods as people type them in a sentence, over several words: `el mes pasado`, `le mois dernier`,
 * `letzten Monat`, `the last 3 months`, `octubre de 2026`, `Q3 2026`, `since 2026-01-01`,
 * `desde octubre hasta el 15/11/2026`. Each phrase maps to a canonical period word (`last-month`,
 * `last-3-months`), which parsePeriod reads; `#` in a phrase is a number.
 * Articles (`el`, `le`, `the`) are filler words and are skipped before a phrase is tried.
 */
const PHRASES: Record<string, readonly string[]> = {
  today: ['hoy', 'avui', "aujourd'hui", 'heute'],
  yesterday: ['ayer', 'ahir', 'hier', 'gestern'],
  'this-week': ['this week', 'current week', 'esta semana', 'aquesta setmana', 'cette semaine', 'diese woche', 'dieser woche', 'diesen woche'],
  'last-week': ['last week', 'previous week', 'past week', 'semana pasada', 'semana anterior', 'setmana passada', 'setmana anterior', 'semaine derniere', 'semaine precedente', 'letzte woche', 'letzten woche', 'vorige woche', 'vorwoche'],
  'this-month': ['this month', 'current month', 'este mes', 'mes actual', 'mes en curso', 'aquest mes', 'mes actual', 'ce mois', 'ce mois-ci', 'mois en cours', 'diesen monat', 'dieser monat', 'diesem monat', 'aktueller monat'],
  'last-month': ['last month', 'previous month', 'past month', 'mes pasado', 'mes anterior', 'ultimo mes', 'mes passat', 'darrer mes', 'ultim mes', 'mois dernier', 'mois precedent', 'dernier mois', 'letzten monat', 'letzter monat', 'letztem monat', 'vorigen monat', 'vormonat'],
  'this-quarter': ['this quarter', 'current quarter', 'este trimestre', 'trimestre actual', 'aquest trimestre', 'ce trimestre', 'trimestre en cours', 'dieses quartal', 'diesem quartal', 'aktuelles quartal'],
  'last-quarter': ['last quarter', 'previous quarter', 'trimestre pasado', 'trimestre anterior', 'ultimo trimestre', 'trimestre passat', 'darrer trimestre', 'trimestre dernier', 'dernier trimestre', 'trimestre precedent', 'letztes quartal', 'letzten quartal', 'vorquartal'],
  'this-year': [
    'this year', 'current year', 'year to date', 'year-to-date',
    'este ano', 'ano en curso', 'en lo que va de ano', 'lo que va de ano', 'en lo que va del ano', 'lo que va del ano', 'acumulado del ano', 'ano hasta la fecha',
    'aquest any', 'any en curs', 'el que portem d any', 'el que va d any',
    'cette annee', 'annee en cours', 'depuis le debut de annee', 'cumul annuel',
    'dieses jahr', 'diesem jahr', 'laufendes jahr', 'seit jahresbeginn', 'seit jahresanfang', 'bisher dieses jahr',
  ],
  'last-year': ['last year', 'previous year', 'ano pasado', 'ano anterior', 'any passat', 'any anterior', 'annee derniere', 'an dernier', 'annee precedente', 'letztes jahr', 'letzten jahr', 'vorjahr', 'vorigen jahr'],
  'last-#-days': ['last # days', 'past # days', 'ultimos # dias', 'ultims # dies', 'darrers # dies', '# derniers jours', 'derniers # jours', 'letzten # tage', 'letzten # tagen', 'vergangenen # tage', 'vergangenen # tagen'],
  'last-#-weeks': ['last # weeks', 'past # weeks', 'ultimas # semanas', 'ultimes # setmanes', 'darreres # setmanes', '# dernieres semaines', 'dernieres # semaines', 'letzten # wochen', 'vergangenen # wochen'],
  'last-#-months': ['last # months', 'past # months', 'ultimos # meses', 'ultims # mesos', 'darrers # mesos', '# derniers mois', 'derniers # mois', 'letzten # monate', 'letzten # monaten', 'vergangenen # monate', 'vergangenen # monaten'],
};

/** `since` in every language (a period follows), and `until`. */
const SINCE = ['since', 'from', 'starting', 'desde', 'a partir de', 'a partir del', 'des de', 'des del', 'depuis', 'a partir du', 'seit', 'ab'];
const UNTIL = ['until', 'till', 'up to', 'hasta', 'hasta el', 'fins a', 'fins al', 'fins el', 'fins', "jusqu'au", "jusqu'a", 'jusqu au', 'jusqu a', 'bis', 'bis zum', 'bis zur'];
/** `vom X bis Y`, `del X al Y`, `du X au Y`, `between X and Y`: a start only when an end follows (`ventas de octubre` is October's). */
const WEAK_SINCE = ['vom', 'von', 'du', 'del', 'de', 'between', 'entre', 'zwischen'];
/** What joins `since X` to the end of a range: `from X to Y`, `desde X hasta Y`, `du X au Y`, `vom X bis Y`. */
const RANGE_TO = [...UNTIL, 'to', 'al', 'a', 'au', 'y', 'i', 'et', 'und', 'and', '-'];

interface Phrase {
  tokens: readonly string[];
  canonical: string;
}

function indexOf(entries: [string, string][]): Map<string, Phrase[]> {
  const index = new Map<string, Phrase[]>();
  for (const [phrase, canonical] of entries) {
    const tokens = phrase.split(' ').map(fold);
    const list = index.get(tokens[0]!) ?? [];
    list.push({ tokens, canonical });
    list.sort((a, b) => b.tokens.length - a.tokens.length);
    index.set(tokens[0]!, list);
  }
  return index;
}

const PERIOD_INDEX = indexOf(Object.entries(PHRASES).flatMap(([canonical, phrases]) => phrases.map((p): [string, string] => [p, canonical])));
const SINCE_INDEX = indexOf([...SINCE.map((p): [string, string] => [p, 'since']), ...WEAK_SINCE.map((p): [string, string] => [p, 'weak'])]);
const UNTIL_INDEX = indexOf(UNTIL.map((p) => [p, 'until']));
const RANGE_TO_INDEX = indexOf(RANGE_TO.map((p) => [p, 'to']));

function matchAt(index: Map<string, Phrase[]>, folded: readonly string[], i: number): { canonical: string; used: number } | undefined {
  return matchIn(index.get(folded[i]!), folded, i) ?? (/^\d+$/.test(folded[i] ?? '') ? matchIn(index.get('#'), folded, i) : undefined);
}

function matchIn(candidates: readonly Phrase[] | undefined, folded: readonly string[], i: number): { canonical: string; used: number } | undefined {
  if (!candidates) return undefined;
  for (const phrase of candidates) {
    let number: string | undefined;
    const fits = phrase.tokens.every((token, k) => {
      const word = folded[i + k];
      if (word === undefined) return false;
      if (token === '#') {
        if (!/^\d{1,5}$/.test(word)) return false;
        number = word;
        return true;
      }
      return word === token;
    });
    if (fits) return { canonical: number === undefined ? phrase.canonical : phrase.canonical.replace('#', number), used: phrase.tokens.length };
  }
  return undefined;
}

const YEAR = /^\d{4}$/;
const JOINERS = new Set(['de', 'del', 'of', 'en']);

/**
 * One period, read from `words[i]` on: a canonical word (`last-month`), a typed one (`octubre`,
 * `31/10/2026`, `Q3`), a phrase (`el mes pasado` from `mes`), a month or quarter with its year
 * (`oct 2026`, `octubre de 2026`, `Q3 2026`), or `since …` / `until …` (both make one range).
 * Undefined when no period starts there; throws BadPeriod for a period that is wrong (`2026-13`).
 */
export function readPeriod(words: readonly string[], start: number, options: PeriodOptions = {}): { spec: PeriodSpec; used: number } | undefined {
  const lower = words[start]!.toLowerCase();
  if (isCanonicalPeriodWord(lower)) return { spec: parsePeriod(lower, options), used: 1 };
  // The longest reading is `since <month> de <year> to the <month> de <year>`: twelve words is plenty.
  const folded = words.slice(start, start + 12).map(fold);
  const typed = words[start]!;
  const first = readOne(folded, 0, options);
  if (first) return first;
  const since = matchAt(SINCE_INDEX, folded, 0);
  const until = since ? undefined : matchAt(UNTIL_INDEX, folded, 0);
  if (!since && !until) return undefined;
  const at = skipArticles(folded, (since ?? until)!.used);
  // `from` or `ab` not followed by a period is not `since` (`turnover from katuma`); `since` alone is an error.
  if ((at >= folded.length || !readOne(folded, at, options)) && folded[0] !== 'since' && folded[0] !== 'until') return undefined;
  const bound = readBound(folded, at, options, typed);
  if (until) return { spec: spanOf(typed, undefined, bound.spec), used: bound.end };
  // `since X to Y`: one range.
  const to = matchAt(RANGE_TO_INDEX, folded, bound.end);
  if (to) {
    const start = skipArticles(folded, bound.end + to.used);
    const end = start < folded.length ? readOne(folded, start, options) : undefined;
    if (end && end.spec.kind !== 'span') return { spec: spanOf(typed, bound.spec, end.spec as BoundSpec), used: start + end.used };
  }
  if (since?.canonical === 'weak') return undefined;
  return { spec: spanOf(typed, bound.spec, undefined), used: bound.end };
}

const ARTICLES = new Set(['el', 'la', 'le', 'les', 'the', 'dem', 'den', 'der', 'die', 'lo']);
function skipArticles(folded: readonly string[], i: number): number {
  while (i < folded.length && ARTICLES.has(folded[i]!)) i++;
  return i;
}

function readBound(folded: readonly string[], i: number, options: PeriodOptions, typed: string): { spec: BoundSpec; end: number } {
  const one = i < folded.length ? readOne(folded, i, options) : undefined;
  if (!one) throw OfnError.say('BadPeriod', 'error.boundNeedsDate', { word: typed.slice(0, 20) });
  if (one.spec.kind === 'span') throw OfnError.say('BadPeriod', 'error.boundOnce');
  return { spec: one.spec, end: i + one.used };
}

/** A period that is not a span: canonical, typed, a phrase, or a month/quarter with its year. */
function readOne(folded: readonly string[], i: number, options: PeriodOptions): { spec: PeriodSpec; used: number } | undefined {
  const word = folded[i]!;
  const phrase = matchAt(PERIOD_INDEX, folded, i);
  if (phrase) return { spec: parsePeriod(phrase.canonical, options), used: phrase.used };
  // `last 3 months` typed with spaces (and `last-3 months`).
  if (word === 'last' || word === 'this') {
    for (const used of [3, 2]) {
      if (i + used > folded.length) continue;
      const candidate = folded.slice(i, i + used).join('-');
      if (/^(last|this)-(\d+-)?(day|week|month|quarter|year)s?$/.test(candidate)) return { spec: parsePeriod(candidate, options), used };
    }
  }
  if (!looksLikePeriod(word)) return undefined;
  const spec = parsePeriod(word, options);
  // A month or quarter followed by its year: `oct 2026`, `octubre de 2026`, `Q3 2026`.
  if (spec.kind === 'recent-month' || spec.kind === 'recent-quarter') {
    const next = JOINERS.has(folded[i + 1] ?? '') ? i + 2 : i + 1;
    const year = folded[next];
    if (year !== undefined && YEAR.test(year)) {
      const withYear = spec.kind === 'recent-month' ? `${year}-${String(spec.month).padStart(2, '0')}` : `${year}-q${spec.quarter}`;
      return { spec: parsePeriod(withYear, options), used: next - i + 1 };
    }
  }
  return { spec, used: 1 };
}
