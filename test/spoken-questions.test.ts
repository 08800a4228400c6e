import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuestion } from '../src/commands/index.js';
import { ask } from '../src/commands/pipeline.js';
import type { Answer } from '../src/core/answer.js';
import { OfnError } from '../src/core/errors.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { testDeps } from './support/deps.js';
import { KATUMA_NOW, KATUMA_TZ, seedKatumaOctober } from './support/katuma-october.js';

/**
 * Questions as people type them (issue 18): for each language, at least 30 real questions typed
 * as an operator would, each answering the same figure, over the same period, as its canonical form.
 * The fixture is test/questions.test.ts's (hand-computed there): Katuma, asked on 2026-11-15, so
 * `octubre` and `el mes pasado` are October 2026 (turnover 132.69 over 5 orders), `T4` is 2026-Q4.
 */
const TZ = KATUMA_TZ;
const NOW = KATUMA_NOW;

let db: TestDatabase;
let deps: ReturnType<typeof testDeps>;

beforeAll(async () => {
  db = await createTestDatabase('questions');
  await seedKatumaOctober(db.client);
  deps = testDeps([{ id: 'katuma', name: 'Katuma', url: db.url, timezone: TZ, currency: 'EUR' }], NOW);
});

afterAll(async () => {
  await deps?.close();
  await db?.drop();
});

async function answer(text: string): Promise<Answer> {
  const outcome = await ask(deps, text);
  if (outcome.kind !== 'answer') throw new Error('expected an answer');
  return outcome.answer;
}


/** What must agree: the figure (or every row) and the period's bounds in the instance's zone. */
function figure(a: Answer) {
  const period = a.period.from ? [a.period.from.toISO(), a.period.to.toISO()] : ['now'];
  if (a.kind === 'scalar') return { kind: a.kind, value: a.value, period };
  return { kind: a.kind, rows: a.rows, period };
}

