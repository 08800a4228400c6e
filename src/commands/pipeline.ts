import type { Answer, GlobalAnswer } from '../core/answer.js';
import { authorize, operatorGrant, type Grant, type Reach } from '../core/access.js';
import { looksLikePeriod } from '../core/periods.js';
import { runAcross } from './fan-out.js';
import { runGrowth, type GrowthReport } from './growth.js';
import type { QuestionArgs } from './question.js';
import type { StateDb } from '../state/store.js';
import { parseBilling, runBilling, type BillingArgs, type BillingReport } from './billing.js';
import { splitWords } from './index.js';
import { parseQuestion, type HelpText, type ParsedQuestion } from './index.js';
import type { Command, Deps, Presentation } from './types.js';

export type Outcome =
  | { kind: 'answer'; answer: Answer; presentation: Presentation }
  | { kind: 'global'; answer: GlobalAnswer; presentation: Presentation }
  | HelpText
  | BillingReport
  | GrowthReport;

export interface AskOptions {
  /** Who will see the answer. Default: the operator (every instance, billing included), as on the CLI. */
  grant?: Grant;
  /** Shorthand for a grant of these instances without billing (tests, older callers). */
  visibleInstances?: ReadonlySet<string>;
}

/** A question parsed and not yet run: what it touches is known before any replica is read. */
type Prepared =
  | HelpText
  | { kind: 'billing'; args: BillingArgs }
  | { kind: 'growth'; args: QuestionArgs }
  | { kind: 'compare'; command: Command<any>; args: QuestionArgs }
  | { kind: 'question'; command: Command<any>; args: QuestionArgs };

export function parseFor(deps: Deps, text: string, visibleIds?: readonly string[]): ParsedQuestion {
  return parseQuestion(text, {
    instanceIds: [...deps.config.instances.keys()],
    ...(visibleIds ? { visibleIds } : {}),
    segmentNames: [...deps.config.registry.segments.keys()],
    registry: deps.config.registry,
  });
}

function prepare(deps: Deps, text: string, visibleIds?: readonly string[]): Prepared {
  const words = splitWords(text);
  const head = words[0]?.toLowerCase();
  if (head === 'billing') return { kind: 'billing', args: parseBilling(words.slice(1), [...deps.config.instances.keys()], visibleIds) };
  if (head === 'compare' || head === 'growth') {
    // Both are about several instances: without a scope they cover every visible instance.
    const rest = words.slice(1);
    const ids = [...deps.config.instances.keys()];
    const scoped = rest.some((w) => w.toLowerCase() === 'all' || ids.includes(w.toLowerCase()) || w.includes(','));
    const parsed = parseFor(deps, (head === 'growth' ? ['new-profiles', ...rest] : rest).concat(scoped ? [] : ['all']).join(' '), visibleIds);
    if (parsed.kind === 'help') return parsed;
    const args = parsed.args as QuestionArgs;
    if (head === 'growth') return { kind: 'growth', args };
    // One series per instance: by month unless another breakdown was asked (and the question has one).
    const byMonth = !args.breakdown && /\bmonth\b/.test(parsed.command.usage);
    const typedPeriod = rest.some((w) => looksLikePeriod(w) || w.toLowerCase() === 'last' || w.toLowerCase() === 'this');
    const compared: QuestionArgs = {
      ...args,
      chart: true,
      ...(byMonth ? { breakdown: 'month' as const } : {}),
      ...(typedPeriod ? {} : { period: { kind: 'last-n', n: 12, unit: 'month' } as const }),
    };
    return { kind: 'compare', command: parsed.command, args: compared };
  }
  const parsed = parseFor(deps, text, visibleIds);
  if (parsed.kind === 'help') return parsed;
  return { kind: 'question', command: parsed.command, args: parsed.args as QuestionArgs };
}

function reachOf(prepared: Prepared): Reach {
  switch (prepared.kind) {
    case 'help':
      return { instances: [], billing: false };
    case 'billing':
      return { instances: [prepared.args.instance], billing: true };
    default:
      return { instances: prepared.args.scope ?? [prepared.args.instance], billing: false };
  }
}

/**
 * What a question would touch, without running it: for checking pulses, saved questions and lists
 * against a channel's grant. Throws OfnError when the text is not a question.
 */
export function questionReach(deps: Deps, text: string): Reach & { help: boolean } {
  const prepared = prepare(deps, text);
  return { ...reachOf(prepared), help: prepared.kind === 'help' };
}

function grantOf(deps: Deps, options: AskOptions): Grant {
  if (options.grant) return options.grant;
  if (options.visibleInstances) return { instances: options.visibleInstances, billing: false, admin: false, via: 'caller', label: 'This channel' };
  return operatorGrant(deps.config);
}

/**
 * The whole pipeline: text in, typed answer out. What the question touches is authorized against the
 * audience's grant before any replica is read. Throws OfnError for anything the user can fix.
 */
export async function ask(deps: Deps, text: string, state?: StateDb, options: AskOptions = {}): Promise<Outcome> {
  const grant = grantOf(deps, options);
  const prepared = prepare(deps, text, [...grant.instances]);
  if (prepared.kind === 'help') return prepared;
  const ids = authorize(deps.config, grant, reachOf(prepared));
  switch (prepared.kind) {
    case 'billing':
      return runBilling(deps, state, prepared.args);
    case 'growth':
      return runGrowth(deps, prepared.args, ids);
    case 'compare':
      return { kind: 'global', answer: await runAcross(deps, prepared.command, prepared.args, ids), presentation: { chart: true, public: prepared.args.public } };
    case 'question': {
      const presentation = { chart: prepared.args.chart, public: prepared.args.public };
      if (prepared.args.scope) return { kind: 'global', answer: await runAcross(deps, prepared.command, prepared.args, ids), presentation };
      return { kind: 'answer', answer: await prepared.command.run(deps, prepared.args), presentation };
    }
  }
}
