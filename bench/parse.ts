import { parseQuestion } from '../src/commands/index.js';
import type { ParseContext } from '../src/commands/types.js';
import { OfnError } from '../src/core/errors.js';
import { parseConfig } from '../src/installation.js';
import { fmt, median, table } from './stats.js';

/**
 * The parse step alone (text → route and typed arguments, no clock, no database): what every
 * question pays before anything is read. Canonical questions as the bot has always accepted them,
 * so a before/after comparison measures what a new grammar costs the questions that already worked;
 * typed variants (issue 18) are measured apart, and only where the code under test knows them.
 */
export const CANONICAL = [
  'turnover katuma last-month',
  'turnover katuma last-12-months by month chart',
  'turnover katuma 2026-Q3 by shop',
  'orders katuma this-year by week',
  'average-order katuma 2026-10',
  'top-shops 10 katuma last-month',
  'new-profiles katuma last-month',
  'new shops katuma this-year by month',
  'shops katuma',
  'producers katuma last-year',
  'count hubs katuma',
  'turnover all last-month',
  'turnover katuma,uk 2026-10-01..2026-10-31',
  'compare turnover',
  'billing katuma 2026-10',
  'help turnover',
];

export const TYPED = [
  'how many shops in katuma',
  '¿cuántas tiendas hay en katuma?',
  'facturación de katuma en octubre',
  'ventas katuma el mes pasado',
  "chiffre d'affaires katuma le mois dernier",
  'Umsatz katuma letzten Monat',
  'pedidos katuma Q3',
  'turnover katuma since 2026-01-01',
  'nuevas tiendas katuma ytd',
  'Bestellungen katuma 31/10/2026',
];

function context(): ParseContext {
  const instances = Object.fromEntries(
    ['katuma', 'uk', 'france', 'australia', 'canada'].map((id) => [id, { name: id, replica: 'postgres://x@y/z', timezone: 'Europe/Madrid', currency: 'EUR' }]),
  );
  const config = parseConfig({ instances }, {}, 'bench');
  return {
    instanceIds: [...config.instances.keys()],
    segmentNames: [...config.registry.segments.keys()],
    registry: config.registry,
  };
}

/** Microseconds per parse: the median of `rounds` rounds, each parsing every question `perRound` times. */
function measure(questions: readonly string[], ctx: ParseContext, rounds: number, perRound: number): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = process.cpuUsage();
    for (let i = 0; i < perRound; i++) for (const q of questions) parseQuestion(q, ctx);
    const used = process.cpuUsage(started);
    samples.push(((used.user + used.system) / (perRound * questions.length)));
  }
  return median(samples);
}

export async function benchParse(rounds: number, log: (line: string) => void): Promise<string> {
  const ctx = context();
  const accepted = TYPED.filter((q) => {
    try {
      parseQuestion(q, ctx);
      return true;
    } catch (error) {
      if (error instanceof OfnError) return false;
      throw error;
    }
  });
  log(`Parse: ${CANONICAL.length} canonical questions, ${accepted.length} of ${TYPED.length} typed variants accepted…`);
  measure(CANONICAL, ctx, 5, 2000); // warm-up: JIT and caches
  const canonical = measure(CANONICAL, ctx, rounds, 2000);
  const typed = accepted.length ? measure(accepted, ctx, rounds, 2000) : NaN;
  return [
    `CPU time per parse (process.cpuUsage, user + system), median of ${rounds} rounds of 2,000 × each question, after a warm-up.`,
    '',
    table(
      ['questions', 'count', 'µs per parse (median)'],
      [
        ['canonical (as accepted before issue 18)', CANONICAL.length, fmt(canonical)],
        ['typed variants (issue 18)', `${accepted.length} of ${TYPED.length} accepted`, Number.isNaN(typed) ? '–' : fmt(typed)],
      ],
    ),
  ].join('\n');
}
