import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CompiledQuery, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';
import { parseQuestion } from '../src/commands/index.js';
import { ask } from '../src/commands/pipeline.js';
import type { Deps } from '../src/commands/types.js';
import { parseConfig } from '../src/installation.js';
import { OfnError } from '../src/core/errors.js';
import { parsePeriod, resolvePeriod } from '../src/core/periods.js';
import type { OfnDatabase } from '../src/queries/ofn-tables.js';
import { Replica } from '../src/queries/replica.js';
import { errorMessage, helpMessage } from '../src/render/slack-message.js';
import { unescapeSlackText } from '../src/slack/answer-request.js';
import { parseManagement } from '../src/commands/manage.js';

/**
 * Property-based tests of everything user text reaches. `npm test` runs a few thousand cases;
 * `npm run fuzz` runs 100,000 per property (FUZZ_RUNS).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const INSTANCES = ['katuma', 'au', 'uk'];
const context = { instanceIds: INSTANCES, segmentNames: ['shops', 'hubs', 'producers', 'active-shops'] };
const WORDS = ['turnover', 'orders', 'average-order', 'top-shops', 'new', 'profiles', 'shops', 'new-shops', 'hubs', 'producers', 'active-shops', 'count', 'list', 'by', 'month', 'week', 'day', 'shop', 'chart', 'public', 'for', 'all', 'help', 'last', 'this', 'month', 'last-month', 'last-3-months', 'this-year', '2026', '2026-10', '2026-Q3', '2026-10-31', '2026-10-01..2026-10-31', 'katuma', 'au', 'uk', 'katuma,uk', 'billing', 'as-sent', 'compare', 'growth', 'metrics', 'segments', 'define',
  // Questions as people type them (issue 18): question words, fillers, periods and dates of every language.
  'facturación', 'facturacion', 'ventas', 'pedidos', 'tiendas', 'nuevas', 'productores', 'nous', 'perfils', 'chiffre', "d'affaires", 'commandes', 'Umsatz', 'Bestellungen', 'Läden', 'ayuda', 'aide', 'hilfe',
  'octubre', 'oct', 'Oktober', 'octobre', "l'octubre", 'març', 'Q3', 'T3', '2026Q3', 'q5', 'ytd', 'previous-month', 'since', 'until', 'desde', 'hasta', 'depuis', "jusqu'au", 'seit', 'vom', 'bis', 'zwischen', 'und', 'del', 'al', 'des',
  'el', 'mes', 'pasado', 'le', 'mois', 'dernier', 'letzten', 'Monat', 'the', 'last', '3', 'months', 'últimos', 'meses', 'derniers',
  '31/10/2026', '10/31/2026', '31.10.2026', '01/10/2026..31/10/2026', '2026/10', '10/2026', 'how', 'many', 'cuántas', '¿', '?', 'katuma?', 'de', 'en', 'in', 'hay', 'por', 'par', 'pro', 'semana', 'gráfico'];
const HOSTILE = ['__proto__', 'constructor', 'toString', "'; drop table enterprises; --", '<!channel>', '<!here>', '<@U0123>', '<#C0123|general>', '```', '*bold*', '&lt;!channel&gt;', '\u0000', '\u202e', '𝕋𝕦𝕣𝕟𝕠𝕧𝕖𝕣', '9'.repeat(400), '-1', '1e309', 'NaN', '$1', 'null', '%s', '{{x}}', '../../etc/passwd'];

const word = fc.oneof(fc.constantFrom(...WORDS), fc.constantFrom(...HOSTILE), fc.string({ maxLength: 20 }), fc.integer().map(String), fc.string({ unit: 'grapheme', maxLength: 12 }));
const nearValid = fc.array(word, { minLength: 0, maxLength: 8 }).map((ws) => ws.join(' '));
const anything = fc.oneof(nearValid, fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ minLength: 5000, maxLength: 10_000 }));

describe('fuzzing the question parser', () => {
  it('always yields a question, help, or a helpful OfnError; never anything else', () => {
    fc.assert(
      fc.property(anything, (text) => {
        try {
          const parsed = parseQuestion(text, context);
          expect(['question', 'help']).toContain(parsed.kind);
        } catch (error) {
          expect(error).toBeInstanceOf(OfnError);
          expect((error as OfnError).message.length).toBeGreaterThan(10);
          // Echoed input is cut: a 10 kB word never comes back whole.
          expect((error as OfnError).message.length).toBeLessThan(1_500);
        }
        try {
          parseManagement(text);
        } catch (error) {
          expect(error).toBeInstanceOf(OfnError);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('never echoes Slack control sequences back unescaped', () => {
    fc.assert(
      fc.property(anything, (raw) => {
        const text = unescapeSlackText(raw);
        let blocks: string;
        try {
          const parsed = parseQuestion(text, context);
          blocks = parsed.kind === 'help' ? JSON.stringify(helpMessage(parsed).blocks) : '';
        } catch (error) {
          const e = error as OfnError;
          blocks = JSON.stringify(errorMessage(e.message, e.hint).blocks);
        }
        // Mentions and links start with "<" in Slack's markup; every user-supplied "<" must arrive as &lt;.
        expect(blocks).not.toMatch(/<[!@#]/);
      }),
      { numRuns: RUNS },
    );
  });

  it('parses periods or refuses them with the accepted forms, and resolves every accepted one', () => {
    const periodish = fc.oneof(
      fc.constantFrom('today', 'yesterday', 'this-week', 'last-week', 'this-month', 'last-month', 'this-quarter', 'last-quarter', 'this-year', 'last-year'),
      fc.tuple(fc.integer({ min: -5, max: 10_000 }), fc.constantFrom('day', 'days', 'week', 'weeks', 'month', 'months', 'year')).map(([n, u]) => `last-${n}-${u}`),
      fc.tuple(fc.integer({ min: 1990, max: 2110 }), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 32 })).map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
      fc.tuple(fc.integer({ min: 1990, max: 2110 }), fc.integer({ min: 0, max: 6 })).map(([y, q]) => `${y}-Q${q}`),
      fc.string({ maxLength: 30 }),
      fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'),
      // Typed forms (issue 18): month names with or without a year, quarters, local dates, since/until.
      fc.tuple(fc.constantFrom('octubre', 'Oktober', 'feb', 'març', 'août', 'dec', 'setiembre'), fc.constantFrom('', '-2026', '-1999', '.2026')).map(([m, y]) => `${m}${y}`),
      fc.tuple(fc.constantFrom('q', 'Q', 't', 'T'), fc.integer({ min: 0, max: 9 }), fc.constantFrom('', '2026', '-2026', '2099')).map(([q, n, y]) => (y && y.length === 4 && n % 2 ? `${y}${q}${n}` : `${q}${n}${y}`)),
      fc.tuple(fc.integer({ min: 0, max: 35 }), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 1990, max: 2110 }), fc.constantFrom('/', '.', '-')).map(([d, m, y, sep]) => `${d}${sep}${m}${sep}${y}`),
      fc.tuple(fc.constantFrom('since-', 'until-'), fc.constantFrom('2026-01-01', 'october', 'Q3', '31/10/2026', 'since-2026', 'x', '2026-13')).map(([a, b]) => `${a}${b}`),
    );
    const zones = fc.constantFrom('Europe/Madrid', 'Australia/Melbourne', 'America/Chicago', 'Pacific/Auckland', 'Asia/Kolkata', 'America/St_Johns', 'UTC');
    fc.assert(
      fc.property(periodish, zones, fc.date({ min: new Date('2001-01-01'), max: new Date('2099-01-01'), noInvalidDate: true }), (text, zone, now) => {
        let spec;
        try {
          spec = parsePeriod(text, { dateOrder: text.length % 2 ? 'dmy' : 'mdy' });
        } catch (error) {
          expect(error).toBeInstanceOf(OfnError);
          expect((error as OfnError).code).toBe('BadPeriod');
          // The accepted forms, or a specific reason instead (issue 13).
          const e = error as OfnError;
          if (e.hint === undefined) expect(e.message).toMatch(/is not a period I understand\. \S/);
          else expect(e.hint).toContain('YYYY-MM-DD..YYYY-MM-DD');
          return;
        }
        const period = resolvePeriod(spec, zone, now);
        expect(period.from.isValid && period.to.isValid).toBe(true);
        expect(period.to > period.from).toBe(true);
        // Boundaries are local midnights (or the first instant after a midnight DST skips).
        expect(period.from.hour === 0 || period.from.minus({ hours: 1 }).day !== period.from.day).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

/** A driver that records every statement and answers with one generic row, so answers can be built offline. */
class RecordingDriver implements Driver {
  statements: CompiledQuery[] = [];
  async init() {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        this.statements.push(query);
        const row: Record<string, unknown> = { turnover: '0', orders: 0, count: 0, n: 0, bucket: 1, id: 1, name: 'Shop', sells: 'any', created_at: '2026-01-01 00:00:00', at: null, table_name: 'enterprises', column_name: 'id' };
        // Every other column the statement names (`… as "t0"`: growth's windows, the story's figures) is 0, as PostgreSQL's count and coalesce(sum) give.
        for (const [, alias] of query.sql.matchAll(/ as "([A-Za-z_][A-Za-z0-9_]*)"/g)) if (!(alias! in row)) row[alias!] = '0';
        return { rows: [row as R] };
      },
      streamQuery: async function* () {},
    } as DatabaseConnection;
  }
  async beginTransaction() {}
  async commitTransaction() {}
  async rollbackTransaction() {}
  async releaseConnection() {}
  async destroy() {}
}

