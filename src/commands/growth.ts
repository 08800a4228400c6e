import type { Answer, GlobalAnswer } from '../core/answer.js';
import type { GrowthReport } from '../core/outcome.js';
import { activeShops } from './active-shops.js';
import { newProfiles, newShops } from './enterprises.js';
import { runAcross } from './fan-out.js';
import type { QuestionArgs } from './question.js';
import type { Deps } from './types.js';


function values(answer: Answer | undefined): Map<string, number> {
  return new Map(answer?.kind === 'series' ? answer.rows.map((r) => [r.date, Number(r.value)]) : []);
}

export async function runGrowth(deps: Deps, args: QuestionArgs, ids: readonly string[]): Promise<GrowthReport> {
  const monthly: QuestionArgs = { ...args, breakdown: 'month', period: args.period ?? { kind: 'last-n', n: 12, unit: 'month' } };
  const [profiles, shops, active] = await Promise.all([newProfiles, newShops, activeShops].map((command) => runAcross(deps, command, monthly, ids)));
  const byInstance = (g: GlobalAnswer, id: string) => g.results.find((a) => a.instance.id === id);
  const instances = profiles!.results.map((p) => {
    const s = values(byInstance(shops!, p.instance.id));
    const a = values(byInstance(active!, p.instance.id));
    const rows = p.kind === 'series' ? p.rows.map((r) => ({ date: r.date, newProfiles: Number(r.value), newShops: s.get(r.date) ?? 0, activeShops: a.get(r.date) ?? 0 })) : [];
    return { instance: p.instance, rows };
  });
  const warnings = [...new Map([...profiles!.warnings, ...shops!.warnings, ...active!.warnings].map((w) => [w.instance, w])).values()];
  return { kind: 'growth', question: `growth ${profiles!.question.replace(/^new-profiles /, '').replace(/ by month$/, '')}`, periodLabel: profiles!.periodLabel, instances, warnings };
}
