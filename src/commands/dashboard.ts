import pLimit from 'p-limit';
import { authorize, covers, type Grant, type Reach } from '../core/access.js';
import { OfnError } from '../core/errors.js';
import type { DashboardPart, Outcome } from '../core/outcome.js';
import { closest } from '../core/suggest.js';
import { DASHBOARD_MAX_QUESTIONS, DASHBOARD_NAME, DASHBOARD_RESERVED } from '../config/config.js';
import { removeDashboard, saveDashboard, storedDashboard, storedDashboards } from '../state/dashboards.js';
import type { StateDb } from '../state/store.js';
import type { Deps, Route, RouteContext } from './types.js';

/**
 * Named dashboards (docs/dashboards.md): questions asked together for one audience and posted as one
 * message. Each question goes through `ask` with the audience's grant, so a dashboard never shows what
 * its audience may not see: such a question is named with the reason instead of its answer.
 */

export interface Dashboard {
  name: string;
  title: string;
  questions: readonly string[];
  source: 'config' | 'slack';
  createdBy?: string;
}

const NOTHING: Reach = { instances: [], billing: false };
export const DASHBOARD_HELP = '`dashboard <name> [public]` · `dashboard list` · `dashboard add <name> [title "<title>"] "<question>" "<question>" …` · `dashboard remove <name>`';

/** Every dashboard: the config's, then those added from Slack (a name in the config can't be added again). */
export async function allDashboards(deps: Deps, state: StateDb | undefined): Promise<Dashboard[]> {
  const fromConfig = [...deps.config.dashboards].map(([name, d]): Dashboard => ({ name, title: d.title, questions: d.questions, source: 'config' }));
  const stored = state ? await storedDashboards(state) : [];
  return [...fromConfig, ...stored.filter((d) => !deps.config.dashboards.has(d.name)).map((d): Dashboard => ({ name: d.name, title: d.title, questions: d.questions, source: 'slack', createdBy: d.createdBy }))];
}

export async function findDashboard(deps: Deps, state: StateDb | undefined, name: string): Promise<Dashboard | undefined> {
  const configured = deps.config.dashboards.get(name);
  if (configured) return { name, title: configured.title, questions: configured.questions, source: 'config' };
  const stored = state ? await storedDashboard(state, name) : undefined;
  return stored ? { name, title: stored.title, questions: stored.questions, source: 'slack', createdBy: stored.createdBy } : undefined;
}

/** What a stored question touches, or undefined when it no longer parses or is not a question. */
function reachOrUndefined(reachOf: RouteContext['reachOf'], question: string): Reach | undefined {
  try {
    const reach = reachOf(question);
    return reach.help || isDashboardQuestion(question) ? undefined : reach;
  } catch {
    return undefined;
  }
}

export function isDashboardQuestion(question: string): boolean {
  return /^\s*(\/ofn\s+)?dashboard(\s|$)/i.test(question);
}

/** How many of a dashboard's questions `grant` may see. */
export function visibleQuestions(deps: Deps, grant: Grant | undefined, dashboard: Dashboard, reachOf: RouteContext['reachOf']): string[] {
  return dashboard.questions.filter((q) => {
    const reach = reachOrUndefined(reachOf, q);
    return reach !== undefined && covers(deps.config, grant, reach);
  });
}

/** The zone a dashboard pulse is scheduled in by default: its first question's instance's. */
export function dashboardZone(deps: Deps, dashboard: Dashboard, reachOf: RouteContext['reachOf']): string | undefined {
  for (const question of dashboard.questions) {
    const reach = reachOrUndefined(reachOf, question);
    const id = reach && reach.instances !== 'all' ? reach.instances[0] : reach ? [...deps.config.instances.keys()][0] : undefined;
    if (id) return deps.config.instances.get(id)?.timezone;
  }
  return undefined;
}

