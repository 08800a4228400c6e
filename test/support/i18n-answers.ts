import type { Answer, InstanceRef } from '../../src/core/answer.js';
import type { Language } from '../../src/core/i18n.js';
import { parsePeriod, resolvePeriod } from '../../src/core/periods.js';

/** One answer of every kind a question gives, for the golden tests of each language (test/i18n.test.ts) and the catalog-coverage test. */
// Katuma, asked on Sunday 15 November 2026 at 13:00 in Madrid.
export const NOW = new Date('2026-11-15T12:00:00Z');
export const TZ = 'Europe/Madrid';
export const LOCALE: Record<Language, string> = { en: 'en-GB', es: 'es-ES', ca: 'ca-ES', fr: 'fr-FR', de: 'de-DE' };
export const instance = (lang: Language): InstanceRef => ({ id: 'katuma', name: 'Katuma', timezone: TZ, currency: 'EUR', locale: LOCALE[lang], language: lang });
export const period = (text: string) => resolvePeriod(parsePeriod(text), TZ, NOW);

/** One answer of every kind a question gives, as the commands build them (English titles; the renderers translate). */
export function answers(lang: Language): Record<string, Answer> {
  const at = { instance: instance(lang) };
  return {
    turnover: { ...at, kind: 'scalar', question: 'turnover katuma last-month', title: 'Turnover', measure: 'Turnover', period: period('last-month'), unit: 'money', value: '1234.5', orders: 41, detail: 'from 41 sales orders' },
    shops: { ...at, kind: 'scalar', question: 'shops katuma', title: 'Shops', measure: 'Shops', period: { label: 'now', from: null, to: period('today').asOf!, timezone: TZ }, unit: 'count', value: '1' },
    byMonth: {
      ...at,
      kind: 'series',
      question: 'orders katuma this-quarter by month',
      title: 'Orders',
      measure: 'Orders',
      period: period('this-quarter'),
      unit: 'count',
      grain: 'month',
      rows: [
        { date: '2026-10-01', value: '1200' },
        { date: '2026-11-01', value: '310', partial: true },
      ],
      total: { value: '1510' },
    },
    topShops: {
      ...at,
      kind: 'ranking',
      question: 'top-shops 2 katuma 2026-10',
      title: 'Top shops',
      measure: 'Turnover',
      period: period('2026-10'),
      unit: 'money',
      rows: [
        { enterpriseId: 1, name: 'Mercat Verd', value: '132.39', orders: 3 },
        { enterpriseId: 2, name: 'Horta Nord', value: '0.3', orders: 2 },
      ],
      totalRows: 7,
      total: { value: '140.69', orders: 9 },
    },
    list: {
      ...at,
      kind: 'list',
      question: 'list hubs katuma 1',
      title: 'Hubs',
      measure: 'Hubs',
      period: { label: 'now', from: null, to: period('today').asOf!, timezone: TZ },
      unit: 'count',
      rows: [{ enterpriseId: 1, name: 'Mercat Verd', category: 'hub', town: 'Girona', country: 'ES', createdAt: '2024-03-01' }],
      totalRows: 2,
    },
    future: { ...at, kind: 'scalar', question: 'new-shops katuma 2026-12', title: 'New shops', measure: 'New shops', period: period('2026-12'), unit: 'count', value: null, note: 'No data yet: 2026-12 starts on 1 December 2026.' },
    byWeek: {
      ...at,
      kind: 'series',
      question: 'turnover katuma 2026-11-09..2026-11-15 by week',
      title: 'Turnover',
      measure: 'Turnover',
      period: period('2026-11-09..2026-11-15'),
      unit: 'money',
      grain: 'week',
      rows: [{ date: '2026-11-09', value: '7', partial: true }],
      dataAsOf: '15 Nov 12:40',
    },
    lastDays: { ...at, kind: 'scalar', question: 'average-order katuma last-30-days', title: 'Average order', measure: 'Average order', period: period('last-30-days'), unit: 'money', value: '26.538', orders: 5, detail: 'over 5 sales orders' },
  };
}

