import { describe, expect, it } from 'vitest';
import { errorWords, OfnError } from '../src/core/errors.js';
import type { Answer, GlobalAnswer, ScalarAnswer } from '../src/core/answer.js';
import { CATALOGS, compileMessage, isMessageKey, LANGUAGES, languageOfLocale, t, type Language, type MessageKey } from '../src/core/i18n.js';
import { helpIn, notice, type BillingReport, type Outcome } from '../src/core/outcome.js';
import { billingMessage, billingText } from '../src/render/billing.js';
import { announcementMessage } from '../src/render/announcement.js';
import { chartSpecFor } from '../src/render/answer-chart.js';
import { growthChartSpec } from '../src/render/story-chart.js';
import { panelTitleLines } from '../src/render/chart.js';
import { growthText } from '../src/render/growth.js';
import { globalText } from '../src/render/global.js';
import { homeView } from '../src/render/home.js';
import type { GrowthReport, StoryOutcome } from '../src/core/story.js';
import { parseQuestion, routeTable } from '../src/commands/index.js';
import { dateLocale, describeRange, type ResolvedPeriod } from '../src/core/periods.js';
import { periodName } from '../src/render/format.js';
import { answerText } from '../src/render/answer.js';
import { answerMessage, pulseMessage, slackMessage } from '../src/render/slack-message.js';
import { renderText } from '../src/render/text.js';
import { localizeCsvHeaders } from '../src/render/csv.js';

/**
 * Message catalogs (issue 18): every language has every key, with the same placeholders, and each
 * message compiles; golden answers of every kind in each language, text and Slack blocks, read as a
 * native speaker would read them (reviewed by hand when written: a change here is a change people read).
 */

/** The argument names of a message, from its parsed form (plural branches' words are not arguments). */
function placeholders(message: string): string[] {
  const names: string[] = [];
  const walk = (elements: unknown[]) => {
    for (const element of elements as { type: number; value?: unknown; options?: Record<string, { value: unknown[] }> }[]) {
      // 0 is literal text, 7 the plural's `#`: neither names an argument.
      if (element.type !== 0 && element.type !== 7 && typeof element.value === 'string') names.push(element.value);
      for (const option of Object.values(element.options ?? {})) walk(option.value);
    }
  };
  walk(compileMessage(message, 'en').getAst());
  return names.sort();
}

describe('catalogs', () => {
  const reference = Object.keys(CATALOGS.en).sort();

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s has exactly the keys of every other catalog', (lang) => {
    expect(Object.keys(CATALOGS[lang]).sort()).toEqual(reference);
  });

  it.each(LANGUAGES)('%s: every message compiles and uses the same placeholders as English', (lang) => {
    for (const key of reference) {
      const message = CATALOGS[lang][key as keyof (typeof CATALOGS)['en']];
      expect(() => compileMessage(message, lang), `${lang} ${key}`).not.toThrow();
      expect(new Set(placeholders(message)), `${lang} ${key}`).toEqual(new Set(placeholders(CATALOGS.en[key as keyof (typeof CATALOGS)['en']])));
    }
  });

  it('uses each language’s plural rules', () => {
    expect(t('es', 'answer.fromOrders', { n: 1 })).toBe('de 1 pedido');
    expect(t('es', 'answer.fromOrders', { n: 1234 })).toBe('de 1234 pedidos');
    expect(t('fr', 'period.last-n-months', { n: 1 })).toBe('le dernier mois');
    expect(t('de', 'period.last-n-days', { n: 30 })).toBe('die letzten 30 Tage');
    expect(t('ca', 'period.last-n-weeks', { n: 2 })).toBe('les últimes 2 setmanes');
  });

  it('takes the language from the locale when the config does not name one', () => {
    expect(['es-ES', 'ca-ES', 'ca', 'fr-BE', 'de-DE', 'en-AU', 'nl-NL', undefined].map(languageOfLocale)).toEqual(['es', 'ca', 'ca', 'fr', 'de', 'en', 'en', 'en']);
  });
});

import { answers, instance, LOCALE, period, TZ } from './support/i18n-answers.js';
const render = (lang: Language) => {
  const out: string[] = [];
  for (const [name, answer] of Object.entries(answers(lang))) {
    const message = answerMessage(answer, { ephemeral: true, chartable: true });
    out.push(`## ${name}`, answerText(answer), '-- slack', JSON.stringify(message.blocks.map((b) => (b.type === 'actions' ? (b.elements as { text: { text: string } }[]).map((e) => e.text.text) : (b.text ?? b.elements))), null, 0), '');
  }
  return out.join('\n');
};