const TYPED: Record<'en' | 'es' | 'ca' | 'fr' | 'de', [typed: string, canonical: string][]> = {
  en: [
    ["how many shops in katuma", "shops katuma"],
    ["how many shops are there in katuma?", "shops katuma"],
    ["what was the turnover of katuma last month?", "turnover katuma last-month"],
    ["turnover katuma october", "turnover katuma 2026-10"],
    ["turnover katuma oct 2026", "turnover katuma 2026-10"],
    ["revenue for katuma in October 2026", "turnover katuma 2026-10"],
    ["sales katuma previous-month", "turnover katuma last-month"],
    ["how many orders in katuma last month", "orders katuma last-month"],
    ["orders katuma since 2026-10-01 until 2026-10-31", "orders katuma 2026-10-01..2026-10-31"],
    ["turnover katuma from 2026-10-10 to 2026-10-11", "turnover katuma 2026-10-10..2026-10-11"],
    ["turnover katuma 10/10/2026..11/10/2026", "turnover katuma 2026-10-10..2026-10-11"],
    ["average order katuma last month", "average-order katuma last-month"],
    ["what was the average order value in katuma in october?", "average-order katuma 2026-10"],
    ["top shops katuma last month", "top-shops katuma last-month"],
    ["new shops katuma last month", "new-shops katuma last-month"],
    ["how many new profiles in katuma last month?", "new-profiles katuma last-month"],
    ["producers in katuma", "producers katuma"],
    ["how many hubs does katuma have?", "hubs katuma"],
    ["how many enterprises in katuma", "profiles katuma"],
    ["active shops katuma in november", "active-shops katuma 2026-11"],
    ["turnover katuma this month", "turnover katuma this-month"],
    ["turnover katuma mtd", "turnover katuma this-month"],
    ["turnover katuma ytd", "turnover katuma this-year"],
    ["turnover katuma year to date", "turnover katuma this-year"],
    ["turnover katuma Q4", "turnover katuma 2026-Q4"],
    ["turnover katuma 2026Q3", "turnover katuma 2026-Q3"],
    ["turnover katuma the last 3 months", "turnover katuma last-3-months"],
    ["turnover by month in katuma for the last 3 months", "turnover katuma last-3-months by month"],
    ["turnover katuma last month by shop", "turnover katuma last-month by shop"],
    ["orders katuma by week in october", "orders katuma 2026-10 by week"],
    ["turnover katuma until 2026-10-31", "turnover katuma 2000-01-01..2026-10-31"],
    ["turnover for hubs in katuma last month", "turnover katuma last-month for hubs"],
    ["turnover katuma since october", "turnover katuma 2026-10-01..2026-11-15"],
  ],
  es: [
    ["¿cuántas tiendas hay en katuma?", "shops katuma"],
    ["cuantas tiendas hay en katuma", "shops katuma"],
    ["tiendas de katuma", "shops katuma"],
    ["facturación de katuma en octubre", "turnover katuma 2026-10"],
    ["facturacion katuma octubre 2026", "turnover katuma 2026-10"],
    ["ventas de katuma el mes pasado", "turnover katuma last-month"],
    ["¿cuál fue la facturación de katuma el mes pasado?", "turnover katuma last-month"],
    ["facturación katuma oct", "turnover katuma 2026-10"],
    ["facturación katuma octubre de 2026", "turnover katuma 2026-10"],
    ["pedidos katuma el mes pasado", "orders katuma last-month"],
    ["¿cuántos pedidos hubo en katuma en octubre?", "orders katuma 2026-10"],
    ["número de pedidos katuma octubre", "orders katuma 2026-10"],
    ["pedido medio katuma el mes pasado", "average-order katuma last-month"],
    ["ticket medio de katuma en octubre", "average-order katuma 2026-10"],
    ["mejores tiendas de katuma el mes pasado", "top-shops katuma last-month"],
    ["nuevas tiendas katuma el mes pasado", "new-shops katuma last-month"],
    ["¿cuántas tiendas nuevas hubo en katuma en octubre?", "new-shops katuma 2026-10"],
    ["nuevos perfiles katuma este mes", "new-profiles katuma this-month"],
    ["productores de katuma", "producers katuma"],
    ["¿cuántos productores hay en katuma?", "producers katuma"],
    ["perfiles katuma", "profiles katuma"],
    ["tiendas activas katuma en noviembre", "active-shops katuma 2026-11"],
    ["facturación katuma este mes", "turnover katuma this-month"],
    ["facturación katuma en lo que va de año", "turnover katuma this-year"],
    ["facturación katuma ytd", "turnover katuma this-year"],
    ["facturación katuma T4", "turnover katuma 2026-Q4"],
    ["facturación katuma T3 2026", "turnover katuma 2026-Q3"],
    ["ventas katuma los últimos 3 meses", "turnover katuma last-3-months"],
    ["ventas de katuma por mes en los últimos 3 meses", "turnover katuma last-3-months by month"],
    ["facturación de katuma por tienda el mes pasado", "turnover katuma last-month by shop"],
    ["pedidos de katuma por semana en octubre", "orders katuma 2026-10 by week"],
    ["facturación katuma del 10/10/2026 al 11/10/2026", "turnover katuma 2026-10-10..2026-10-11"],
    ["facturación katuma desde el 01/10/2026", "turnover katuma 2026-10-01..2026-11-15"],
    ["facturación katuma hasta el 31/10/2026", "turnover katuma 2000-01-01..2026-10-31"],
  ],
  ca: [
    ["quantes botigues hi ha a katuma?", "shops katuma"],
    ["botigues de katuma", "shops katuma"],
    ["facturació de katuma a l'octubre", "turnover katuma 2026-10"],
    ["facturació katuma el mes passat", "turnover katuma last-month"],
    ["vendes de katuma l'octubre de 2026", "turnover katuma 2026-10"],
    ["quina va ser la facturació de katuma el mes passat?", "turnover katuma last-month"],
    ["comandes katuma el mes passat", "orders katuma last-month"],
    ["quantes comandes hi va haver a katuma a l'octubre?", "orders katuma 2026-10"],
    ["nombre de comandes katuma octubre", "orders katuma 2026-10"],
    ["comanda mitjana katuma el mes passat", "average-order katuma last-month"],
    ["tiquet mitjà de katuma a l'octubre", "average-order katuma 2026-10"],
    ["millors botigues de katuma el mes passat", "top-shops katuma last-month"],
    ["noves botigues katuma el mes passat", "new-shops katuma last-month"],
    ["botigues noves a katuma a l'octubre", "new-shops katuma 2026-10"],
    ["nous perfils katuma aquest mes", "new-profiles katuma this-month"],
    ["nous perfils de katuma el mes passat", "new-profiles katuma last-month"],
    ["productors de katuma", "producers katuma"],
    ["quants productors hi ha a katuma?", "producers katuma"],
    ["perfils katuma", "profiles katuma"],
    ["botigues actives katuma al novembre", "active-shops katuma 2026-11"],
    ["facturació katuma aquest mes", "turnover katuma this-month"],
    ["facturació katuma aquest any", "turnover katuma this-year"],
    ["facturació katuma T4", "turnover katuma 2026-Q4"],
    ["facturació katuma 2026T3", "turnover katuma 2026-Q3"],
    ["vendes katuma els últims 3 mesos", "turnover katuma last-3-months"],
    ["vendes de katuma per mes els últims 3 mesos", "turnover katuma last-3-months by month"],
    ["facturació de katuma per botiga el mes passat", "turnover katuma last-month by shop"],
    ["comandes de katuma per setmana a l'octubre", "orders katuma 2026-10 by week"],
    ["facturació katuma del 10/10/2026 al 11/10/2026", "turnover katuma 2026-10-10..2026-10-11"],
    ["facturació katuma des de l'1/10/2026", "turnover katuma 2026-10-01..2026-11-15"],
    ["facturació katuma fins al 31/10/2026", "turnover katuma 2000-01-01..2026-10-31"],
    ["facturacio katuma octubre", "turnover katuma 2026-10"],
  ],
  fr: [
    ["combien de boutiques à katuma ?", "shops katuma"],
    ["combien y a-t-il de boutiques à katuma", "shops katuma"],
    ["boutiques de katuma", "shops katuma"],
    ["chiffre d'affaires de katuma en octobre", "turnover katuma 2026-10"],
    ["chiffre d'affaires katuma le mois dernier", "turnover katuma last-month"],
    ["quel était le chiffre d'affaires de katuma le mois dernier ?", "turnover katuma last-month"],
    ["ventes katuma octobre 2026", "turnover katuma 2026-10"],
    ["chiffre d'affaires de katuma en oct. 2026", "turnover katuma 2026-10"],
    ["commandes katuma le mois dernier", "orders katuma last-month"],
    ["combien de commandes à katuma en octobre ?", "orders katuma 2026-10"],
    ["nombre de commandes katuma octobre", "orders katuma 2026-10"],
    ["panier moyen katuma le mois dernier", "average-order katuma last-month"],
    ["commande moyenne de katuma en octobre", "average-order katuma 2026-10"],
    ["meilleures boutiques de katuma le mois dernier", "top-shops katuma last-month"],
    ["nouvelles boutiques katuma le mois dernier", "new-shops katuma last-month"],
    ["nouveaux profils katuma ce mois-ci", "new-profiles katuma this-month"],
    ["nouveaux profils de katuma en octobre", "new-profiles katuma 2026-10"],
    ["producteurs de katuma", "producers katuma"],
    ["combien de producteurs à katuma ?", "producers katuma"],
    ["profils katuma", "profiles katuma"],
    ["boutiques actives katuma en novembre", "active-shops katuma 2026-11"],
    ["chiffre d'affaires katuma ce mois", "turnover katuma this-month"],
    ["chiffre d'affaires katuma cette année", "turnover katuma this-year"],
    ["chiffre d'affaires katuma depuis le début de l'année", "turnover katuma this-year"],
    ["chiffre d'affaires katuma T4", "turnover katuma 2026-Q4"],
    ["chiffre d'affaires katuma les 3 derniers mois", "turnover katuma last-3-months"],
    ["ventes de katuma par mois sur les 3 derniers mois", "turnover katuma last-3-months by month"],
    ["chiffre d'affaires de katuma par boutique le mois dernier", "turnover katuma last-month by shop"],
    ["commandes de katuma par semaine en octobre", "orders katuma 2026-10 by week"],
    ["chiffre d'affaires katuma du 10/10/2026 au 11/10/2026", "turnover katuma 2026-10-10..2026-10-11"],
    ["chiffre d'affaires katuma depuis le 01/10/2026", "turnover katuma 2026-10-01..2026-11-15"],
    ["chiffre d'affaires katuma jusqu'au 31/10/2026", "turnover katuma 2000-01-01..2026-10-31"],
  ],
  de: [
    ["wie viele Läden gibt es in katuma?", "shops katuma"],
    ["Läden katuma", "shops katuma"],
    ["Laeden in katuma", "shops katuma"],
    ["Umsatz katuma Oktober", "turnover katuma 2026-10"],
    ["Umsatz von katuma im Oktober 2026", "turnover katuma 2026-10"],
    ["Umsatz katuma letzten Monat", "turnover katuma last-month"],
    ["Wie hoch war der Umsatz von katuma im letzten Monat?", "turnover katuma last-month"],
    ["Umsatz katuma Vormonat", "turnover katuma last-month"],
    ["Bestellungen katuma letzten Monat", "orders katuma last-month"],
    ["wie viele Bestellungen gab es in katuma im Oktober?", "orders katuma 2026-10"],
    ["Anzahl Bestellungen katuma Oktober", "orders katuma 2026-10"],
    ["durchschnittliche Bestellung katuma letzten Monat", "average-order katuma last-month"],
    ["Warenkorb katuma im Oktober", "average-order katuma 2026-10"],
    ["beste Läden katuma letzten Monat", "top-shops katuma last-month"],
    ["neue Läden katuma letzten Monat", "new-shops katuma last-month"],
    ["neue Profile katuma diesen Monat", "new-profiles katuma this-month"],
    ["neue Profile von katuma im Oktober", "new-profiles katuma 2026-10"],
    ["Erzeuger katuma", "producers katuma"],
    ["wie viele Erzeuger gibt es in katuma?", "producers katuma"],
    ["Profile katuma", "profiles katuma"],
    ["aktive Läden katuma im November", "active-shops katuma 2026-11"],
    ["Umsatz katuma dieses Jahr", "turnover katuma this-year"],
    ["Umsatz katuma seit Jahresbeginn", "turnover katuma this-year"],
    ["Umsatz katuma Q4", "turnover katuma 2026-Q4"],
    ["Umsatz katuma Q3 2026", "turnover katuma 2026-Q3"],
    ["Umsatz katuma die letzten 3 Monate", "turnover katuma last-3-months"],
    ["Umsatz von katuma pro Monat in den letzten 3 Monaten", "turnover katuma last-3-months by month"],
    ["Umsatz von katuma nach Laden letzten Monat", "turnover katuma last-month by shop"],
    ["Bestellungen von katuma pro Woche im Oktober", "orders katuma 2026-10 by week"],
    ["Umsatz katuma vom 10.10.2026 bis 11.10.2026", "turnover katuma 2026-10-10..2026-10-11"],
    ["Umsatz katuma seit dem 01.10.2026", "turnover katuma 2026-10-01..2026-11-15"],
    ["Umsatz katuma bis 31.10.2026", "turnover katuma 2000-01-01..2026-10-31"],
  ],
};

