import type { Answer, GlobalAnswer } from '../core/answer.js';
import { OfnError } from '../core/errors.js';
import { looksLikePeriod } from '../core/periods.js';
import { runAcross } from './fan-out.js';
import { runGrowth, type GrowthReport } from './growth.js';
import type { QuestionArgs } from './question.js';
import type { StateDb } from '../state/store.js';
import { parseBilling, runBilling, type BillingReport } from './billing.js';
import { splitWords } from './index.js';
import { parseQuestion, type HelpText, type ParsedQuestion } from './index.js';
import type { Deps, Presentation } from './types.js';

export type Outcome =
  | { kind: 'answer'; answer: Answer; presentation: Presentation }
  | { kind: 'global'; answer: GlobalAnswer; presentation: Presentation }
  | HelpText
  | BillingReport
  | GrowthReport;

export interface AskOptions {
  /** Instances the asker may see: `all` means these (Slack: the channel's list); default every instance. */
  visibleInstances?: ReadonlySet<string>;
}

export function parseFor(deps: Deps, text: string): ParsedQuestion {
  return parseQuestion(text, { instanceIds: [...deps.config.instances.keys()], segmentNames: [...deps.config.registry.segments.keys()], registry: deps.config.registry });
}

/** The instances a multi-instance question covers, restricted to what the asker may see. */
function scopeIds(deps: Deps, args: QuestionArgs, options: AskOptions): string[] {
  const visible = options.visibleInstances ?? new Set(deps.config.instances.keys());
  const scope = args.scope ?? [args.instance];
  const ids = scope === 'all' ? [...deps.config.instances.keys()].filter((id) => visible.has(id)) : scope;
  const hidden = ids.filter((id) => !visible.has(id));
  if (hidden.length) throw new OfnError('AccessDenied', `This channel may not see ${hidden.join(', ')}.`);
  if (ids.length === 0) throw new OfnError('AccessDenied', 'This channel may see no instance.');
  return ids;
}

/** The whole pipeline: text in, typed answer out. Throws OfnError for anything the user can fix. */
export async function ask(deps: Deps, text: string, state?: StateDb, options: AskOptions = {}): Promise<Outcome> {
  const words = splitWords(text);
  if (words[0]?.toLowerCase() === 'billing') {
    return runBilling(deps, state, parseBilling(words.slice(1), [...deps.config.instances.keys()]));
  }
  const head = words[0]?.toLowerCase();
  if (head === 'compare' || head === 'growth') {
    // Both are about several instances: without a scope they cover every visible instance.
    const rest = words.slice(1);
    const ids = [...deps.config.instances.keys()];
    const scoped = rest.some((w) => w.toLowerCase() === 'all' || ids.includes(w.toLowerCase()) || w.includes(','));
    const parsed = parseFor(deps, (head === 'growth' ? ['new-profiles', ...rest] : rest).concat(scoped ? [] : ['all']).join(' '));
    if (parsed.kind === 'help') return parsed;
    const args = parsed.args as QuestionArgs;
    const ids2 = scopeIds(deps, args, options);
    if (head === 'growth') return runGrowth(deps, args, ids2);
    // One series per instance: by month unless another breakdown was asked (and the question has one).
    const byMonth = !args.breakdown && /\bmonth\b/.test(parsed.command.usage);
    const typedPeriod = rest.some((w) => looksLikePeriod(w) || w.toLowerCase() === 'last' || w.toLowerCase() === 'this');
    const compared: QuestionArgs = {
      ...args,
      chart: true,
      ...(byMonth ? { breakdown: 'month' as const } : {}),
      ...(typedPeriod ? {} : { period: { kind: 'last-n', n: 12, unit: 'month' } as const }),
    };
    return { kind: 'global', answer: await runAcross(deps, parsed.command, compared, ids2), presentation: { chart: true, public: args.public } };
  }
  const parsed = parseFor(deps, text);
  if (parsed.kind === 'help') return parsed;
  const presentation = { chart: parsed.args.chart, public: parsed.args.public };
  if (options.visibleInstances && !parsed.args.scope && !options.visibleInstances.has(parsed.args.instance)) {
    const name = deps.config.instances.get(parsed.args.instance)?.name ?? parsed.args.instance;
    throw new OfnError(
      'AccessDenied',
      `This channel may not see ${name}. It may see: ${[...options.visibleInstances].join(', ') || 'no instance'}. An operator can add \`${parsed.args.instance}\` to its \`instances\` in the ofn-insights config.`,
    );
  }
  if (parsed.args.scope) {
    return { kind: 'global', answer: await runAcross(deps, parsed.command, parsed.args, scopeIds(deps, parsed.args, options)), presentation };
  }
  const answer = await parsed.command.run(deps, parsed.args);
  return { kind: 'answer', answer, presentation };
}