describe('golden answers, text and Slack blocks', () => {
  it('in English', () => {
    expect(render('en')).toMatchInlineSnapshot(`
      "## turnover
      Turnover · Katuma
      last-month: 1 Oct 2026 – 31 Oct 2026 (Europe/Madrid)

      €1,234.50  (from 41 sales orders)
      -- slack
      [{"type":"plain_text","text":"Turnover · Katuma","emoji":false},[{"type":"mrkdwn","text":"last-month: 1 Oct 2026 – 31 Oct 2026 (Europe/Madrid) · \`turnover katuma last-month\`"}],{"type":"mrkdwn","text":"*€1,234.50*  from 41 sales orders"},["Share in channel"]]

      ## shops
      Shops · Katuma
      as of 15 Nov 2026, 13:00 (Europe/Madrid)

      1
      -- slack
      [{"type":"plain_text","text":"Shops · Katuma","emoji":false},[{"type":"mrkdwn","text":"as of 15 Nov 2026, 13:00 (Europe/Madrid) · \`shops katuma\`"}],{"type":"mrkdwn","text":"*1*"},["Share in channel"]]

      ## byMonth
      Orders · Katuma
      this-quarter: 1 Oct 2026 – 15 Nov 2026, to date (Europe/Madrid)

      Month               Orders
      ------------------  ------
      Oct 2026             1,200
      Nov 2026 (to date)     310
      Total                1,510
      -- slack
      [{"type":"plain_text","text":"Orders · Katuma","emoji":false},[{"type":"mrkdwn","text":"this-quarter: 1 Oct 2026 – 15 Nov 2026, to date (Europe/Madrid) · \`orders katuma this-quarter by month\`"}],{"type":"mrkdwn","text":"\`\`\`\\nMonth               Orders\\n------------------  ------\\nOct 2026             1,200\\nNov 2026 (to date)     310\\nTotal                1,510\\n\`\`\`"},["Chart","CSV","Share in channel"]]

      ## topShops
      Top shops · Katuma
      2026-10: 1 Oct 2026 – 31 Oct 2026 (Europe/Madrid)

      #  Shop                 Turnover  Orders
      -  -------------------  --------  ------
      1  Mercat Verd           €132.39       3
      2  Horta Nord              €0.30       2
         Total (all 7 shops)   €140.69       9
      -- slack
      [{"type":"plain_text","text":"Top shops · Katuma","emoji":false},[{"type":"mrkdwn","text":"2026-10: 1 Oct 2026 – 31 Oct 2026 (Europe/Madrid) · \`top-shops 2 katuma 2026-10\`"}],{"type":"mrkdwn","text":"\`\`\`\\n#  Shop                 Turnover  Orders\\n-  -------------------  --------  ------\\n1  Mercat Verd           €132.39       3\\n2  Horta Nord              €0.30       2\\n   Total (all 7 shops)   €140.69       9\\n\`\`\`"},["Chart","CSV","Share in channel"]]

      ## list
      Hubs · Katuma
      as of 15 Nov 2026, 13:00 (Europe/Madrid)

      Enterprise   Type  Town        Created
      -----------  ----  ----------  ----------
      Mercat Verd  hub   Girona, ES  2024-03-01
      First 1 of 2.
      -- slack
      [{"type":"plain_text","text":"Hubs · Katuma","emoji":false},[{"type":"mrkdwn","text":"as of 15 Nov 2026, 13:00 (Europe/Madrid) · \`list hubs katuma 1\`"}],{"type":"mrkdwn","text":"\`\`\`\\nEnterprise   Type  Town        Created\\n-----------  ----  ----------  ----------\\nMercat Verd  hub   Girona, ES  2024-03-01\\n\`\`\`"},["CSV","Share in channel"]]

      ## future
      New shops · Katuma
      2026-12: 1 Dec 2026 – 31 Dec 2026, not started yet (Europe/Madrid)
      No data yet: 2026-12 starts on 1 December 2026.

      —
      -- slack
      [{"type":"plain_text","text":"New shops · Katuma","emoji":false},[{"type":"mrkdwn","text":"2026-12: 1 Dec 2026 – 31 Dec 2026, not started yet (Europe/Madrid) · \`new-shops katuma 2026-12\`"}],[{"type":"mrkdwn","text":"No data yet: 2026-12 starts on 1 December 2026."}],{"type":"mrkdwn","text":"*—*"},["Share in channel"]]

      ## byWeek
      Turnover · Katuma
      2026-11-09..2026-11-15: 9 Nov 2026 – 15 Nov 2026, to date (Europe/Madrid)
      Data as of 15 Nov 12:40 (the replica is behind)

      Week from                Turnover
      -----------------------  --------
      wk 9 Nov 2026 (to date)     €7.00
      -- slack
      [{"type":"plain_text","text":"Turnover · Katuma","emoji":false},[{"type":"mrkdwn","text":"2026-11-09..2026-11-15: 9 Nov 2026 – 15 Nov 2026, to date (Europe/Madrid) · \`turnover katuma 2026-11-09..2026-11-15 by week\`"}],[{"type":"mrkdwn","text":":hourglass: Data as of 15 Nov 12:40: the replica is behind."}],{"type":"mrkdwn","text":"\`\`\`\\nWeek from                Turnover\\n-----------------------  --------\\nwk 9 Nov 2026 (to date)     €7.00\\n\`\`\`"},["Chart","CSV","Share in channel"]]

      ## lastDays
      Average order · Katuma
      last-30-days: 16 Oct 2026 – 14 Nov 2026 (Europe/Madrid)

      €26.54  (over 5 sales orders)
      -- slack
      [{"type":"plain_text","text":"Average order · Katuma","emoji":false},[{"type":"mrkdwn","text":"last-30-days: 16 Oct 2026 – 14 Nov 2026 (Europe/Madrid) · \`average-order katuma last-30-days\`"}],{"type":"mrkdwn","text":"*€26.54*  over 5 sales orders"},["Share in channel"]]
      "
    `);
  });
  it('en español', () => {
    expect(render('es')).toMatchInlineSnapshot(`
      "## turnover
      Facturación · Katuma
      el mes pasado: 1 oct 2026 – 31 oct 2026 (Europe/Madrid)

      1.234,50 €  (de 41 pedidos)
      -- slack
      [{"type":"plain_text","text":"Facturación · Katuma","emoji":false},[{"type":"mrkdwn","text":"el mes pasado: 1 oct 2026 – 31 oct 2026 (Europe/Madrid) · \`turnover katuma last-month\`"}],{"type":"mrkdwn","text":"*1.234,50 €*  de 41 pedidos"},["Compartir en el canal"]]

      ## shops
      Tiendas · Katuma
      a 15 nov 2026, 13:00 (Europe/Madrid)

      1
      -- slack
      [{"type":"plain_text","text":"Tiendas · Katuma","emoji":false},[{"type":"mrkdwn","text":"a 15 nov 2026, 13:00 (Europe/Madrid) · \`shops katuma\`"}],{"type":"mrkdwn","text":"*1*"},["Compartir en el canal"]]

      ## byMonth
      Pedidos · Katuma
      este trimestre: 1 oct 2026 – 15 nov 2026, hasta hoy (Europe/Madrid)

      Mes                   Pedidos
      --------------------  -------
      oct 2026                1.200
      nov 2026 (hasta hoy)      310
      Total                   1.510
      -- slack
      [{"type":"plain_text","text":"Pedidos · Katuma","emoji":false},[{"type":"mrkdwn","text":"este trimestre: 1 oct 2026 – 15 nov 2026, hasta hoy (Europe/Madrid) · \`orders katuma this-quarter by month\`"}],{"type":"mrkdwn","text":"\`\`\`\\nMes                   Pedidos\\n--------------------  -------\\noct 2026                1.200\\nnov 2026 (hasta hoy)      310\\nTotal                   1.510\\n\`\`\`"},["Gráfico","CSV","Compartir en el canal"]]

      ## topShops
      Tiendas que más venden · Katuma
      octubre de 2026: 1 oct 2026 – 31 oct 2026 (Europe/Madrid)

      #  Tienda                 Facturación  Pedidos
      -  ---------------------  -----------  -------
      1  Mercat Verd               132,39 €        3
      2  Horta Nord                  0,30 €        2
         Total (las 7 tiendas)     140,69 €        9
      -- slack
      [{"type":"plain_text","text":"Tiendas que más venden · Katuma","emoji":false},[{"type":"mrkdwn","text":"octubre de 2026: 1 oct 2026 – 31 oct 2026 (Europe/Madrid) · \`top-shops 2 katuma 2026-10\`"}],{"type":"mrkdwn","text":"\`\`\`\\n#  Tienda                 Facturación  Pedidos\\n-  ---------------------  -----------  -------\\n1  Mercat Verd               132,39 €        3\\n2  Horta Nord                  0,30 €        2\\n   Total (las 7 tiendas)     140,69 €        9\\n\`\`\`"},["Gráfico","CSV","Compartir en el canal"]]

      ## list
      Hubs · Katuma
      a 15 nov 2026, 13:00 (Europe/Madrid)

      Empresa      Tipo  Localidad   Alta
      -----------  ----  ----------  ----------
      Mercat Verd  hub   Girona, ES  2024-03-01
      El primero de 2.
      -- slack
      [{"type":"plain_text","text":"Hubs · Katuma","emoji":false},[{"type":"mrkdwn","text":"a 15 nov 2026, 13:00 (Europe/Madrid) · \`list hubs katuma 1\`"}],{"type":"mrkdwn","text":"\`\`\`\\nEmpresa      Tipo  Localidad   Alta\\n-----------  ----  ----------  ----------\\nMercat Verd  hub   Girona, ES  2024-03-01\\n\`\`\`"},["CSV","Compartir en el canal"]]

      ## future
      Tiendas nuevas · Katuma
      diciembre de 2026: 1 dic 2026 – 31 dic 2026, aún no ha empezado (Europe/Madrid)
      Aún no hay datos: diciembre de 2026 empieza el 1 de diciembre de 2026.

      —
      -- slack
      [{"type":"plain_text","text":"Tiendas nuevas · Katuma","emoji":false},[{"type":"mrkdwn","text":"diciembre de 2026: 1 dic 2026 – 31 dic 2026, aún no ha empezado (Europe/Madrid) · \`new-shops katuma 2026-12\`"}],[{"type":"mrkdwn","text":"Aún no hay datos: diciembre de 2026 empieza el 1 de diciembre de 2026."}],{"type":"mrkdwn","text":"*—*"},["Compartir en el canal"]]

      ## byWeek
      Facturación · Katuma
      9 nov 2026 – 15 nov 2026, hasta hoy (Europe/Madrid)
      Datos a 15 Nov 12:40 (la réplica va con retraso)

      Semana del              Facturación
      ----------------------  -----------
      9 nov 2026 (hasta hoy)       7,00 €
      -- slack
      [{"type":"plain_text","text":"Facturación · Katuma","emoji":false},[{"type":"mrkdwn","text":"9 nov 2026 – 15 nov 2026, hasta hoy (Europe/Madrid) · \`turnover katuma 2026-11-09..2026-11-15 by week\`"}],[{"type":"mrkdwn","text":":hourglass: Datos a 15 Nov 12:40: la réplica va con retraso."}],{"type":"mrkdwn","text":"\`\`\`\\nSemana del              Facturación\\n----------------------  -----------\\n9 nov 2026 (hasta hoy)       7,00 €\\n\`\`\`"},["Gráfico","CSV","Compartir en el canal"]]

      ## lastDays
      Pedido medio · Katuma
      los últimos 30 días: 16 oct 2026 – 14 nov 2026 (Europe/Madrid)

      26,54 €  (sobre 5 pedidos)
      -- slack
      [{"type":"plain_text","text":"Pedido medio · Katuma","emoji":false},[{"type":"mrkdwn","text":"los últimos 30 días: 16 oct 2026 – 14 nov 2026 (Europe/Madrid) · \`average-order katuma last-30-days\`"}],{"type":"mrkdwn","text":"*26,54 €*  sobre 5 pedidos"},["Compartir en el canal"]]
      "
    `);
  });
  it('en català', () => {
    expect(render('ca')).toMatchInlineSnapshot(`
      "## turnover
      Facturació · Katuma
      el mes passat: 1 d’oct. del 2026 – 31 d’oct. del 2026 (Europe/Madrid)

      1.234,50 €  (de 41 comandes)
      -- slack
      [{"type":"plain_text","text":"Facturació · Katuma","emoji":false},[{"type":"mrkdwn","text":"el mes passat: 1 d’oct. del 2026 – 31 d’oct. del 2026 (Europe/Madrid) · \`turnover katuma last-month\`"}],{"type":"mrkdwn","text":"*1.234,50 €*  de 41 comandes"},["Comparteix al canal"]]

      ## shops
      Botigues · Katuma
      a 15 de nov. del 2026, 13:00 (Europe/Madrid)

      1
      -- slack
      [{"type":"plain_text","text":"Botigues · Katuma","emoji":false},[{"type":"mrkdwn","text":"a 15 de nov. del 2026, 13:00 (Europe/Madrid) · \`shops katuma\`"}],{"type":"mrkdwn","text":"*1*"},["Comparteix al canal"]]

      ## byMonth
      Comandes · Katuma
      aquest trimestre: 1 d’oct. del 2026 – 15 de nov. del 2026, fins avui (Europe/Madrid)

      Mes                        Comandes
      -------------------------  --------
      oct. del 2026                 1.200
      nov. del 2026 (fins avui)       310
      Total                         1.510
      -- slack
      [{"type":"plain_text","text":"Comandes · Katuma","emoji":false},[{"type":"mrkdwn","text":"aquest trimestre: 1 d’oct. del 2026 – 15 de nov. del 2026, fins avui (Europe/Madrid) · \`orders katuma this-quarter by month\`"}],{"type":"mrkdwn","text":"\`\`\`\\nMes                        Comandes\\n-------------------------  --------\\noct. del 2026                 1.200\\nnov. del 2026 (fins avui)       310\\nTotal                         1.510\\n\`\`\`"},["Gràfic","CSV","Comparteix al canal"]]

      ## topShops
      Botigues que més venen · Katuma
      octubre del 2026: 1 d’oct. del 2026 – 31 d’oct. del 2026 (Europe/Madrid)

      #  Botiga                  Facturació  Comandes
      -  ----------------------  ----------  --------
      1  Mercat Verd               132,39 €         3
      2  Horta Nord                  0,30 €         2
         Total (les 7 botigues)    140,69 €         9
      -- slack
      [{"type":"plain_text","text":"Botigues que més venen · Katuma","emoji":false},[{"type":"mrkdwn","text":"octubre del 2026: 1 d’oct. del 2026 – 31 d’oct. del 2026 (Europe/Madrid) · \`top-shops 2 katuma 2026-10\`"}],{"type":"mrkdwn","text":"\`\`\`\\n#  Botiga                  Facturació  Comandes\\n-  ----------------------  ----------  --------\\n1  Mercat Verd               132,39 €         3\\n2  Horta Nord                  0,30 €         2\\n   Total (les 7 botigues)    140,69 €         9\\n\`\`\`"},["Gràfic","CSV","Comparteix al canal"]]

      ## list
      Hubs · Katuma
      a 15 de nov. del 2026, 13:00 (Europe/Madrid)

      Empresa      Tipus  Població    Alta
      -----------  -----  ----------  ----------
      Mercat Verd  hub    Girona, ES  2024-03-01
      El primer de 2.
      -- slack
      [{"type":"plain_text","text":"Hubs · Katuma","emoji":false},[{"type":"mrkdwn","text":"a 15 de nov. del 2026, 13:00 (Europe/Madrid) · \`list hubs katuma 1\`"}],{"type":"mrkdwn","text":"\`\`\`\\nEmpresa      Tipus  Població    Alta\\n-----------  -----  ----------  ----------\\nMercat Verd  hub    Girona, ES  2024-03-01\\n\`\`\`"},["CSV","Comparteix al canal"]]

      ## future
      Botigues noves · Katuma
      desembre del 2026: 1 de des. del 2026 – 31 de des. del 2026, encara no ha començat (Europe/Madrid)
      Encara no hi ha dades: desembre del 2026 comença el 1 de desembre del 2026.

      —
      -- slack
      [{"type":"plain_text","text":"Botigues noves · Katuma","emoji":false},[{"type":"mrkdwn","text":"desembre del 2026: 1 de des. del 2026 – 31 de des. del 2026, encara no ha començat (Europe/Madrid) · \`new-shops katuma 2026-12\`"}],[{"type":"mrkdwn","text":"Encara no hi ha dades: desembre del 2026 comença el 1 de desembre del 2026."}],{"type":"mrkdwn","text":"*—*"},["Comparteix al canal"]]

      ## byWeek
      Facturació · Katuma
      9 de nov. del 2026 – 15 de nov. del 2026, fins avui (Europe/Madrid)
      Dades a 15 Nov 12:40 (la rèplica va endarrerida)

      Setmana del                     Facturació
      ------------------------------  ----------
      9 de nov. del 2026 (fins avui)      7,00 €
      -- slack
      [{"type":"plain_text","text":"Facturació · Katuma","emoji":false},[{"type":"mrkdwn","text":"9 de nov. del 2026 – 15 de nov. del 2026, fins avui (Europe/Madrid) · \`turnover katuma 2026-11-09..2026-11-15 by week\`"}],[{"type":"mrkdwn","text":":hourglass: Dades a 15 Nov 12:40: la rèplica va endarrerida."}],{"type":"mrkdwn","text":"\`\`\`\\nSetmana del                     Facturació\\n------------------------------  ----------\\n9 de nov. del 2026 (fins avui)      7,00 €\\n\`\`\`"},["Gràfic","CSV","Comparteix al canal"]]

      ## lastDays
      Comanda mitjana · Katuma
      els últims 30 dies: 16 d’oct. del 2026 – 14 de nov. del 2026 (Europe/Madrid)

      26,54 €  (sobre 5 comandes)
      -- slack
      [{"type":"plain_text","text":"Comanda mitjana · Katuma","emoji":false},[{"type":"mrkdwn","text":"els últims 30 dies: 16 d’oct. del 2026 – 14 de nov. del 2026 (Europe/Madrid) · \`average-order katuma last-30-days\`"}],{"type":"mrkdwn","text":"*26,54 €*  sobre 5 comandes"},["Comparteix al canal"]]
      "
    `);
  });
  it('en français', () => {
    expect(render('fr')).toMatchInlineSnapshot(`
      "## turnover
      Chiffre d'affaires · Katuma
      le mois dernier : 1 oct. 2026 – 31 oct. 2026 (Europe/Madrid)

      1 234,50 €  (sur 41 commandes)
      -- slack
      [{"type":"plain_text","text":"Chiffre d'affaires · Katuma","emoji":false},[{"type":"mrkdwn","text":"le mois dernier : 1 oct. 2026 – 31 oct. 2026 (Europe/Madrid) · \`turnover katuma last-month\`"}],{"type":"mrkdwn","text":"*1 234,50 €*  sur 41 commandes"},["Partager dans le canal"]]

      ## shops
      Boutiques · Katuma
      au 15 nov. 2026, 13:00 (Europe/Madrid)

      1
      -- slack
      [{"type":"plain_text","text":"Boutiques · Katuma","emoji":false},[{"type":"mrkdwn","text":"au 15 nov. 2026, 13:00 (Europe/Madrid) · \`shops katuma\`"}],{"type":"mrkdwn","text":"*1*"},["Partager dans le canal"]]

      ## byMonth
      Commandes · Katuma
      ce trimestre : 1 oct. 2026 – 15 nov. 2026, à ce jour (Europe/Madrid)

      Mois                   Commandes
      ---------------------  ---------
      oct. 2026                  1 200
      nov. 2026 (à ce jour)        310
      Total                      1 510
      -- slack
      [{"type":"plain_text","text":"Commandes · Katuma","emoji":false},[{"type":"mrkdwn","text":"ce trimestre : 1 oct. 2026 – 15 nov. 2026, à ce jour (Europe/Madrid) · \`orders katuma this-quarter by month\`"}],{"type":"mrkdwn","text":"\`\`\`\\nMois                   Commandes\\n---------------------  ---------\\noct. 2026                  1 200\\nnov. 2026 (à ce jour)        310\\nTotal                      1 510\\n\`\`\`"},["Graphique","CSV","Partager dans le canal"]]

      ## topShops
      Meilleures boutiques · Katuma
      octobre 2026 : 1 oct. 2026 – 31 oct. 2026 (Europe/Madrid)

      #  Boutique                 Chiffre d'affaires  Commandes
      -  -----------------------  ------------------  ---------
      1  Mercat Verd                        132,39 €          3
      2  Horta Nord                           0,30 €          2
         Total (les 7 boutiques)            140,69 €          9
      -- slack
      [{"type":"plain_text","text":"Meilleures boutiques · Katuma","emoji":false},[{"type":"mrkdwn","text":"octobre 2026 : 1 oct. 2026 – 31 oct. 2026 (Europe/Madrid) · \`top-shops 2 katuma 2026-10\`"}],{"type":"mrkdwn","text":"\`\`\`\\n#  Boutique                 Chiffre d'affaires  Commandes\\n-  -----------------------  ------------------  ---------\\n1  Mercat Verd                        132,39 €          3\\n2  Horta Nord                           0,30 €          2\\n   Total (les 7 boutiques)            140,69 €          9\\n\`\`\`"},["Graphique","CSV","Partager dans le canal"]]

      ## list
      Hubs · Katuma
      au 15 nov. 2026, 13:00 (Europe/Madrid)

      Entreprise   Type  Commune     Créée le
      -----------  ----  ----------  ----------
      Mercat Verd  hub   Girona, ES  2024-03-01
      Le premier sur 2.
      -- slack
      [{"type":"plain_text","text":"Hubs · Katuma","emoji":false},[{"type":"mrkdwn","text":"au 15 nov. 2026, 13:00 (Europe/Madrid) · \`list hubs katuma 1\`"}],{"type":"mrkdwn","text":"\`\`\`\\nEntreprise   Type  Commune     Créée le\\n-----------  ----  ----------  ----------\\nMercat Verd  hub   Girona, ES  2024-03-01\\n\`\`\`"},["CSV","Partager dans le canal"]]

      ## future
      Nouvelles boutiques · Katuma
      décembre 2026 : 1 déc. 2026 – 31 déc. 2026, pas encore commencé (Europe/Madrid)
      Pas encore de données : décembre 2026 commence le 1 décembre 2026.

      —
      -- slack
      [{"type":"plain_text","text":"Nouvelles boutiques · Katuma","emoji":false},[{"type":"mrkdwn","text":"décembre 2026 : 1 déc. 2026 – 31 déc. 2026, pas encore commencé (Europe/Madrid) · \`new-shops katuma 2026-12\`"}],[{"type":"mrkdwn","text":"Pas encore de données : décembre 2026 commence le 1 décembre 2026."}],{"type":"mrkdwn","text":"*—*"},["Partager dans le canal"]]

      ## byWeek
      Chiffre d'affaires · Katuma
      9 nov. 2026 – 15 nov. 2026, à ce jour (Europe/Madrid)
      Données au 15 Nov 12:40 (la réplique est en retard)

      Semaine du               Chiffre d'affaires
      -----------------------  ------------------
      9 nov. 2026 (à ce jour)              7,00 €
      -- slack
      [{"type":"plain_text","text":"Chiffre d'affaires · Katuma","emoji":false},[{"type":"mrkdwn","text":"9 nov. 2026 – 15 nov. 2026, à ce jour (Europe/Madrid) · \`turnover katuma 2026-11-09..2026-11-15 by week\`"}],[{"type":"mrkdwn","text":":hourglass: Données au 15 Nov 12:40 : la réplique est en retard."}],{"type":"mrkdwn","text":"\`\`\`\\nSemaine du               Chiffre d'affaires\\n-----------------------  ------------------\\n9 nov. 2026 (à ce jour)              7,00 €\\n\`\`\`"},["Graphique","CSV","Partager dans le canal"]]

      ## lastDays
      Panier moyen · Katuma
      les 30 derniers jours : 16 oct. 2026 – 14 nov. 2026 (Europe/Madrid)

      26,54 €  (sur 5 commandes)
      -- slack
      [{"type":"plain_text","text":"Panier moyen · Katuma","emoji":false},[{"type":"mrkdwn","text":"les 30 derniers jours : 16 oct. 2026 – 14 nov. 2026 (Europe/Madrid) · \`average-order katuma last-30-days\`"}],{"type":"mrkdwn","text":"*26,54 €*  sur 5 commandes"},["Partager dans le canal"]]
      "
    `);
  });
  it('auf Deutsch', () => {
    expect(render('de')).toMatchInlineSnapshot(`
      "## turnover
      Umsatz · Katuma
      letzter Monat: 1. Okt. 2026 – 31. Okt. 2026 (Europe/Madrid)

      1.234,50 €  (aus 41 Bestellungen)
      -- slack
      [{"type":"plain_text","text":"Umsatz · Katuma","emoji":false},[{"type":"mrkdwn","text":"letzter Monat: 1. Okt. 2026 – 31. Okt. 2026 (Europe/Madrid) · \`turnover katuma last-month\`"}],{"type":"mrkdwn","text":"*1.234,50 €*  aus 41 Bestellungen"},["Im Kanal teilen"]]

      ## shops
      Läden · Katuma
      Stand 15. Nov. 2026, 13:00 (Europe/Madrid)

      1
      -- slack
      [{"type":"plain_text","text":"Läden · Katuma","emoji":false},[{"type":"mrkdwn","text":"Stand 15. Nov. 2026, 13:00 (Europe/Madrid) · \`shops katuma\`"}],{"type":"mrkdwn","text":"*1*"},["Im Kanal teilen"]]

      ## byMonth
      Bestellungen · Katuma
      dieses Quartal: 1. Okt. 2026 – 15. Nov. 2026, bis heute (Europe/Madrid)

      Monat                  Bestellungen
      ---------------------  ------------
      Okt. 2026                     1.200
      Nov. 2026 (bis heute)           310
      Gesamt                        1.510
      -- slack
      [{"type":"plain_text","text":"Bestellungen · Katuma","emoji":false},[{"type":"mrkdwn","text":"dieses Quartal: 1. Okt. 2026 – 15. Nov. 2026, bis heute (Europe/Madrid) · \`orders katuma this-quarter by month\`"}],{"type":"mrkdwn","text":"\`\`\`\\nMonat                  Bestellungen\\n---------------------  ------------\\nOkt. 2026                     1.200\\nNov. 2026 (bis heute)           310\\nGesamt                        1.510\\n\`\`\`"},["Diagramm","CSV","Im Kanal teilen"]]

      ## topShops
      Umsatzstärkste Läden · Katuma
      Oktober 2026: 1. Okt. 2026 – 31. Okt. 2026 (Europe/Madrid)

      #  Laden                    Umsatz  Bestellungen
      -  ---------------------  --------  ------------
      1  Mercat Verd            132,39 €             3
      2  Horta Nord               0,30 €             2
         Gesamt (alle 7 Läden)  140,69 €             9
      -- slack
      [{"type":"plain_text","text":"Umsatzstärkste Läden · Katuma","emoji":false},[{"type":"mrkdwn","text":"Oktober 2026: 1. Okt. 2026 – 31. Okt. 2026 (Europe/Madrid) · \`top-shops 2 katuma 2026-10\`"}],{"type":"mrkdwn","text":"\`\`\`\\n#  Laden                    Umsatz  Bestellungen\\n-  ---------------------  --------  ------------\\n1  Mercat Verd            132,39 €             3\\n2  Horta Nord               0,30 €             2\\n   Gesamt (alle 7 Läden)  140,69 €             9\\n\`\`\`"},["Diagramm","CSV","Im Kanal teilen"]]

      ## list
      Hubs · Katuma
      Stand 15. Nov. 2026, 13:00 (Europe/Madrid)

      Unternehmen  Art  Ort         Angelegt
      -----------  ---  ----------  ----------
      Mercat Verd  hub  Girona, ES  2024-03-01
      Der erste von 2.
      -- slack
      [{"type":"plain_text","text":"Hubs · Katuma","emoji":false},[{"type":"mrkdwn","text":"Stand 15. Nov. 2026, 13:00 (Europe/Madrid) · \`list hubs katuma 1\`"}],{"type":"mrkdwn","text":"\`\`\`\\nUnternehmen  Art  Ort         Angelegt\\n-----------  ---  ----------  ----------\\nMercat Verd  hub  Girona, ES  2024-03-01\\n\`\`\`"},["CSV","Im Kanal teilen"]]

      ## future
      Neue Läden · Katuma
      Dezember 2026: 1. Dez. 2026 – 31. Dez. 2026, noch nicht begonnen (Europe/Madrid)
      Noch keine Daten: Dezember 2026 beginnt am 1. Dezember 2026.

      —
      -- slack
      [{"type":"plain_text","text":"Neue Läden · Katuma","emoji":false},[{"type":"mrkdwn","text":"Dezember 2026: 1. Dez. 2026 – 31. Dez. 2026, noch nicht begonnen (Europe/Madrid) · \`new-shops katuma 2026-12\`"}],[{"type":"mrkdwn","text":"Noch keine Daten: Dezember 2026 beginnt am 1. Dezember 2026."}],{"type":"mrkdwn","text":"*—*"},["Im Kanal teilen"]]

      ## byWeek
      Umsatz · Katuma
      9. Nov. 2026 – 15. Nov. 2026, bis heute (Europe/Madrid)
      Datenstand 15 Nov 12:40 (das Replikat ist im Rückstand)

      Woche ab                  Umsatz
      ------------------------  ------
      9. Nov. 2026 (bis heute)  7,00 €
      -- slack
      [{"type":"plain_text","text":"Umsatz · Katuma","emoji":false},[{"type":"mrkdwn","text":"9. Nov. 2026 – 15. Nov. 2026, bis heute (Europe/Madrid) · \`turnover katuma 2026-11-09..2026-11-15 by week\`"}],[{"type":"mrkdwn","text":":hourglass: Datenstand 15 Nov 12:40: das Replikat ist im Rückstand."}],{"type":"mrkdwn","text":"\`\`\`\\nWoche ab                  Umsatz\\n------------------------  ------\\n9. Nov. 2026 (bis heute)  7,00 €\\n\`\`\`"},["Diagramm","CSV","Im Kanal teilen"]]

      ## lastDays
      Durchschnittliche Bestellung · Katuma
      die letzten 30 Tage: 16. Okt. 2026 – 14. Nov. 2026 (Europe/Madrid)

      26,54 €  (über 5 Bestellungen)
      -- slack
      [{"type":"plain_text","text":"Durchschnittliche Bestellung · Katuma","emoji":false},[{"type":"mrkdwn","text":"die letzten 30 Tage: 16. Okt. 2026 – 14. Nov. 2026 (Europe/Madrid) · \`average-order katuma last-30-days\`"}],{"type":"mrkdwn","text":"*26,54 €*  über 5 Bestellungen"},["Im Kanal teilen"]]
      "
    `);
  });
});

