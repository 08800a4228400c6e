import { OfnError } from '../core/errors.js';
import type { Config } from '../installation.js';
import { isDashboardQuestion } from './dashboard.js';
import { questionReach } from './pipeline.js';

/**
 * The config's `dashboards:` checked against the route table, as `dashboard add` checks a dashboard
 * typed in Slack: each question must parse, name only known instances, and be a question (not help,
 * a management command or another dashboard). Pure: nothing is read. A bad question is refused with
 * its field path, like every config error, so it is found when `serve` starts and not at 09:00 on the
 * 1st in front of the channel.
 */
export function checkConfigDashboards(config: Config): void {
  const deps = {
    config,
    replica: () => {
      throw new Error('checking a dashboard reads no replica');
    },
    now: () => new Date(),
  };
  const problems: string[] = [];
  for (const [name, dashboard] of config.dashboards) {
    dashboard.questions.forEach((question, i) => {
      const problem = questionProblem(deps, question);
      if (problem) problems.push(`  dashboards.${name}.questions.${i}: \`${question.slice(0, 120)}\`: ${problem}`);
    });
  }
  if (problems.length > 0) throw new OfnError('ConfigInvalid', `Invalid configuration in ${config.source}:\n${problems.join('\n')}`);
}

function questionProblem(deps: Parameters<typeof questionReach>[0], question: string): string | undefined {
  if (isDashboardQuestion(question)) return 'a dashboard can’t hold another dashboard; list its questions here instead.';
  try {
    if (questionReach(deps, question).help) return 'not a question (help or a management command such as pulse, save or watch); a dashboard asks questions.';
  } catch (error) {
    if (!(error instanceof OfnError)) throw error;
    // The parser's own words, with its did-you-mean (`turnovr` → `turnover`, `katumaa` → `katuma`).
    return error.message;
  }
  return undefined;
}