describe('the canonical forms the typed questions are compared with (hand-computed)', () => {
  it('answers the anchors of the comparison', async () => {
    const value = async (q: string) => ((a) => (a.kind === 'scalar' ? a.value : null))(await answer(q));
    expect(await value('turnover katuma 2026-10')).toBe('132.69');
    expect(await value('turnover katuma last-month')).toBe('132.69');
    expect(await value('orders katuma 2026-10')).toBe('5');
    expect(await value('average-order katuma 2026-10')).toBe('26.54');
    expect(await value('shops katuma')).toBe('3');
    expect(await value('producers katuma')).toBe('2');
    expect(await value('turnover katuma 2026-10-10..2026-10-11')).toBe('0.30');
    // Since 1 October to date: October and the 7.00 of 1 November.
    expect(await value('turnover katuma 2026-10-01..2026-11-15')).toBe('139.69');
    // Until 31 October: everything completed before November, September's 3.00 included.
    expect(await value('turnover katuma 2000-01-01..2026-10-31')).toBe('135.69');
  });
});

for (const [language, cases] of Object.entries(TYPED)) {
  describe(`questions typed in ${language}`, () => {
    it('has at least 30 real questions', () => {
      expect(cases.length).toBeGreaterThanOrEqual(30);
    });

    it.each(cases)('%s = %s', async (typed, canonical) => {
      expect(figure(await answer(typed))).toEqual(figure(await answer(canonical)));
    });
  });
}