function notFound(name: string, known: readonly string[]): OfnError {
  const guess = closest(name, known);
  return new OfnError('NotFound', `There is no dashboard \`${name.slice(0, 41)}\`.${guess ? ` Did you mean \`${guess}\`?` : ''}`, '`dashboard list` shows them.');
}

/** Rejects with ReplicaTimeout once a question has run longer than the deadline of one instance of `all`. */
function deadline(ms: number, question: string): { promise: Promise<never>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OfnError('ReplicaTimeout', `\`${question.slice(0, 80)}\` did not answer in ${ms / 1000} s.`)), ms);
    timer.unref?.();
  });
  return { promise, clear: () => clearTimeout(timer) };
}

/**
 * Asks each question with the audience's grant, concurrently within the limits of `all` (at most
 * `fanOutConcurrency` at once, each within `fanOutTimeoutSeconds`), and keeps them in order.
 */
export async function answerDashboard(deps: Deps, dashboard: Dashboard, context: Pick<RouteContext, 'grant' | 'reachOf' | 'ask'>): Promise<DashboardPart[]> {
  const limit = pLimit(deps.config.fanOutConcurrency);
  const timeoutMs = deps.config.fanOutTimeoutSeconds * 1000;
  return Promise.all(
    dashboard.questions.map((question) =>
      limit(async (): Promise<DashboardPart> => {
        if (isDashboardQuestion(question)) return { question, status: 'failed', message: 'A dashboard can’t hold another dashboard.' };
        try {
          const reach = context.reachOf(question);
          if (reach.help) return { question, status: 'failed', message: 'This is not a question (help, management): remove it from the dashboard.' };
          // Checked here as well as in `ask`, so that a refusal is told apart from a failure.
          authorize(deps.config, context.grant, reach);
        } catch (error) {
          if (!(error instanceof OfnError)) throw error;
          return { question, status: error.code === 'AccessDenied' ? 'refused' : 'failed', message: error.message };
        }
        const timer = deadline(timeoutMs, question);
        try {
          const outcome: Outcome = await Promise.race([context.ask(question), timer.promise]);
          if (outcome.kind === 'help' || outcome.kind === 'notice') return { question, status: 'failed', message: 'This is not a question (help, management): remove it from the dashboard.' };
          return { question, status: 'answered', outcome };
        } catch (error) {
          if (!(error instanceof OfnError)) throw error;
          return { question, status: error.code === 'AccessDenied' ? 'refused' : 'failed', message: error.message };
        } finally {
          timer.clear();
        }
      }),
    ),
  );
}

interface ShowArgs {
  name: string;
  public: boolean;
}

export const dashboardRoute: Route<ShowArgs> = {
  name: 'dashboard',
  aliases: ['dashboards'],
  group: 'dashboards',
  summary: 'Posts a named dashboard: its questions’ answers in one message, each checked against this channel’s access.',
  usage: 'dashboard <name> [public]',
  examples: ['dashboard katuma-monthly', 'dashboard katuma-monthly public'],
  parse(words) {
    const rest = words.map((w) => w.toLowerCase());
    const isPublic = rest.includes('public');
    const names = rest.filter((w) => w !== 'public');
    if (names.length === 0) return { name: '', public: isPublic }; // `dashboards`: the list
    if (names.length > 1 || !DASHBOARD_NAME.test(names[0]!)) {
      throw new OfnError('BadArguments', `\`dashboard ${words.join(' ').slice(0, 60)}\`: give one dashboard name, then \`public\` to post it for the channel.`, DASHBOARD_HELP);
    }
    return { name: names[0]!, public: isPublic };
  },
  reach: () => NOTHING,
  async run(deps, args, context) {
    if (!args.name) return { kind: 'notice', action: 'dashboard-list', text: await listText(deps, context) };
    const dashboard = await findDashboard(deps, context.state, args.name);
    if (!dashboard) {
      const known = (await allDashboards(deps, context.state)).filter((d) => visibleQuestions(deps, context.grant, d, context.reachOf).length > 0).map((d) => d.name);
      throw notFound(args.name, known);
    }
    const parts = await answerDashboard(deps, dashboard, context);
    return { kind: 'dashboard', name: dashboard.name, title: dashboard.title, parts, presentation: { chart: false, public: args.public }, askedAt: deps.now().toISOString() };
  },
};