describe('the reader’s language over the instance’s', () => {
  it('renders an English instance’s answer in the language asked for (the CLI’s --lang, a Slack user’s locale)', () => {
    const answer = answers('en').turnover!;
    const outcome = { kind: 'answer' as const, answer, presentation: { chart: false, public: false } };
    expect(renderText(outcome).split('\n')[0]).toBe('Turnover · Katuma');
    expect(renderText(outcome, 'fr').split('\n').slice(0, 2)).toEqual(["Chiffre d'affaires · Katuma", 'le mois dernier : 1 oct. 2026 – 31 oct. 2026 (Europe/Madrid)']);
    const blocks = answerMessage(answer, { ephemeral: true, language: 'de' }).blocks;
    expect(blocks[0]).toMatchObject({ text: { text: 'Umsatz · Katuma' } });
    expect(JSON.stringify(blocks.at(-1))).toContain('Im Kanal teilen');
  });
});

describe('dates in the language of the answer, with the customs of the instance', () => {
  it('takes the words from the language and the region from the locale', () => {
    expect(dateLocale('es-ES', 'es')).toBe('es-ES');
    expect(dateLocale('es-ES', 'en')).toBe('en-ES');
    expect(dateLocale('en-AU', 'fr')).toBe('fr-AU');
    expect(dateLocale('ca', 'de')).toBe('de');
    expect(dateLocale('fr-FR', 'fr')).toBe('fr-FR');
  });

  it('names a month in the language asked, not the instance’s (a French reader at Katuma)', () => {
    expect(periodName('2026-10', 'es-ES', 'fr')).toBe('octobre 2026');
    expect(periodName('2026-10', 'es-ES', 'es')).toBe('octubre de 2026');
    expect(periodName('2026-10-25', 'es-ES', 'de')).toBe('25. Okt. 2026');
  });
});

