import { describe, expect, it } from 'vitest';
import { nextSlot, parseSchedule, slotsBetween } from '../src/core/schedule.js';
import { parseManagement } from '../src/commands/manage.js';
import { OfnError } from '../src/core/errors.js';

const MADRID = 'Europe/Madrid';

describe('pulse schedules', () => {
  it('fires weekly at 09:00 Madrid on both sides of the October DST change', () => {
    const weekly = parseSchedule('weekly mon 09:00');
    const slots = slotsBetween(weekly, MADRID, new Date('2026-10-12T12:00:00Z'), new Date('2026-10-27T00:00:00Z'));
    expect(slots.map((s) => [s.local, s.at.toISOString()])).toEqual([
      ['2026-10-19T09:00', '2026-10-19T07:00:00.000Z'], // CEST, +2
      ['2026-10-26T09:00', '2026-10-26T08:00:00.000Z'], // CET, +1
    ]);
  });

  it('fires once in the hour that repeats when clocks go back, and skips the one that does not exist', () => {
    const cron = parseSchedule('30 2 * * *');
    const autumn = slotsBetween(cron, MADRID, new Date('2026-10-24T12:00:00Z'), new Date('2026-10-25T12:00:00Z'));
    expect(autumn.map((s) => s.local)).toEqual(['2026-10-25T02:30']);
    const spring = slotsBetween(cron, MADRID, new Date('2026-03-28T12:00:00Z'), new Date('2026-03-29T12:00:00Z'));
    expect(spring).toEqual([]);
  });

  it('reads daily, monthly and cron forms, and finds the next slot', () => {
    expect(nextSlot(parseSchedule('daily 07:30'), 'Australia/Melbourne', new Date('2026-11-27T00:00:00Z'))?.local).toBe('2026-11-28T07:30');
    expect(nextSlot(parseSchedule('monthly 1 09:00'), MADRID, new Date('2026-11-27T00:00:00Z'))?.at.toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(nextSlot(parseSchedule('0 9 * * 1-5'), MADRID, new Date('2026-11-28T10:00:00Z'))?.local).toBe('2026-11-30T09:00'); // Saturday → Monday
  });

  it('refuses bad schedules with the accepted forms', () => {
    for (const bad of ['weekly funday 09:00', 'daily 25:00', 'monthly 31 09:00', '61 * * * *', 'hourly']) {
      expect(() => parseSchedule(bad), bad).toThrow(OfnError);
    }
  });

  it('parses pulse and watch commands', () => {
    expect(parseManagement('pulse add turnover katuma last-week weekly mon 09:00 <#C0123ABCD|ops> only-if-results')).toEqual({
      kind: 'pulse-add',
      question: 'turnover katuma last-week',
      schedule: 'weekly mon 09:00',
      channelId: 'C0123ABCD',
      onlyIfResults: true,
    });
    expect(parseManagement('pulse add weekly-katuma "0 9 * * 1"')).toMatchObject({ question: 'weekly-katuma', schedule: '0 9 * * 1' });
    expect(parseManagement('pulse pause 3')).toEqual({ kind: 'pulse-set', action: 'pause', id: 3 });
    expect(parseManagement('watch new-shops katuma C0123ABCD')).toEqual({ kind: 'watch-add', event: 'new-shops', instance: 'katuma', channelId: 'C0123ABCD' });
    expect(parseManagement('turnover katuma')).toBeUndefined();
    expect(() => parseManagement('pulse add turnover katuma')).toThrow(/question and a schedule/);
  });
});

describe('schedules as people type them', () => {
  it('reads the frequency and the day in Spanish, Catalan, French and German, stored as the English form', () => {
    const cases: [string, string, string][] = [
      ['semanal lunes 09:00', 'weekly mon 09:00', '0 9 * * 1'],
      ['Semanal miércoles 10:30', 'weekly wed 10:30', '30 10 * * 3'],
      ['setmanal dijous 08:00', 'weekly thu 08:00', '0 8 * * 4'],
      ['setmanal dv 08:00', 'weekly fri 08:00', '0 8 * * 5'],
      ['hebdomadaire samedi 07:15', 'weekly sat 07:15', '15 7 * * 6'],
      ['hebdomadaire dim 07:15', 'weekly sun 07:15', '15 7 * * 0'],
      ['wöchentlich Mo 08:30', 'weekly mon 08:30', '30 8 * * 1'],
      ['Wöchentlich Dienstag 08:30', 'weekly tue 08:30', '30 8 * * 2'],
      ['diario 07:00', 'daily 07:00', '0 7 * * *'],
      ['quotidien 07:00', 'daily 07:00', '0 7 * * *'],
      ['täglich 07:00', 'daily 07:00', '0 7 * * *'],
      ['mensual 1 09:00', 'monthly 1 09:00', '0 9 1 * *'],
      ['mensuel 15 09:00', 'monthly 15 09:00', '0 9 15 * *'],
      ['monatlich 28 18:00', 'monthly 28 18:00', '0 18 28 * *'],
      ['weekly monday 09:00', 'weekly mon 09:00', '0 9 * * 1'],
    ];
    for (const [typed, text, cron] of cases) expect(parseSchedule(typed), typed).toEqual({ text, cron });
  });

  it('ends the question where a schedule word in any language starts (pulse add)', () => {
    const args = parseManagement('pulse add turnover katuma last-week semanal lunes 09:00');
    expect(args).toMatchObject({ kind: 'pulse-add', question: 'turnover katuma last-week', schedule: 'semanal lunes 09:00' });
    expect(parseManagement('pulse add pedidos katuma el mes pasado mensuel 1 09:00')).toMatchObject({ question: 'pedidos katuma el mes pasado', schedule: 'mensuel 1 09:00' });
  });

  it('refuses a day it does not know, naming the days of the reader’s language', () => {
    try {
      parseSchedule('semanal lunas 09:00');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(OfnError);
      expect((error as OfnError).text?.key).toBe('error.schedule.day');
    }
  });
});