async function listText(deps: Deps, context: RouteContext): Promise<string> {
  const rows = (await allDashboards(deps, context.state))
    .map((d) => ({ d, visible: visibleQuestions(deps, context.grant, d, context.reachOf) }))
    // A dashboard none of whose questions this audience may see is not listed: even its questions would say too much.
    .filter(({ visible }) => visible.length > 0);
  if (rows.length === 0) return `No dashboard this channel may see yet. ${context.grant.admin ? 'Add one: `dashboard add <name> "<question>" "<question>"`.' : 'An admin can add one.'}`;
  return rows
    .map(({ d, visible }) => {
      const hidden = d.questions.length - visible.length;
      return `• \`${d.name}\` ${d.title === d.name ? '' : `(${d.title}) `}· ${visible.map((q) => `\`${q}\``).join(', ')}${hidden ? ` · and ${hidden} question${hidden === 1 ? '' : 's'} this channel may not see` : ''}${d.source === 'config' ? ' · config' : ''}`;
    })
    .join('\n');
}

type ManageArgs = { kind: 'add'; name: string; title?: string; questions: string[] } | { kind: 'list' } | { kind: 'remove'; name: string };

/** `dashboard add <name> [title "…"] "<question>" "<question>" …`: quotes as typed, straight or curly. */
export function parseDashboardAdd(words: readonly string[]): ManageArgs {
  const name = words[0]?.toLowerCase() ?? '';
  if (!DASHBOARD_NAME.test(name) || (DASHBOARD_RESERVED as readonly string[]).includes(name)) {
    throw new OfnError('BadArguments', 'Name the dashboard first: lower-case words with dashes, such as `katuma-monthly` (not add, list or remove).', DASHBOARD_HELP);
  }
  let text = words.slice(1).join(' ');
  let title: string | undefined;
  const titled = /^title\s+["“”]([^"“”]+)["“”]\s*/i.exec(text);
  if (titled) {
    title = titled[1]!.trim().slice(0, 140);
    text = text.slice(titled[0].length);
  }
  const questions = [...text.matchAll(/["“”]([^"“”]+)["“”]/g)].map((m) => m[1]!.trim()).filter(Boolean);
  const leftover = text.replace(/["“”][^"“”]+["“”]/g, '').trim();
  if (questions.length === 0 || leftover) {
    throw new OfnError('BadArguments', 'Put each question in quotes: `dashboard add katuma-monthly "turnover katuma last-month by shop" "new-shops katuma last-month"`.', DASHBOARD_HELP);
  }
  if (questions.length > DASHBOARD_MAX_QUESTIONS) throw new OfnError('BadArguments', `A dashboard holds at most ${DASHBOARD_MAX_QUESTIONS} questions (Slack shows 50 blocks a message).`);
  return { kind: 'add', name, ...(title ? { title } : {}), questions };
}

async function runManage(deps: Deps, args: ManageArgs, context: RouteContext): Promise<string> {
  const { grant } = context;
  if (args.kind === 'list') return listText(deps, context);
  if (!context.state || !context.who) throw new OfnError('BadArguments', 'Dashboards are added and removed from Slack, with the state store running.');
  if (args.kind === 'add') {
    if (deps.config.dashboards.has(args.name)) throw new OfnError('BadArguments', `\`${args.name}\` is a dashboard of the config: an operator changes it there. Choose another name.`);
    for (const question of args.questions) {
      if (isDashboardQuestion(question)) throw new OfnError('BadArguments', 'A dashboard can’t hold another dashboard.');
      let reach: Reach & { help: boolean };
      try {
        reach = context.reachOf(question);
      } catch (error) {
        if (error instanceof OfnError) throw new OfnError(error.code, `\`${question.slice(0, 80)}\`: ${error.message}`, error.hint);
        throw error;
      }
      if (reach.help) throw new OfnError('BadArguments', `\`${question.slice(0, 80)}\` is not a question: a dashboard asks questions.`);
      // An admin puts in a dashboard only what their own channel may see.
      authorize(deps.config, grant, reach);
    }
    const existing = await storedDashboard(context.state, args.name);
    if (existing && existing.createdBy !== context.who.userId && visibleQuestions(deps, grant, { ...existing, source: 'slack' }, context.reachOf).length < existing.questions.length) {
      throw new OfnError('BadArguments', `\`${args.name}\` is taken by a dashboard with questions you may not see. Choose another name.`);
    }
    await saveDashboard(context.state, { name: args.name, title: args.title ?? args.name, questions: args.questions, createdBy: context.who.userId, channelId: context.who.channelId });
    return `${existing ? 'Replaced' : 'Added'} dashboard \`${args.name}\` with ${args.questions.length} question${args.questions.length === 1 ? '' : 's'}. Post it with \`/ofn dashboard ${args.name}\`, or every month with \`/ofn pulse add dashboard ${args.name} monthly 1 09:00\`.`;
  }
  if (deps.config.dashboards.has(args.name)) throw new OfnError('BadArguments', `\`${args.name}\` is a dashboard of the config: an operator removes it there.`);
  const existing = await storedDashboard(context.state, args.name);
  // One the asker's channel may not fully see is answered as absent, like pulses.
  if (!existing || visibleQuestions(deps, grant, { ...existing, source: 'slack' }, context.reachOf).length < existing.questions.length) {
    throw notFound(args.name, []);
  }
  await removeDashboard(context.state, args.name);
  return `Dashboard \`${args.name}\` removed. Pulses that post it now say it no longer exists; \`pulse list\` shows them.`;
}