describe('errors in the reader’s language', () => {
  const errors = () => [
    OfnError.say('UnknownQuestion', 'error.unknownQuestionGuess', { word: 'facturacon', guess: 'facturación' }, 'hint.help'),
    OfnError.say('UnknownInstance', 'error.unknownInstanceGuess', { word: 'katumaa', guess: 'katuma', instances: 'katuma, uk' }),
    OfnError.say('ReplicaTimeout', 'error.replicaTimeout', { name: 'Katuma', seconds: 30 }),
  ];
  // Read as a native speaker would when written (the French with its no-break spaces before ? and :).
  const golden: Record<Language, string[]> = {
    en: ["I don't know the question `facturacon`. Did you mean `facturación`?\nType `help` to see every question with examples.", 'There is no instance `katumaa`. Did you mean `katuma`? Instances: katuma, uk.', "Katuma's replica did not answer in 30 s, try again later."],
    es: ['No conozco la pregunta `facturacon`. ¿Querías decir `facturación`?\nEscribe `help` para ver todas las preguntas con ejemplos.', 'No hay ninguna instancia `katumaa`. ¿Querías decir `katuma`? Instancias: katuma, uk.', 'La réplica de Katuma no ha respondido en 30 s; inténtalo más tarde.'],
    ca: ['No conec la pregunta `facturacon`. Volies dir `facturación`?\nEscriu `help` per veure totes les preguntes amb exemples.', 'No hi ha cap instància `katumaa`. Volies dir `katuma`? Instàncies: katuma, uk.', 'La rèplica de Katuma no ha respost en 30 s; torna-ho a provar més tard.'],
    fr: ['Je ne connais pas la question `facturacon`. Vouliez-vous dire `facturación`\u00a0?\nTapez `help` pour voir toutes les questions avec des exemples.', "Il n'y a pas d'instance `katumaa`. Vouliez-vous dire `katuma`\u00a0? Instances\u00a0: katuma, uk.", "La réplique de Katuma n'a pas répondu en 30 s, réessayez plus tard."],
    de: ['Die Frage `facturacon` kenne ich nicht. Meinten Sie `facturación`?\nGeben Sie `help` ein, um alle Fragen mit Beispielen zu sehen.', 'Es gibt keine Instanz `katumaa`. Meinten Sie `katuma`? Instanzen: katuma, uk.', 'Das Replikat von Katuma hat nicht innerhalb von 30 s geantwortet, bitte später erneut versuchen.'],
  };

  it.each(LANGUAGES)('%s', (lang) => {
    const told = errors().map((e) => {
      const { message, hint } = errorWords(e, lang);
      return hint ? `${message}\n${hint}` : message;
    });
    expect(told).toEqual(golden[lang]);
  });

  it('keeps the English message for logs, JSON and tests, and leaves an error without catalog text as written', () => {
    const [question] = errors();
    expect(question!.message).toBe("I don't know the question `facturacon`. Did you mean `facturación`?");
    expect(errorWords(new OfnError('BadPeriod', '`2026-13` is not a period I understand. Months are 01 to 12.'), 'es')).toEqual({ message: '`2026-13` is not a period I understand. Months are 01 to 12.' });
  });
});