describe('fuzzing what reaches SQL', () => {
  it('sends user text only as parameters: no input word ever appears in a statement', async () => {
    const driver = new RecordingDriver();
    const config = parseConfig({ instances: Object.fromEntries(INSTANCES.map((id) => [id, { name: id, replica: 'postgres://x@y/z', timezone: 'Europe/Madrid', currency: 'EUR' }])) }, {}, 'fuzz');
    const db = new Kysely<OfnDatabase>({ dialect: { createAdapter: () => new PostgresAdapter(), createDriver: () => driver, createIntrospector: (k) => new PostgresIntrospector(k), createQueryCompiler: () => new PostgresQueryCompiler() } });
    const replicas = new Map(INSTANCES.map((id) => [id, new Replica(config.instances.get(id)!, db)]));
    const deps: Deps = { config, replica: (id) => replicas.get(id)!, now: () => new Date('2026-11-15T12:00:00Z') };
    const vocabulary = new Set([...WORDS, 'select', 'from', 'where', 'sum', 'count', 'and', 'total', 'state']);
    await fc.assert(
      fc.asyncProperty(nearValid, async (text) => {
        driver.statements = [];
        try {
          await ask(deps, text);
        } catch (error) {
          if (!(error instanceof OfnError)) throw error;
        }
        const sqlText = driver.statements.map((s) => s.sql.toLowerCase()).join('\n');
        for (const token of text.split(/\s+/)) {
          const t = token.toLowerCase();
          if (t.length < 4 || vocabulary.has(t) || /^[\d.-]+$/.test(t)) continue;
          expect(sqlText.includes(t), `"${t}" reached SQL`).toBe(false);
        }
        for (const s of driver.statements) for (const p of s.parameters) expect(['string', 'number', 'boolean', 'object']).toContain(typeof p);
      }),
      { numRuns: Math.min(RUNS, 3000) },
    );
  });
});
