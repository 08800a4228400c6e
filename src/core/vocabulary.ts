/**
 * The words people type, in English, Spanish, Catalan, French and German: question words, the words
 * of a sentence that carry nothing (`how many`, `cuántas`, `de`, `in`, `?`), breakdowns and flags.
 * A closed grammar: every word here maps to a canonical word of the bot's own vocabulary
 * (`facturación` → `turnover`), so nothing typed ever reaches a query as text.
 *
 * Matching folds case, accents and elided articles (`Läden` = `laden`, `l'any` = `any`), so
 * `facturacion` typed on a phone is `facturación`. The first spelling of each entry is how `help`
 * and did-you-mean show it.
 */

export const LANGUAGES = ['en', 'es', 'ca', 'fr', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

/** One word as the grammar compares it: lower case, no accents, no elided `l'`/`d'`, no ¿?¡!,;: around it. */
export function fold(word: string): string {
  let w = word.toLowerCase();
  // Fast path: plain ASCII letters, digits and dashes (every canonical word) need nothing more.
  if (/^[a-z0-9-]*$/.test(w)) return w;
  w = bare(w.replace(/[’`´]/g, "'")).normalize('NFD').replace(/\p{M}/gu, '').replace(/ß/g, 'ss');
  return w.replace(/^(l|d)'(?=[\p{L}\p{N}])/u, '');
}

/** Strips what surrounds a word in a sentence (`katuma?`, `¿cuántas`) without folding it. */
export function bare(word: string): string {
  if (/^[a-z0-9-]*$/i.test(word) || /^[\p{L}\p{N}-]*$/u.test(word)) return word;
  const w = word.replace(/^[¿¡"«(]+/, '').replace(/[?!,;:"»)]+$/, '');
  return w.endsWith('.') && !w.endsWith('..') ? w.replace(/\.+$/, '') : w;
}

/** A question word (or phrase) of a language and the route it names. */
interface QuestionWord {
  phrase: string;
  route: string;
  language: Language;
}

const Q: Record<Language, Record<string, readonly string[]>> = {
  en: {
    turnover: ['revenue', 'sales', 'gmv'],
    orders: ['order', 'number of orders'],
    'average-order': ['average order', 'average order value', 'aov', 'average basket'],
    'top-shops': ['top shops', 'best shops', 'top sellers'],
    'new-profiles': ['new profiles', 'new enterprises'],
    'new-shops': ['new shops', 'new stores'],
    'active-shops': ['active shops', 'active stores'],
    shops: ['stores', 'store'],
    producers: ['farmers', 'growers'],
    profiles: ['enterprises'],
    help: ['help'],
  },
  es: {
    turnover: ['facturación', 'ventas', 'volumen de ventas', 'ingresos'],
    orders: ['pedidos', 'pedido', 'número de pedidos'],
    'average-order': ['pedido medio', 'ticket medio', 'valor medio del pedido', 'pedido promedio'],
    'top-shops': ['mejores tiendas', 'top tiendas', 'tiendas que más venden'],
    'new-profiles': ['nuevos perfiles', 'perfiles nuevos', 'nuevas empresas'],
    'new-shops': ['nuevas tiendas', 'tiendas nuevas'],
    'active-shops': ['tiendas activas'],
    shops: ['tiendas', 'tienda'],
    hubs: ['grupos de consumo'],
    producers: ['productores', 'productor', 'productoras'],
    profiles: ['perfiles', 'perfil', 'empresas'],
    billing: ['factura', 'cobro'],
    compare: ['comparar', 'compara'],
    growth: ['crecimiento'],
    help: ['ayuda'],
  },
  ca: {
    turnover: ['facturació', 'vendes'],
    orders: ['comandes', 'comanda', 'nombre de comandes'],
    'average-order': ['comanda mitjana', 'tiquet mitjà'],
    'top-shops': ['millors botigues', 'top botigues'],
    'new-profiles': ['nous perfils', 'perfils nous', 'noves empreses'],
    'new-shops': ['noves botigues', 'botigues noves'],
    'active-shops': ['botigues actives'],
    shops: ['botigues', 'botiga'],
    hubs: ['grups de consum'],
    producers: ['productors', 'productores', 'productor'],
    profiles: ['perfils', 'empreses'],
    compare: ['comparar', 'compara'],
    growth: ['creixement'],
    help: ['ajuda'],
  },
  fr: {
    turnover: ["chiffre d'affaires", 'ventes', 'recettes'],
    orders: ['commandes', 'commande', 'nombre de commandes'],
    'average-order': ['panier moyen', 'commande moyenne'],
    'top-shops': ['meilleures boutiques', 'top boutiques'],
    'new-profiles': ['nouveaux profils', 'nouvelles entreprises'],
    'new-shops': ['nouvelles boutiques'],
    'active-shops': ['boutiques actives'],
    shops: ['boutiques', 'boutique', 'magasins'],
    producers: ['producteurs', 'productrices', 'producteur'],
    profiles: ['profils', 'entreprises'],
    billing: ['facturation', 'facture'],
    compare: ['comparer', 'compare'],
    growth: ['croissance'],
    help: ['aide'],
  },
  de: {
    turnover: ['Umsatz', 'Umsätze', 'Verkäufe'],
    orders: ['Bestellungen', 'Bestellung', 'Anzahl Bestellungen'],
    'average-order': ['durchschnittliche Bestellung', 'Durchschnittsbestellung', 'Warenkorb', 'durchschnittlicher Bestellwert'],
    'top-shops': ['beste Läden', 'Top-Läden', 'Top Läden'],
    'new-profiles': ['neue Profile'],
    'new-shops': ['neue Läden', 'neue Shops'],
    'active-shops': ['aktive Läden', 'aktive Shops'],
    shops: ['Läden', 'Laden', 'Laeden'],
    producers: ['Erzeuger', 'Produzenten', 'Hersteller'],
    profiles: ['Profile', 'Unternehmen'],
    billing: ['Abrechnung', 'Rechnung'],
    compare: ['vergleichen', 'vergleiche'],
    growth: ['Wachstum'],
    help: ['Hilfe'],
  },
};

export const QUESTION_WORDS: readonly QuestionWord[] = LANGUAGES.flatMap((language) =>
  Object.entries(Q[language]).flatMap(([route, phrases]) => phrases.map((phrase) => ({ phrase, route, language }))),
);

/** Folded phrase → route, and its display spelling. Phrases are up to four words. */
const QUESTION_INDEX = new Map<string, { route: string; shown: string; language: Language }>();
for (const { phrase, route, language } of QUESTION_WORDS) {
  const key = phrase.split(/\s+/).map(fold).join(' ');
  if (!QUESTION_INDEX.has(key)) QUESTION_INDEX.set(key, { route, shown: phrase, language });
}
export const MAX_PHRASE_WORDS = 4;

/** The route a question phrase starting at `words[i]` names (longest first), and how many words it used. */
export function questionPhraseAt(words: readonly string[], i: number): { route: string; used: number; shown: string; language: Language } | undefined {
  for (let used = Math.min(MAX_PHRASE_WORDS, words.length - i); used >= 1; used--) {
    const key = words.slice(i, i + used).map(fold).join(' ');
    const hit = QUESTION_INDEX.get(key) ?? QUESTION_INDEX.get(key.replace(/-/g, ' '));
    if (hit) return { ...hit, used };
  }
  return undefined;
}

/** Every question word as shown (accents kept), for did-you-mean across languages. */
export function questionWordSpellings(): readonly string[] {
  return SPELLINGS;
}
const SPELLINGS: readonly string[] = [...new Set(QUESTION_WORDS.map((q) => q.phrase))];

/**
 * Words that carry nothing in a question: `how many shops in katuma?`, `¿cuántas tiendas hay en
 * katuma?`, `quel était le chiffre d'affaires de katuma`, `wie viele Bestellungen gab es`. An
 * instance id always wins over a filler word (an instance called `de` is an instance).
 */
export const FILLER = new Set(
  [
    // en
    'how many much what which was were is are the a an of in on at from me show give tell did do does we have had there total number please whats',
    // es
    'cuantas cuantos cuanto cuanta que cual cuales fue fueron es son era hay habia hubo el la los las lo de del en para dame muestra muestrame numero total por favor tuvo tuvimos',
    // ca
    'quantes quants quant quanta quina quin quines quins va van ser hi ha havia haver el la els les de del a al en mostra numero total',
    // fr
    'combien de du des y a il ya a-t-il quel quelle quels quelles etait est sont le la les en au aux dans pour sur montre montre-moi moi nombre total',
    // de
    'wie viele viel hoch was war waren ist sind gibt gab es der die das den dem des in im fur von vom zeig zeige mir hat hatte hatten anzahl zahl insgesamt bitte',
  ]
    .join(' ')
    .split(' '),
);

export function isFiller(word: string): boolean {
  return FILLER.has(fold(word));
}

/** `by`, `por`, `per`, `par`, `pro`, `nach`: a breakdown follows. */
export const BY_WORDS = new Set(['by', 'por', 'per', 'par', 'pro', 'nach', 'je']);

/** Breakdown words in every language → the bot's own. */
export const BREAKDOWN_WORDS = new Map<string, string>(
  Object.entries({
    day: 'day', days: 'day', dia: 'day', dias: 'day', dies: 'day', jour: 'day', jours: 'day', tag: 'day', tage: 'day',
    week: 'week', weeks: 'week', semana: 'week', semanas: 'week', setmana: 'week', setmanes: 'week', semaine: 'week', semaines: 'week', woche: 'week', wochen: 'week',
    month: 'month', months: 'month', mes: 'month', meses: 'month', mesos: 'month', mois: 'month', monat: 'month', monate: 'month',
    shop: 'shop', shops: 'shop', tienda: 'shop', tiendas: 'shop', botiga: 'shop', botigues: 'shop', boutique: 'shop', boutiques: 'shop', laden: 'shop', shopweise: 'shop',
  }),
);

/** Flags in every language → `chart`, `public`. */
export const FLAG_WORDS = new Map<string, 'chart' | 'public'>(
  Object.entries({
    chart: 'chart', graph: 'chart', grafico: 'chart', grafica: 'chart', grafic: 'chart', graphique: 'chart', diagramm: 'chart', grafik: 'chart',
    public: 'public', publico: 'public', publica: 'public', oeffentlich: 'public', offentlich: 'public',
  }),
);