describe('management replies, pulse labels, refusals and warnings in Spanish, as a Spanish reader reads them (issue 18)', () => {
  // The slot as the locale writes it: no-break spaces read as spaces.
  const spaced = (text: string) => text.replace(/\s/g, ' ');

  it('a dashboard that does not exist, with the one meant', () => {
    const error = OfnError.say('NotFound', 'error.noDashboardGuess', { name: 'katuma-mensual', guess: 'katuma-monthly' }, 'hint.dashboardList');
    expect(errorWords(error, 'es')).toEqual({ message: 'No hay ningún panel `katuma-mensual`. ¿Querías decir `katuma-monthly`?', hint: '`dashboard list` los muestra.' });
    expect(error.message).toBe('There is no dashboard `katuma-mensual`. Did you mean `katuma-monthly`?');
  });

  it('a channel refused an instance, named in the reader’s words', () => {
    const error = OfnError.say('AccessDenied', 'error.access.hidden', { who: 'channel', id: 'C0AUONLY1', names: 'Katuma', visible: 'au', count: 1, hidden: '`katuma`' });
    expect(errorWords(error, 'es').message).toBe('Este canal (C0AUONLY1) no puede ver Katuma. Puede ver: au. Un operador puede añadir `katuma` a sus `instances` en la configuración de ofn-insights.');
    expect(error.message).toBe('This channel (C0AUONLY1) may not see Katuma. It may see: au. An operator can add `katuma` to its `instances` in the ofn-insights config.');
  });

  it('a pulse added, and the list of pulses', () => {
    const added = notice('pulse-add', [{ key: 'notice.pulseAdded', values: { id: '3', question: 'turnover katuma last-week', schedule: 'weekly mon 09:00', zone: 'Europe/Madrid', channel: 'C0OPS0001', onlyIfResults: 'yes', next: '2026-11-23 09:00', hidden: 1 } }]);
    expect(renderText(added, 'es')).toBe('Envío programado #3: `turnover katuma last-week` weekly mon 09:00 (Europe/Madrid) en <#C0OPS0001>, solo cuando haya resultados. Próximo envío: 2026-11-23 09:00. Una de sus preguntas no es visible en <#C0OPS0001>: se nombrará, pero no se mostrará.');
    // JSON, CSV and the CLI without --lang keep the English.
    expect(added.text).toBe('Pulse #3: `turnover katuma last-week` weekly mon 09:00 (Europe/Madrid) in <#C0OPS0001>, only when there are results. Next: 2026-11-23 09:00. 1 of its questions is not visible in <#C0OPS0001>: it will be named, not shown.');
    expect(renderText(added)).toBe(added.text);
    const list = notice('pulse-list', [
      { key: 'notice.pulseRow', values: { id: '3', question: 'turnover katuma last-week', schedule: 'weekly mon 09:00', zone: 'Europe/Madrid', channel: 'C0OPS0001', status: 'active', hasNext: 'yes', next: '2026-11-23 09:00', hasNote: 'no', note: '' } },
      { key: 'notice.pulseRow', values: { id: '4', question: 'growth all', schedule: 'monthly 1 09:00', zone: 'Europe/Madrid', channel: 'C0OPS0001', status: 'paused', hasNext: 'no', next: '', hasNote: 'no', note: '' } },
    ]);
    expect(slackMessage(list, { ephemeral: true, language: 'es' }).text).toBe(
      '• #3 `turnover katuma last-week` weekly mon 09:00 (Europe/Madrid) → <#C0OPS0001> · activo · próximo: 2026-11-23 09:00\n• #4 `growth all` monthly 1 09:00 (Europe/Madrid) → <#C0OPS0001> · en pausa',
    );
    expect(renderText(notice('pulse-set', [{ key: 'notice.pulseSet', values: { id: '4', status: 'active' } }]), 'es')).toBe('Envío programado #4 reanudado.');
  });

  it('the pulse label under a Katuma answer, on time and late, the slot written in Spanish', () => {
    const outcome: Outcome = { kind: 'answer', answer: answers('es').turnover!, presentation: { chart: false, public: false } };
    const label = (late: boolean) => {
      const blocks = pulseMessage(outcome, { pulseId: 3, slotLocal: '2026-11-16T09:00', timezone: 'Europe/Madrid', late }).blocks as { elements?: { text: string }[] }[];
      return spaced(blocks.at(-1)!.elements![0]!.text);
    };
    expect(label(false)).toBe('Envío programado #3 · lun, 16 nov 2026, 09:00 (Europe/Madrid)');
    expect(label(true)).toBe(':hourglass: Envío programado #3 entregado con retraso; estaba previsto para el lun, 16 nov 2026, 09:00 (Europe/Madrid)');
    // An English instance's pulse reads as it always did.
    const english: Outcome = { kind: 'answer', answer: answers('en').turnover!, presentation: { chart: false, public: false } };
    const blocks = pulseMessage(english, { pulseId: 3, slotLocal: '2026-11-16T09:00', timezone: 'Europe/Madrid', late: false }).blocks as { elements?: { text: string }[] }[];
    expect(blocks.at(-1)!.elements![0]!.text).toBe('Pulse #3 · Mon 16 Nov 2026 09:00 (Europe/Madrid)');
  });

  it('an instance without a billing plan and one that did not answer, under `billing all`', () => {
    const report = { kind: 'billing', instance: answers('es').turnover!.instance, month: '2026-10', plan: null, hash: 'abcdef0123456789', lines: [], totals: { turnover: '0', charge: '0', tax: '0', total: '0', billed: 0, trial: 0, belowMinimum: 0 } } as BillingReport;
    const all: Outcome = {
      kind: 'billing-all',
      month: '2026-10',
      reports: [report],
      total: { value: '0', currency: 'EUR', partial: true, rates: [] },
      warnings: [
        { instance: 'plain', name: 'Plain Food', message: 'no billing plan in the config', text: { key: 'warning.noBillingPlan' } },
        { instance: 'uk', name: 'OFN UK', message: "OFN UK's replica did not answer in 30 s.", text: { key: 'error.replicaDeadline', values: { name: 'OFN UK', seconds: 30 } } },
      ],
    };
    const text = renderText(all, 'es');
    expect(text).toContain('⚠ Plain Food: no tiene plan de cuotas en la configuración');
    expect(text).toContain('⚠ OFN UK: La réplica de OFN UK no ha respondido en 30 s.');
    expect(renderText(all, 'en')).toContain('⚠ Plain Food: no billing plan in the config');
  });

  it('a story question’s warning and note: buyers of Katuma and an instance that did not answer', () => {
    const story: StoryOutcome = {
      kind: 'story',
      question: 'buyers katuma,uk 2026',
      periodLabel: '2026',
      global: false,
      story: 'buyers',
      sections: [{ instance: instance('es'), period: period('2026'), buyers: 10, repeatBuyers: 3, repeatRate: 30, ordersWithoutBuyer: 0 }],
      rates: [],
      note: 'Turnover is not added up: no rate to EUR for GBP (exchangeRates in the config).',
      noteWords: { key: 'note.notAddedRates', values: { currency: 'EUR', list: 'GBP' } },
      warnings: [{ instance: 'uk', name: 'OFN UK', message: "OFN UK's replica did not answer in 30 s.", text: { key: 'error.replicaDeadline', values: { name: 'OFN UK', seconds: 30 } } }],
      presentation: { chart: false, public: false },
    };
    const lines = renderText(story, 'es').split('\n');
    expect(lines.slice(-2)).toEqual(['La facturación no se suma: no hay tipo de cambio a EUR para GBP (exchangeRates en la configuración).', '⚠ OFN UK: La réplica de OFN UK no ha respondido en 30 s.']);
    // In Slack too (the same text), and JSON keeps the English.
    expect(JSON.stringify(slackMessage(story, { ephemeral: true, language: 'es' }).blocks)).toContain('⚠ OFN UK: La réplica de OFN UK no ha respondido en 30 s.');
    expect(renderText(story, 'en').split('\n').at(-1)).toBe("⚠ OFN UK: OFN UK's replica did not answer in 30 s.");
  });

  it('asks which watch with a command that exists (`watch remove`), in every language', () => {
    let error: unknown;
    try {
      parseQuestion('watch remove x', { instanceIds: ['katuma'] });
    } catch (e) {
      error = e;
    }
    expect((error as OfnError).text?.key).toBe('error.manage.whichId');
    expect((error as OfnError).message).toBe('Which watch? Give its number, e.g. `watch remove 3`.');
    for (const lang of LANGUAGES) expect(errorWords(error as OfnError, lang).message).toContain('`watch remove 3`');
  });

  it('a definition page: `define hubs` and `define turnover`, the definition as written', () => {
    const hubs = parseQuestion('define hubs', { instanceIds: ['katuma'] });
    if (hubs.kind !== 'help') throw new Error('not help');
    expect(renderText(hubs, 'es').split('\n')).toEqual([
      'Segmento hubs',
      '',
      'Tiendas que pueden vender productos de otros. Con un periodo: las creadas antes de su fin (según su tipo de hoy).',
      "Definición: sells = 'any'.",
      'De serie (docs/definitions.md).',
      'Uso: `count hubs <instance>`, `list hubs <instance>`, `turnover <instance> last-month for hubs`.',
    ]);
    const turnover = parseQuestion('define turnover', { instanceIds: ['katuma'] });
    if (turnover.kind !== 'help') throw new Error('not help');
    expect(helpIn(turnover, 'es').lines.slice(1)).toEqual([
      'Definición: sum of spree_orders.total over sales orders (state complete or resumed, completed in the period, local time), attributed to the distributor.',
      'Unidad: la moneda de la instancia.',
      'De serie (docs/definitions.md).',
    ]);
    expect(slackMessage(turnover, { ephemeral: true, language: 'es' }).blocks[0]).toMatchObject({ type: 'header', text: { text: '/ofn define turnover' } });
    // English as it was.
    expect(renderText(turnover).split('\n').slice(0, 1)).toEqual(['Metric turnover']);
    expect(renderText(turnover)).toContain('Unit: the instance currency.');
  });
});