describe('what typed questions cannot do', () => {
  it('suggests across languages and accents', async () => {
    await expect(ask(deps, 'facturacon katuma')).rejects.toMatchObject({ code: 'UnknownQuestion', message: expect.stringContaining('Did you mean `facturación`?') });
    await expect(ask(deps, 'Umsatzz katuma')).rejects.toMatchObject({ code: 'UnknownQuestion', message: expect.stringContaining('Did you mean `Umsatz`?') });
    await expect(ask(deps, 'turnover katuma octubr')).rejects.toMatchObject({ code: 'BadArguments', message: expect.stringContaining('Did you mean `octubre`?') });
  });

  it('says how dates are written here when 10/31/2026 is typed day first', async () => {
    const error = (await ask(deps, 'turnover katuma 10/31/2026').catch((e: unknown) => e)) as OfnError;
    expect(error.code).toBe('BadPeriod');
    expect(error.message).toContain('Dates here are day/month/year, as in 31/10/2026: did you mean 31/10/2026?');
  });

  it('reads 10/31/2026 month first where every instance is en-US', async () => {
    const us = testDeps([{ id: 'katuma', name: 'Katuma', url: db.url, timezone: TZ, currency: 'EUR', locale: 'en-US' }], NOW);
    try {
      const outcome = await ask(us, 'orders katuma 10/31/2026');
      expect(outcome.kind === 'answer' && outcome.answer.kind === 'scalar' && outcome.answer.value).toBe('1');
    } finally {
      await us.close();
    }
  });

  it('still refuses two periods, and a word that is none of its words', async () => {
    await expect(ask(deps, 'facturación katuma octubre el mes pasado')).rejects.toMatchObject({ code: 'BadPeriod', message: 'One period at a time.' });
    await expect(ask(deps, 'facturación katuma mañana')).rejects.toMatchObject({ code: 'BadArguments', message: expect.stringContaining("I don't understand `mañana` in `turnover`") });
  });
});

describe('the operator pages (docs/questions.<lang>.md)', () => {
  it.each(['en', 'es', 'ca', 'fr', 'de'])('every example in docs/questions.%s.md is a question, as typed', async (lang) => {
    const page = readFileSync(new URL(`../docs/questions.${lang}.md`, import.meta.url), 'utf8');
    const blocks = [...page.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const examples = blocks.at(-1)!.trim().split('\n');
    expect(examples.length).toBeGreaterThanOrEqual(10);
    for (const example of examples) {
      const parsed = parseQuestion(example, { instanceIds: ['katuma'], segmentNames: ['shops', 'hubs', 'producers'] });
      expect(parsed.kind, example).toBe('question');
      // And answers, on the fixture.
      await expect(ask(deps, example), example).resolves.toMatchObject({ kind: 'answer' });
    }
  });
});
