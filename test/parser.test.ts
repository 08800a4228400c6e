import { describe, expect, it } from 'vitest';
import { parseQuestion } from '../src/commands/index.js';
import { OfnError } from '../src/core/errors.js';

const context = { instanceIds: ['katuma', 'au', 'uk'] };

function errorOf(text: string): OfnError {
  try {
    parseQuestion(text, context);
  } catch (e) {
    return e as OfnError;
  }
  throw new Error(`expected ${text} to fail`);
}

describe('question parser', () => {
  it('reads a question, instance, period, breakdown and flags in any order', () => {
    const q = parseQuestion('turnover katuma last-12-months by month chart', context);
    expect(q.kind).toBe('question');
    if (q.kind !== 'question') return;
    expect(q.command.name).toBe('turnover');
    expect(q.args).toMatchObject({ instance: 'katuma', breakdown: 'month', chart: true, public: false, period: { kind: 'last-n', n: 12, unit: 'month' } });
    const p = parseQuestion('/ofn revenue public by shop 2026-Q3 au', context);
    expect(p.kind === 'question' && p.args).toMatchObject({ instance: 'au', breakdown: 'shop', public: true });
  });

  it('accepts aliases and periods typed with spaces', () => {
    const q = parseQuestion('new profiles katuma last month', context);
    expect(q.kind === 'question' && q.command.name).toBe('new-profiles');
    expect(q.kind === 'question' && q.args.period).toEqual({ kind: 'current', unit: 'month', offset: -1 });
    const t = parseQuestion('top shops 5 uk last 3 months', context);
    expect(t.kind === 'question' && [t.command.name, t.args.limit, t.args.period.n]).toEqual(['top-shops', 5, 3]);
  });

  it('finds a question by its first one to three words, longest name first, in any case, with _ for -', () => {
    const named = (text: string) => {
      const q = parseQuestion(text, context);
      return q.kind === 'question' ? [q.command.name, q.args.instance, q.args.limit] : q.kind;
    };
    expect(named('TOP_SHOPS 3 katuma')).toEqual(['top-shops', 'katuma', 3]);
    expect(named('Top Shops katuma')).toEqual(['top-shops', 'katuma', 10]);
    expect(named('new_profiles katuma')).toEqual(['new-profiles', 'katuma', undefined]);
    // `new` alone is no question: the two-word name wins over reading `shops` as an argument.
    expect(named('New shops katuma')).toEqual(['new-shops', 'katuma', undefined]);
    expect(named('shops katuma')).toEqual(['shops', 'katuma', undefined]);
  });

  it('suggests the closest question for a typo', () => {
    const e = errorOf('turnovr katuma last-month');
    expect(e.code).toBe('UnknownQuestion');
    expect(e.message).toContain('Did you mean `turnover`?');
  });

  it('lists the valid instances for an unknown one, with a suggestion', () => {
    const e = errorOf('turnover katumaa last-month');
    expect(e.code).toBe('UnknownInstance');
    expect(e.message).toContain('Did you mean `katuma`?');
    expect(e.message).toContain('katuma, au, uk');
    expect(errorOf('turnover last-month').message).toContain('katuma, au, uk');
  });

  it('uses the only instance when there is one', () => {
    const q = parseQuestion('orders', { instanceIds: ['katuma'] });
    expect(q.kind === 'question' && q.args.instance).toBe('katuma');
  });

  it('refuses a breakdown the question does not have, naming the ones it has', () => {
    const e = errorOf('new-shops katuma by shop');
    expect(e.code).toBe('BadArguments');
    expect(e.message).toContain('by day, by week, by month');
    expect(errorOf('turnover katuma by mnth').message).toContain('Did you mean `month`?');
  });

  it('reports bad periods as periods', () => {
    const e = errorOf('turnover katuma 2026-13');
    expect(e.code).toBe('BadPeriod');
  });

  it('gives help for everything and for one question', () => {
    const all = parseQuestion('help', context);
    expect(all.kind === 'help' && all.lines.join('\n')).toContain('top-shops [N] <instance>');
    const one = parseQuestion('help new profiles', context);
    expect(one.kind === 'help' && one.title).toBe('new-profiles');
    expect(errorOf('help turnovr').message).toContain('Did you mean `turnover`?');
  });
});