describe('help in the reader’s language', () => {
  const context = { instanceIds: ['katuma', 'uk'] };
  const routes = routeTable().commands;

  it('has a catalog summary for every built-in route, the English one the route’s own', () => {
    for (const route of routes) {
      const key = `route.${route.name}`;
      expect(isMessageKey(key), key).toBe(true);
      expect(t('en', key as MessageKey), key).toBe(route.summary);
    }
  });

  it.each(LANGUAGES)('%s: every heading and summary of `help` comes from its catalog', (lang) => {
    const parsed = parseQuestion('help', context);
    if (parsed.kind !== 'help') throw new Error('not help');
    const help = helpIn(parsed, lang);
    expect(help.language).toBe(lang);
    expect(help.title).toBe(t(lang, 'help.title'));
    const body = help.lines.join('\n');
    for (const group of ['question', 'instances', 'billing', 'dashboards', 'definitions', 'manage', 'help'] as const) expect(body).toContain(`${t(lang, `help.group.${group}`)}:`);
    for (const route of routes) expect(body, route.name).toContain(t(lang, `route.${route.name}` as MessageKey));
    expect(body).toContain(t(lang, 'help.instances', { list: 'katuma, uk' }));
    // The other languages' summaries are not there (a reader of one language sees one).
    const other = lang === 'en' ? 'es' : 'en';
    expect(body).not.toContain(t(other, 'route.funnel'));
  });

  it('answers `ayuda`, `aide`, `Hilfe` and `ajuda` in the language of the word typed, over the reader’s', () => {
    const cases = [['ayuda', 'es', 'Preguntas'], ['aide', 'fr', 'Questions'], ['Hilfe', 'de', 'Fragen'], ['ajuda', 'ca', 'Preguntes']] as const;
    for (const [word, lang, title] of cases) {
      const parsed = parseQuestion(word, context);
      if (parsed.kind !== 'help') throw new Error(word);
      expect(parsed.language).toBe(lang);
      expect(renderText(parsed).split('\n')[0]).toBe(title);
      // Slack: the word typed wins over the reader's locale.
      const slack = slackMessage(parsed, { ephemeral: true, language: 'en' });
      expect(slack.text).toBe(`ofn-insights: ${title}`);
      expect(JSON.stringify(slack.blocks)).toContain(t(lang, 'route.funnel').slice(0, 30));
    }
    // `help` typed in English: the reader's language (a Slack locale, the CLI's --lang).
    const help = parseQuestion('help', context);
    if (help.kind !== 'help') throw new Error('help');
    expect(help.language).toBeUndefined();
    expect(renderText(help, 'ca').split('\n')[0]).toBe('Preguntes');
    expect(renderText(help).split('\n')[0]).toBe('Questions');
    const slack = slackMessage(help, { ephemeral: true, language: 'fr' });
    expect(slack.text).toBe('ofn-insights: Questions');
    expect(JSON.stringify(slack.blocks)).toContain(t('fr', 'route.funnel').slice(0, 30));
    expect((slack.blocks[0] as { text: { text: string } }).text.text).toBe('/ofn help');
  });

  it('tells one question’s usage, its words in each language named in the reader’s, and the header names the route', () => {
    const parsed = parseQuestion('ayuda facturación', context);
    if (parsed.kind !== 'help') throw new Error('not help');
    expect(parsed.title).toBe('turnover');
    expect(parsed.command).toBe('help turnover');
    expect(renderText(parsed).split('\n')).toEqual(expect.arrayContaining([
      'Uso: turnover <instance> [period] [by day|week|month|shop] [for <segment>] [chart]',
      'En francés: chiffre d\'affaires, ventes, recettes',
      'Ejemplos:',
      'Instancias: katuma, uk.',
    ]));
    expect(renderText(parsed, 'de').split('\n')).toEqual(expect.arrayContaining(['Auf Spanisch: facturación, ventas, volumen de ventas, ingresos', 'Beispiele:']));
    // JSON stays English.
    expect(parsed.lines[1]).toBe('Usage: turnover <instance> [period] [by day|week|month|shop] [for <segment>] [chart]');
  });
});

describe('billing in the reader’s language', () => {
  // A provisional month of Katuma's: two lines, one billed, one in trial; plan with a cap and a trial.
  const report = (lang: Language): BillingReport => ({
    kind: 'billing',
    instance: instance(lang),
    month: '2026-11',
    provisional: true,
    asOf: '2026-11-15T13:00:00.000+01:00',
    hash: 'abcdef0123456789',
    plan: { name: 'Katuma 2026', kind: 'rate', fixed: '5', rate: '0.025', cap: '20', minimumTurnover: '100', taxRate: '0.21', trialDays: 30, groupBy: null } as BillingReport['plan'],
    lines: [
      { enterpriseId: 7, billingId: null, members: [7], name: 'Mercat Verd', category: 'Hub Shop', createdAt: '2024-03-01 10:00:00', turnover: '1234.50', orders: 41, charge: '20.00', tax: '4.20', total: '24.20', status: 'billed' },
      { enterpriseId: 9, billingId: null, members: [9], name: 'Horta Nord', category: 'Producer Shop', createdAt: '2026-11-02 10:00:00', turnover: '80.00', orders: 3, charge: '0.00', tax: '0.00', total: '0.00', status: 'trial' },
    ],
    totals: { turnover: '1314.50', charge: '20.00', tax: '4.20', total: '24.20', billed: 1, trial: 1, belowMinimum: 0 },
  });
  // Read as a native speaker would; amounts and dates with the customs of each locale.
  const golden: Record<Language, string[]> = {
    en: [
      'Billing · Katuma · November 2026 (provisional) (Europe/Madrid)',
      '⚠ Provisional: November 2026 is not over (figures to 15 Nov 13:00, Europe/Madrid). Do not invoice from it.',
      'Plan Katuma 2026: €5.00 + 2.5 % of turnover, at most €20.00; nothing below €100.00 turnover; first 30 days free; tax 21 %',
      '1 billed · 1 in trial · 0 below the minimum',
      'Turnover €1,314.50 · charges €20.00 + tax €4.20 = €24.20',
    ],
    es: [
      'Cuotas · Katuma · noviembre 2026 (provisional) (Europe/Madrid)',
      '⚠ Provisional: noviembre 2026 aún no ha terminado (cifras hasta 15 nov 13:00, Europe/Madrid). No factures a partir de esto.',
      'Plan Katuma 2026: 5,00\u00a0€ + 2,5 % de la facturación, como máximo 20,00\u00a0€; nada por debajo de 100,00\u00a0€ de facturación; primeros 30 días gratis; impuestos 21 %',
      '1 facturada · 1 en prueba · 0 por debajo del mínimo',
      'Facturación 1.314,50\u00a0€ · cargos 20,00\u00a0€ + impuestos 4,20\u00a0€ = 24,20\u00a0€',
    ],
    ca: [
      'Quotes · Katuma · novembre 2026 (provisional) (Europe/Madrid)',
      '⚠ Provisional: novembre 2026 encara no ha acabat (xifres fins a 15 nov. 13:00, Europe/Madrid). No en facturis a partir d’aquí.',
      'Pla Katuma 2026: 5,00\u00a0€ + 2,5 % de la facturació, com a màxim 20,00\u00a0€; res per sota de 100,00\u00a0€ de facturació; primers 30 dies gratuïts; impostos 21 %',
      '1 facturada · 1 en prova · 0 per sota del mínim',
      'Facturació 1.314,50\u00a0€ · càrrecs 20,00\u00a0€ + impostos 4,20\u00a0€ = 24,20\u00a0€',
    ],
    fr: [
      'Facturation · Katuma · novembre 2026 (provisoire) (Europe/Madrid)',
      '⚠ Provisoire\u00a0: novembre 2026 n’est pas terminé (chiffres jusqu’au 15 nov. 13:00, Europe/Madrid). Ne facturez pas à partir de ceci.',
      'Plan Katuma 2026\u00a0: 5,00\u00a0€ + 2,5 % du chiffre d’affaires, au plus 20,00\u00a0€; rien sous 100,00\u00a0€ de chiffre d’affaires; 30 premiers jours gratuits; taxe 21 %',
      '1 facturée · 1 en essai · 0 sous le minimum',
      'Chiffre d’affaires 1\u202f314,50\u00a0€ · frais 20,00\u00a0€ + taxe 4,20\u00a0€ = 24,20\u00a0€',
    ],
    de: [
      'Abrechnung · Katuma · November 2026 (vorläufig) (Europe/Madrid)',
      '⚠ Vorläufig: November 2026 ist noch nicht vorbei (Zahlen bis 15 Nov 13:00, Europe/Madrid). Stellen Sie danach keine Rechnungen.',
      'Tarif Katuma 2026: 5,00\u00a0€ + 2,5 % des Umsatzes, höchstens 20,00\u00a0€; nichts unter 100,00\u00a0€ Umsatz; erste 30 Tage kostenlos; Steuer 21 %',
      '1 abgerechnet · 1 in der Probezeit · 0 unter dem Mindestumsatz',
      'Umsatz 1.314,50\u00a0€ · Gebühren 20,00\u00a0€ + Steuer 4,20\u00a0€ = 24,20\u00a0€',
    ],
  };

  it.each(LANGUAGES)('%s: text and Slack, in the instance’s language by default', (lang) => {
    const text = billingText(report(lang)).split('\n');
    expect(text.slice(0, 5)).toEqual(golden[lang]);
    expect(text.slice(6, 7)[0]!.split(/\s{2,}/)).toEqual([t(lang, 'billing.col.enterprise'), t(lang, 'billing.col.turnover'), t(lang, 'billing.col.total'), t(lang, 'billing.col.status')]);
    expect(text.at(-1)).toContain(t(lang, 'billing.status.trial'));
    const slack = billingMessage(report(lang));
    expect((slack.blocks[0] as { text: { text: string } }).text.text).toBe(golden[lang][0]!.replace(' (Europe/Madrid)', ''));
    expect(JSON.stringify(slack.blocks)).toContain(t(lang, 'billing.context', { n: 2, hash: 'abcdef012345' }));
  });

  it('takes the reader’s language over the instance’s (a French reader at Katuma), amounts as the locale writes them', () => {
    const text = billingText(report('es'), 'fr').split('\n');
    expect(text[0]).toBe('Facturation · Katuma · novembre 2026 (provisoire) (Europe/Madrid)');
    // A French reader reads French numbers (narrow no-break space between thousands), not Katuma's Spanish ones.
    expect(text[4]).toBe('Chiffre d’affaires 1\u202f314,50\u00a0€ · frais 20,00\u00a0€ + taxe 4,20\u00a0€ = 24,20\u00a0€');
    expect(renderText(report('es'), 'de').split('\n')[0]).toBe('Abrechnung · Katuma · November 2026 (vorläufig) (Europe/Madrid)');
    // A Catalan reader of an English-speaking instance: Catalan words and Catalan numbers.
    expect(slackMessage(report('en'), { ephemeral: true, language: 'ca' }).text).toBe('Quotes · Katuma · novembre 2026 (provisional): 24,20\u00a0€');
  });
});

