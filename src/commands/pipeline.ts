import type { Answer } from '../core/answer.js';
import type { StateDb } from '../state/store.js';
import { parseBilling, runBilling, type BillingReport } from './billing.js';
import { splitWords } from './index.js';
import { parseQuestion, type HelpText, type ParsedQuestion } from './index.js';
import type { Deps, Presentation } from './types.js';

export type Outcome = { kind: 'answer'; answer: Answer; presentation: Presentation } | HelpText | BillingReport;

export function parseFor(deps: Deps, text: string): ParsedQuestion {
  return parseQuestion(text, { instanceIds: [...deps.config.instances.keys()] });
}

/** The whole pipeline: text in, typed answer out. Throws OfnError for anything the user can fix. */
export async function ask(deps: Deps, text: string, state?: StateDb): Promise<Outcome> {
  const words = splitWords(text);
  if (words[0]?.toLowerCase() === 'billing') {
    return runBilling(deps, state, parseBilling(words.slice(1), [...deps.config.instances.keys()]));
  }
  const parsed = parseFor(deps, text);
  if (parsed.kind === 'help') return parsed;
  const answer = await parsed.command.run(deps, parsed.args);
  return { kind: 'answer', answer, presentation: { chart: parsed.args.chart, public: parsed.args.public } };
}