function manageRoute(spec: Pick<Route<ManageArgs>, 'name' | 'summary' | 'usage' | 'examples' | 'parse'> & { admin: boolean; state: boolean }): Route<ManageArgs> {
  return {
    name: spec.name,
    aliases: [],
    group: 'dashboards',
    summary: spec.summary,
    usage: spec.usage,
    examples: spec.examples,
    needs: { admin: spec.admin, state: spec.state },
    parse: spec.parse,
    reach: () => NOTHING,
    run: async (deps, args, context) => ({ kind: 'notice', action: `dashboard-${args.kind}`, text: await runManage(deps, args, context) }),
  };
}

export const DASHBOARD_ROUTES: readonly Route<any>[] = [
  dashboardRoute,
  manageRoute({
    name: 'dashboard-list',
    summary: 'The dashboards this channel may see, with their questions.',
    usage: 'dashboard list',
    examples: ['dashboard list'],
    admin: false,
    state: false,
    parse: () => ({ kind: 'list' }),
  }),
  manageRoute({
    name: 'dashboard-add',
    summary: 'Adds (or replaces) a dashboard of questions, each in quotes.',
    usage: 'dashboard add <name> [title "<title>"] "<question>" "<question>" …',
    examples: ['dashboard add katuma-monthly title "Katuma, monthly" "turnover katuma last-month by shop" "new-shops katuma last-month" "active-shops katuma last-month"'],
    admin: true,
    state: true,
    parse: parseDashboardAdd,
  }),
  manageRoute({
    name: 'dashboard-remove',
    summary: 'Removes a dashboard added from Slack.',
    usage: 'dashboard remove <name>',
    examples: ['dashboard remove katuma-monthly'],
    admin: true,
    state: true,
    parse: (words) => {
      const name = words[0]?.toLowerCase() ?? '';
      if (!DASHBOARD_NAME.test(name) || words.length > 1) throw new OfnError('BadArguments', 'Which dashboard? `dashboard remove <name>`; `dashboard list` shows them.');
      return { kind: 'remove', name };
    },
  }),
];