describe('announcements in the instance’s language', () => {
  const shop = { id: 42, name: 'Forn <Nou>', category: 'Hub Shop', town: 'Girona', country: 'ES', createdLocal: '16 nov 2026 09:00' };
  const golden: Record<Language, { one: string; created: string; many: string; since: string; category: string }> = {
    en: { one: 'New shop on Katuma', created: 'Created 16 nov 2026 09:00 (Europe/Madrid) · enterprise #42', many: '2 new profiles on Katuma', since: '41 new shops on Katuma since 15 Nov 08:00', category: 'Hub Shop' },
    es: { one: 'Nueva tienda en Katuma', created: 'Creada el 16 nov 2026 09:00 (Europe/Madrid) · empresa n.º 42', many: '2 perfiles nuevos en Katuma', since: '41 tiendas nuevas en Katuma desde el 15 Nov 08:00', category: 'Tienda (hub)' },
    ca: { one: 'Nova botiga a Katuma', created: 'Creada el 16 nov 2026 09:00 (Europe/Madrid) · empresa núm. 42', many: '2 perfils nous a Katuma', since: '41 botigues noves a Katuma des del 15 Nov 08:00', category: 'Botiga (hub)' },
    fr: { one: 'Nouvelle boutique sur Katuma', created: 'Créée le 16 nov 2026 09:00 (Europe/Madrid) · entreprise n°\u00a042', many: '2 nouveaux profils sur Katuma', since: '41 nouvelles boutiques sur Katuma depuis le 15 Nov 08:00', category: 'Boutique (hub)' },
    de: { one: 'Neuer Laden auf Katuma', created: 'Angelegt am 16 nov 2026 09:00 (Europe/Madrid) · Betrieb Nr. 42', many: '2 neue Profile auf Katuma', since: '41 neue Läden auf Katuma seit 15 Nov 08:00', category: 'Laden (Hub)' },
  };

  it.each(LANGUAGES)('%s: one, several, a summary since a time; the name escaped', (lang) => {
    const at = { name: 'Katuma', timezone: TZ, locale: LOCALE[lang], language: lang };
    const one = announcementMessage(at, 'new-shop', [shop]);
    expect(one.text).toBe(`${golden[lang].one}: Forn &lt;Nou&gt;`);
    const blocks = JSON.stringify(one.blocks);
    expect(blocks).toContain(golden[lang].one.replace('Katuma', '*Katuma*'));
    expect(blocks).toContain(`*Forn &lt;Nou&gt;* · ${golden[lang].category} · Girona, ES`);
    expect(blocks).toContain(golden[lang].created);
    expect(announcementMessage(at, 'new-profile', [shop, { ...shop, id: 43 }]).text).toBe(golden[lang].many);
    const many = announcementMessage(at, 'new-shop', Array.from({ length: 41 }, (_, i) => ({ ...shop, id: i })), '15 Nov 08:00');
    expect(many.text).toBe(golden[lang].since);
    expect(JSON.stringify(many.blocks)).toContain(t(lang, 'announce.more', { n: 1 }));
  });

  it('takes the language from the locale when the config names none', () => {
    expect(announcementMessage({ name: 'Katuma', timezone: TZ, locale: 'ca-ES' }, 'new-shop', [shop]).text).toBe('Nova botiga a Katuma: Forn &lt;Nou&gt;');
  });
});

describe('charts in the reader’s language', () => {
  it.each(LANGUAGES)('%s: title, range, series label, notes and the bucket not over yet', (lang) => {
    const answer = answers(lang).byMonth!;
    const spec = chartSpecFor(answer)!;
    expect(spec.title).toBe(`${t(lang, 'metric.orders')} · Katuma · ${describeRange(answer.period as ResolvedPeriod, LOCALE[lang], lang)} (${TZ})`);
    expect(spec.datasets[0]!.label).toBe(t(lang, 'metric.orders'));
    expect(spec.labels.at(-1)).toContain(t(lang, 'chart.toDate'));
    expect(spec.subtitle).toContain(t(lang, 'chart.total', { value: '' }).trim());
  });

  it('takes the reader’s language over the instance’s, and names the shops left out in it', () => {
    const ranking = answers('es').topShops!;
    const spec = chartSpecFor(ranking, { language: 'fr', topShops: 1 })!;
    expect(spec.title.startsWith(`${t('fr', 'metric.top-shops')} · Katuma · `)).toBe(true);
    expect(spec.labels).toEqual(['Mercat Verd', '6 autres boutiques']);
    expect(spec.subtitle).toBe('Total 140,69\u00a0€ · la première boutique sur 7, le reste en une barre');
  });
});

describe('growth in the reader’s language', () => {
  const change = (previous: number | null, yearBefore: number | null) =>
    Object.fromEntries(['newProfiles', 'newShops', 'activeShops', 'orders', 'turnover'].map((f) => [f, { previous, yearBefore }])) as GrowthReport['instances'][number]['total']['change'];
  const report = (lang: Language): GrowthReport => {
    const section = {
      instance: instance(lang),
      currency: 'EUR',
      period: period('last-2-months'),
      rows: [
        { date: '2026-09-01', newProfiles: 15, newShops: 4, activeShops: 54, orders: 565, turnover: '28523.9', change: change(12.5, null) },
        { date: '2026-10-01', newProfiles: 13, newShops: 4, activeShops: 64, orders: 1763, turnover: '36494.92', change: change(-3, 40) },
      ],
      total: { newProfiles: 28, newShops: 8, activeShops: 67, orders: 2328, turnover: '65018.82', change: change(20.6, 28.1) },
    };
    return { kind: 'growth', question: 'growth katuma last-2-months', periodLabel: 'last-2-months', instances: [section], rates: [], warnings: [], presentation: { chart: false, public: false } };
  };
  // The first lines as a native reader would read them; the tables' headings are the metric names.
  const golden: Record<Language, string[]> = {
    en: ['Growth · 1 instance · last-2-months', '', 'Katuma · last-2-months: 1 Sept 2026 – 31 Oct 2026 (Europe/Madrid)'],
    es: ['Crecimiento · 1 instancia · los últimos 2 meses', '', 'Katuma · los últimos 2 meses: 1 sept 2026 – 31 oct 2026 (Europe/Madrid)'],
    ca: ['Creixement · 1 instància · els últims 2 mesos', '', 'Katuma · els últims 2 mesos: 1 de set. del 2026 – 31 d’oct. del 2026 (Europe/Madrid)'],
    fr: ['Croissance · 1 instance · les 2 derniers mois', '', 'Katuma · les 2 derniers mois : 1 sept. 2026 – 31 oct. 2026 (Europe/Madrid)'],
    de: ['Wachstum · 1 Instanz · die letzten 2 Monate', '', 'Katuma · die letzten 2 Monate: 1. Sept. 2026 – 31. Okt. 2026 (Europe/Madrid)'],
  };

  it.each(LANGUAGES)('%s: titles, headings, months, change line; in the instance’s language by default', (lang) => {
    const text = growthText(report(lang)).split('\n');
    expect(text.slice(0, 3)).toEqual(golden[lang]);
    expect(text[3]!.split(/\s{2,}/)).toEqual([t(lang, 'table.month'), t(lang, 'metric.new-profiles'), t(lang, 'metric.new-shops'), t(lang, 'metric.active-shops'), t(lang, 'metric.orders'), t(lang, 'metric.turnover')]);
    expect(text[7]!.startsWith(t(lang, 'table.total'))).toBe(true);
    expect(text[9]).toBe(t(lang, 'growth.change', { months: 2 }));
    const slack = slackMessage(report(lang), { ephemeral: true });
    expect(slack.text.startsWith(t(lang, 'growth.slackTitle', { name: 'Katuma' }))).toBe(true);
  });

  it('writes the changes as the locale does, and takes the reader’s language over the instance’s', () => {
    const text = growthText(report('es'), 'de').split('\n');
    expect(text[0]).toBe('Wachstum · 1 Instanz · die letzten 2 Monate');
    expect(text.filter((l) => l.startsWith('Okt.')).at(-1)).toContain('−3,0\u00a0% / +40,0\u00a0%');
    expect(growthText(report('fr')).split('\n').filter((l) => l.startsWith('sept.')).at(-1)).toContain('+12,5\u00a0% / —');
  });
});

describe('several instances in the reader’s language', () => {
  const global = (): GlobalAnswer => {
    const katuma = answers('en').turnover!;
    const uk = { ...katuma, instance: { ...katuma.instance, id: 'uk', name: 'OFN UK', timezone: 'Europe/London', currency: 'GBP' } } as Answer;
    return { kind: 'global', question: 'turnover all last-month', title: 'Turnover', unit: 'money', periodLabel: 'last-month', results: [katuma, uk], warnings: [], total: { value: '2469', currency: 'EUR', partial: true, rates: [{ currency: 'GBP', rate: '1', month: null } as never] } };
  };
  const golden: Record<Language, { title: string; head: string[]; total: string }> = {
    en: { title: 'Turnover · 2 instances · last-month (each in its own time zone)', head: ['Instance', 'Turnover', 'Period'], total: 'Total: €2,469.00 at 1 GBP = 1 EUR (partial: not every instance is included)' },
    es: { title: 'Facturación · 2 instancias · el mes pasado (cada una en su zona horaria)', head: ['Instancia', 'Facturación', 'Periodo'], total: 'Total: 2.469,00\u00a0€ a 1 GBP = 1 EUR (parcial: no están todas las instancias)' },
    ca: { title: 'Facturació · 2 instàncies · el mes passat (cadascuna en la seva zona horària)', head: ['Instància', 'Facturació', 'Període'], total: 'Total: 2.469,00\u00a0€ a 1 GBP = 1 EUR (parcial: no hi són totes les instàncies)' },
    fr: { title: "Chiffre d'affaires · 2 instances · le mois dernier (chacune dans son fuseau horaire)", head: ['Instance', "Chiffre d'affaires", 'Période'], total: 'Total\u00a0: 2\u202f469,00\u00a0€ au taux de 1 GBP = 1 EUR (partiel\u00a0: toutes les instances n’y sont pas)' },
    de: { title: 'Umsatz · 2 Instanzen · letzter Monat (jede in ihrer Zeitzone)', head: ['Instanz', 'Umsatz', 'Zeitraum'], total: 'Summe: 2.469,00\u00a0€ zu 1 GBP = 1 EUR (unvollständig: nicht alle Instanzen sind enthalten)' },
  };

  it.each(LANGUAGES)('%s: title, headings, period in words and the total', (lang) => {
    const text = globalText(global(), lang).split('\n');
    expect(text[0]).toBe(golden[lang].title);
    expect(text[2]!.split(/\s{2,}/)).toEqual(golden[lang].head);
    expect(text.at(-1)).toBe(golden[lang].total);
    const slack = slackMessage({ kind: 'global', answer: global(), presentation: { chart: false, public: false } }, { ephemeral: true, language: lang });
    expect(slack.text.startsWith(t(lang, 'global.slackTitle', { title: t(lang, 'metric.turnover'), n: 2 }))).toBe(true);
  });
});

