import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, type Outcome } from '../src/commands/pipeline.js';
import type { Deps } from '../src/commands/types.js';
import { OfnError } from '../src/core/errors.js';
import { parseConfig } from '../src/installation.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import { renderCsv } from '../src/render/csv.js';
import { renderJson } from '../src/render/json.js';
import { renderText } from '../src/render/text.js';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';

/**
 * A channel that may see Katuma only asks questions that span instances. OFN UK's figures must never
 * reach it: not in a row, not in a total, not in a chart series, not in a warning or an error. (A
 * refusal may name the instance the user typed; an answer does not mention it at all.)
 *
 * Katuma (Madrid, EUR): Mercat Verd, one order of 111.11 in October 2026.
 * OFN UK (London, GBP): Stroud Secret Hub and Bristol Hidden Larder, created in October 2026, and three
 * orders of 777.77 in October (2333.31 GBP, 2683.31 EUR at 1.15).
 */
const NOW = new Date('2026-11-15T12:00:00Z');
const VISIBLE = new Set(['katuma']);
// OFN UK's data: its shops, currency and figures, raw or converted to EUR.
const HIDDEN_DATA = ['Stroud', 'Bristol', '£', 'GBP', '777.77', '777,77', '2333.31', '2,333.31', '2683.31', '2,683.31', '894.44'];
// In an answer, not even its name or id.
const HIDDEN_IN_ANSWERS = [...HIDDEN_DATA, 'OFN UK', '"uk"'];

let katuma: TestDatabase;
let uk: TestDatabase;
let replicas: ReplicaSet;
let deps: Deps;

beforeAll(async () => {
  katuma = await createTestDatabase('hidden_katuma');
  const k = new OfnFixture(katuma.client);
  const hub = await k.enterprise({ name: 'Mercat Verd', sells: 'any' });
  await k.order(hub, { total: '111.11', completed_at: utc('2026-10-15 12:00', 'Europe/Madrid') });

  uk = await createTestDatabase('hidden_uk');
  const u = new OfnFixture(uk.client);
  const stroud = await u.enterprise({ name: 'Stroud Secret Hub', sells: 'any', created_at: utc('2026-10-03 10:00', 'Europe/London') });
  await u.enterprise({ name: 'Bristol Hidden Larder', sells: 'own', created_at: utc('2026-10-04 10:00', 'Europe/London') });
  for (const day of ['05', '06', '07']) await u.order(stroud, { total: '777.77', completed_at: utc(`2026-10-${day} 12:00`, 'Europe/London') });

  const config = parseConfig(
    {
      // Totals across currencies: a leak would show as a converted figure too.
      reportingCurrency: 'EUR',
      exchangeRates: { GBP: 1.15 },
      instances: {
        katuma: { name: 'Katuma', replica: katuma.url, timezone: 'Europe/Madrid', currency: 'EUR' },
        uk: { name: 'OFN UK', replica: uk.url, timezone: 'Europe/London', currency: 'GBP' },
      },
    },
    {},
    'test',
  );
  replicas = new ReplicaSet(config);
  deps = { config, replica: (id) => replicas.get(id), now: () => NOW };
});

afterAll(async () => {
  await replicas?.closeAll();
  await katuma?.drop();
  await uk?.drop();
});

/** Asks as the Katuma-only channel: the outcome and everything shown of it (or the refusal). */
async function askAsKatumaChannel(question: string): Promise<{ outcome?: Outcome; shown: string[] }> {
  let result: { outcome?: Outcome; shown: string[] };
  try {
    const outcome = await ask(deps, question, undefined, { visibleInstances: VISIBLE });
    result = { outcome, shown: [renderText(outcome), renderJson(outcome), renderCsv(outcome)] };
  } catch (error) {
    if (!(error instanceof OfnError)) throw error;
    result = { shown: [error.message, error.hint ?? ''] };
  }
  const hidden = result.outcome ? HIDDEN_IN_ANSWERS : HIDDEN_DATA;
  for (const text of result.shown) expect(hidden.filter((h) => text.includes(h)), `${question}: ${text.slice(0, 400)}`).toEqual([]);
  return result;
}

/** The instances an answer has rows for. */
const instancesOf = (outcome: Outcome) => {
  const json = JSON.parse(renderJson(outcome));
  // Answers list rows per instance; growth (issue 16) one block per instance.
  return [...new Set((json.rows ?? json.instances).map((r: { instance: string }) => r.instance))];
};

describe('questions across instances from a channel that sees one of them', () => {
  it('check: asked with every instance visible, the same questions do show OFN UK', async () => {
    // Otherwise the scans below could pass because the fixture or the markers are wrong.
    const all = renderText(await ask(deps, 'turnover all 2026-10'));
    expect(all).toContain('OFN UK');
    expect(all).toContain('2,333.31');
    expect(renderJson(await ask(deps, 'growth all 2026-10'))).toContain('"uk"');
  });

  it('`all` covers only the visible instance, totals included', async () => {
    for (const question of ['turnover all 2026-10', 'orders all 2026-10', 'top-shops all 2026-10', 'new-shops all 2026-10', 'active-shops all 2026-10', 'turnover all 2026 by month']) {
      const { outcome } = await askAsKatumaChannel(question);
      expect(outcome?.kind, question).toBe('global');
      expect(instancesOf(outcome!), question).toEqual(['katuma']);
    }
    const turnover = JSON.parse(renderJson((await askAsKatumaChannel('turnover all 2026-10')).outcome!));
    expect(turnover.total).toMatchObject({ value: 111.11 });
    const orders = JSON.parse(renderJson((await askAsKatumaChannel('orders all 2026-10')).outcome!));
    expect(orders.total).toMatchObject({ value: 1 });
  });

  it('an instance list naming the hidden instance is refused, or answered without it', async () => {
    for (const question of ['turnover katuma,uk 2026-10', 'orders uk,katuma 2026-10', 'turnover uk 2026-10', 'top-shops katuma,uk 2026-10']) {
      const { outcome } = await askAsKatumaChannel(question);
      if (outcome) expect(instancesOf(outcome), question).toEqual(['katuma']);
    }
  });

  it('compare draws no series for the hidden instance', async () => {
    for (const question of ['compare turnover all 2026', 'compare turnover 2026', 'compare orders katuma,uk 2026', 'compare new-shops all 2026']) {
      const { outcome } = await askAsKatumaChannel(question);
      if (outcome) expect(instancesOf(outcome), question).toEqual(['katuma']);
    }
  });

  it('growth reports only the visible instance', async () => {
    for (const question of ['growth 2026-10', 'growth all 2026-10', 'growth katuma,uk 2026-10']) {
      const { outcome } = await askAsKatumaChannel(question);
      if (outcome) expect(instancesOf(outcome), question).toEqual(['katuma']);
    }
  });

  it('check: the questions without an instance list are answered, not refused, so the scans saw answers', async () => {
    for (const question of ['turnover all 2026-10', 'compare turnover 2026', 'compare turnover all 2026', 'growth 2026-10', 'growth all 2026-10']) {
      expect((await askAsKatumaChannel(question)).outcome, question).toBeDefined();
    }
  });
});