describe('the App Home tab in the reader’s language', () => {
  const figure = (lang: Language) => answers(lang).turnover! as ScalarAnswer;
  const view = (lang: Language, language?: Language) =>
    homeView({ ...(language ? { language } : {}), instances: [{ instance: instance(lang), readAt: '2026-11-15T12:00:00Z', figures: [{ metric: 'orders', thisMonth: figure(lang), sameDays: figure(lang), lastMonth: figure(lang) }] }], dashboards: [{ name: 'weekly', title: 'Weekly', questions: 2 }], cacheSeconds: 300 });
  const texts = (v: ReturnType<typeof homeView>) => JSON.stringify(v.blocks);

  it('speaks Spanish to a Katuma reader: button, introduction, figures, dashboards', () => {
    const blocks = texts(view('es'));
    expect(blocks).toContain('"text":"Actualizar"');
    expect(blocks).toContain('Lo que va de mes frente a los mismos días del mes pasado, cada instancia en su zona horaria. Las cifras se guardan 5 min; Actualizar las vuelve a leer.');
    expect(blocks).toContain('*Pedidos*');
    expect(blocks).toContain('todo oct');
    expect(blocks).toContain('2 preguntas');
    expect(blocks).toContain('"text":"Enviármelo"');
    expect(blocks).toContain('leído de la réplica a las 15 nov 13:00');
  });

  it('takes the reader’s own language over the instances’, and English when the instances disagree', () => {
    expect(texts(view('es', 'de'))).toContain('"text":"Aktualisieren"');
    const mixed = homeView({ instances: [{ instance: instance('es'), readAt: '2026-11-15T12:00:00Z', figures: [] }, { instance: { ...instance('fr'), id: 'fr' }, readAt: '2026-11-15T12:00:00Z', figures: [] }], dashboards: [], cacheSeconds: 60 });
    expect(texts(mixed)).toContain('"text":"Refresh"');
    expect(texts(mixed)).toContain('No figures.');
  });
});

describe('the growth chart in the reader’s language', () => {
  it('names its panels and the month not over in the report’s language, and draws no turnover panel that cannot be added up', () => {
    const change = Object.fromEntries(['newProfiles', 'newShops', 'activeShops', 'orders', 'turnover'].map((f) => [f, { previous: null, yearBefore: null }])) as GrowthReport['instances'][number]['total']['change'];
    const row = { date: '2026-11-01', newProfiles: 1, newShops: 2, activeShops: 3, orders: 4, turnover: '5', partial: true as const, change };
    const section = { instance: instance('fr'), currency: 'EUR', period: period('this-month'), rows: [row], total: { ...row, change } } as GrowthReport['instances'][number];
    const report: GrowthReport = { kind: 'growth', question: 'growth katuma this-month', periodLabel: 'this-month', instances: [section], rates: [], warnings: [], presentation: { chart: true, public: false } };
    const spec = growthChartSpec(report)!;
    expect(spec.panels!.map((p) => p.title)).toEqual(["Chiffre d'affaires", 'Boutiques actives', 'Nouvelles boutiques']);
    expect(spec.partialLabel).toBe('à ce jour');
    expect(spec.labels).toEqual(['nov. 2026 (à ce jour)']);
    // Several currencies and no reporting currency: the instances' turnover is not added up, and not drawn.
    const combined = { ...section, instance: null, currency: null, total: { ...row, turnover: null, change } };
    const several = growthChartSpec({ ...report, instances: [section, { ...section, instance: { ...instance('fr'), id: 'uk' } }], combined }, 'de')!;
    expect(several.panels!.map((p) => p.title)).toEqual(['Aktive Läden', 'Neue Läden']);
    expect(several.datasets.map((d) => d.label)).toEqual(['Aktive Läden', 'Neue Läden']);
  });

  it('writes a panel title longer than its panel is tall in two lines', () => {
    expect(panelTitleLines('Boutiques actives')).toEqual(['Boutiques', 'actives']);
    expect(panelTitleLines('Nouvelles boutiques')).toEqual(['Nouvelles', 'boutiques']);
    expect(panelTitleLines('Active shops')).toBe('Active shops');
    expect(panelTitleLines('Durchschnittsbestellung')).toBe('Durchschnittsbestellung');
  });
});

describe('why a period is refused, in the reader’s language', () => {
  const refusal = (question: string, lang: Language) => {
    try {
      parseQuestion(question, { instanceIds: ['katuma'] });
    } catch (error) {
      return errorWords(error as OfnError, lang).message;
    }
    throw new Error(`${question} was accepted`);
  };
  const golden: Record<Language, string[]> = {
    en: ['`2026-13` is not a period I understand. Months are 01 to 12.', '`31/02/2026` is not a period I understand. Dates here are day/month/year, as in 31/10/2026.', '`10/31/2026` is not a period I understand. Dates here are day/month/year, as in 31/10/2026: did you mean 31/10/2026?', '`last-9999-days` is not a period I understand. N must be between 1 and 3660 for days.', 'One period at a time.'],
    es: ['`2026-13` no es un periodo que entienda. Los meses van de 01 a 12.', '`31/02/2026` no es un periodo que entienda. Aquí las fechas son día/mes/año, como 31/10/2026.', '`10/31/2026` no es un periodo que entienda. Aquí las fechas son día/mes/año, como 31/10/2026: ¿querías decir 31/10/2026?', '`last-9999-days` no es un periodo que entienda. N debe estar entre 1 y 3660 para días.', 'Un periodo cada vez.'],
    ca: ['`2026-13` no és un període que entengui. Els mesos van de 01 a 12.', '`31/02/2026` no és un període que entengui. Aquí les dates són dia/mes/any, com 31/10/2026.', '`10/31/2026` no és un període que entengui. Aquí les dates són dia/mes/any, com 31/10/2026: volies dir 31/10/2026?', '`last-9999-days` no és un període que entengui. N ha d’estar entre 1 i 3660 per a dies.', 'Un període cada vegada.'],
    fr: ['`2026-13` n’est pas une période que je comprends. Les mois vont de 01 à 12.', '`31/02/2026` n’est pas une période que je comprends. Ici, les dates s’écrivent jour/mois/année, comme 31/10/2026.', '`10/31/2026` n’est pas une période que je comprends. Ici, les dates s’écrivent jour/mois/année, comme 31/10/2026\u00a0: vouliez-vous dire 31/10/2026\u00a0?', '`last-9999-days` n’est pas une période que je comprends. N doit être entre 1 et 3660 pour des jours.', 'Une période à la fois.'],
    de: ['`2026-13` ist kein Zeitraum, den ich verstehe. Monate sind 01 bis 12.', '`31/02/2026` ist kein Zeitraum, den ich verstehe. Daten schreibt man hier Tag/Monat/Jahr, wie 31/10/2026.', '`10/31/2026` ist kein Zeitraum, den ich verstehe. Daten schreibt man hier Tag/Monat/Jahr, wie 31/10/2026: Meinten Sie 31/10/2026?', '`last-9999-days` ist kein Zeitraum, den ich verstehe. N muss zwischen 1 und 3660 Tagen liegen.', 'Ein Zeitraum auf einmal.'],
  };

  it.each(LANGUAGES)('%s', (lang) => {
    const questions = ['turnover katuma 2026-13', 'turnover katuma 31/02/2026', 'turnover katuma 10/31/2026', 'turnover katuma last-9999-days', 'turnover katuma last-month 2026-10'];
    expect(questions.map((q) => refusal(q, lang))).toEqual(golden[lang]);
  });
});

describe('numbers as the reader’s language writes them', () => {
  const australia = { id: 'au', name: 'OFN Australia', timezone: 'Australia/Melbourne', currency: 'AUD', locale: 'en-AU', language: 'en' as const };
  const scalar = (at: typeof australia, value: string, unit: 'money' | 'count'): Answer => ({
    instance: at,
    kind: 'scalar',
    question: 'turnover au last-month',
    title: unit === 'money' ? 'Turnover' : 'Orders',
    measure: unit === 'money' ? 'Turnover' : 'Orders',
    period: period('last-month'),
    unit,
    value,
  });

  it('writes an Australian instance’s figures the German, Spanish or French way for those readers, and its own way in English', () => {
    const money = scalar(australia, '260101.69', 'money');
    const count = scalar(australia, '2987', 'count');
    const figure = (a: Answer, lang: Language) => answerText(a, lang).split('\n').find((l) => /\d{3}/.test(l) && !/\d{4}\b.*\(/.test(l))!.trim();
    expect(figure(money, 'en')).toBe('$260,101.69');
    expect(figure(money, 'de')).toBe('260.101,69\u00a0AU$');
    expect(figure(money, 'es')).toBe('260.101,69\u00a0AUD');
    expect(figure(money, 'fr')).toBe('260\u202f101,69\u00a0$AU');
    // 2,987 would read as "two point nine" to a German: never written so for them.
    expect(figure(count, 'de')).toBe('2.987');
    expect(figure(count, 'en')).toBe('2,987');
  });

  it('keeps the instance’s own locale for a reader of the instance’s language (English words, Spanish numbers when the operator chose both)', () => {
    const katumaInEnglish = { ...australia, id: 'katuma', name: 'Katuma', currency: 'EUR', locale: 'es-ES', language: 'en' as const };
    expect(answerText(scalar(katumaInEnglish, '36494.92', 'money'), 'en')).toContain('36.494,92\u00a0€');
    expect(answerText(scalar(katumaInEnglish, '36494.92', 'money'), 'fr')).toContain('36\u202f494,92\u00a0€');
  });
});

describe('CSV headers in the reader’s language (--headers localized)', () => {
  it('names every column of every kind: its own words, months since a first sale, and changes', () => {
    const csv = 'instance,month,turnover,charge,tax,status,provisional,turnover_change_previous,orders_change_year_before,month_3,cohort,size,median_days_to_first_sale,without_coordinates\r\nkatuma,2026-10\r\n';
    const es = localizeCsvHeaders(csv, { kind: 'notice', action: 'x', text: 'x' }, 'es');
    expect(es.split('\r\n')[0]).toBe(
      'Instancia,Mes,Facturación,Cargo,Impuestos,Estado,Provisional,"Facturación, variación sobre el periodo anterior","Pedidos, variación sobre un año antes",Mes +3,Cohorte,Tamaño,Mediana de días hasta la primera venta,Sin coordenadas',
    );
    // The rows are untouched; a name without words stays as the machine wrote it.
    expect(es.split('\r\n')[1]).toBe('katuma,2026-10');
    expect(localizeCsvHeaders('unknown_thing,month_11\r\n', { kind: 'notice', action: 'x', text: 'x' }, 'de').split('\r\n')[0]).toBe('unknown_thing,Monat +11');
  });
});
