import pLimit from 'p-limit';
import { authorize, covers, type Grant, type Reach } from '../core/access.js';
import { OfnError, type ErrorText } from '../core/errors.js';
import { t, type MessageKey, type Words } from '../core/i18n.js';
import { notice, type DashboardPart, type Outcome } from '../core/outcome.js';
import { closest } from '../core/suggest.js';
import { DASHBOARD_MAX_QUESTIONS, DASHBOARD_NAME, DASHBOARD_RESERVED } from '../config/config.js';
import { shareStatements } from '../queries/replica.js';
import { removeDashboard, saveDashboard, storedDashboard, storedDashboards } from '../state/dashboards.js';
import type { StateDb } from '../state/store.js';
import { withDeadline } from './fan-out.js';
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
  return OfnError.say('NotFound', guess ? 'error.noDashboardGuess' : 'error.noDashboard', { name: name.slice(0, 41), ...(guess ? { guess } : {}) }, 'hint.dashboardList');
}

/** A part's reason in English and in the catalogs (render/dashboard.ts shows it in the reader's language). */
function said(key: MessageKey): { message: string; text: ErrorText } {
  return { message: t('en', key), text: { key } };
}

/**
 * Asks each question with the audience's grant, concurrently within the limits of `all` (at most
 * `fanOutConcurrency` at once, each within `fanOutTimeoutSeconds`), and keeps them in order. A statement
 * two questions send alike (`turnover … last-month` and `orders … last-month`) is sent once.
 */
export async function answerDashboard(deps: Deps, dashboard: Dashboard, context: Pick<RouteContext, 'grant' | 'reachOf' | 'ask'>): Promise<DashboardPart[]> {
  const limit = pLimit(deps.config.fanOutConcurrency);
  const timeoutMs = deps.config.fanOutTimeoutSeconds * 1000;
  const answerPart = async (question: string): Promise<DashboardPart> => {
    if (isDashboardQuestion(question)) return { question, status: 'failed', ...said('error.dashboard.nested') };
    try {
      const reach = context.reachOf(question);
      if (reach.help) return { question, status: 'failed', ...said('error.dashboard.partNotQuestion') };
      // Checked here as well as in `ask`, so that a refusal is told apart from a failure.
      authorize(deps.config, context.grant, reach);
      const late = () => OfnError.say('ReplicaTimeout', 'error.questionDeadline', { question: question.slice(0, 80), seconds: timeoutMs / 1000 });
      const outcome: Outcome = await withDeadline(context.ask(question), timeoutMs, late);
      if (outcome.kind === 'help' || outcome.kind === 'notice') return { question, status: 'failed', ...said('error.dashboard.partNotQuestion') };
      return { question, status: 'answered', outcome };
    } catch (error) {
      if (!(error instanceof OfnError)) throw error;
      return { question, status: error.code === 'AccessDenied' ? 'refused' : 'failed', message: error.message, ...(error.text ? { text: error.text } : {}) };
    }
  };
  return shareStatements(() => Promise.all(dashboard.questions.map((question) => limit(() => answerPart(question)))));
}

export const dashboardRoute: Route<{ name: string; public: boolean }> = {
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
      throw OfnError.say('BadArguments', 'error.dashboard.oneName', { words: words.join(' ').slice(0, 60) }, 'hint.dashboards');
    }
    return { name: names[0]!, public: isPublic };
  },
  reach: () => NOTHING,
  async run(deps, args, context) {
    if (!args.name) return notice('dashboard-list', await listWords(deps, context));
    const dashboard = await findDashboard(deps, context.state, args.name);
    if (!dashboard) {
      const known = (await allDashboards(deps, context.state)).filter((d) => visibleQuestions(deps, context.grant, d, context.reachOf).length > 0).map((d) => d.name);
      throw notFound(args.name, known);
    }
    const parts = await answerDashboard(deps, dashboard, context);
    return { kind: 'dashboard', name: dashboard.name, title: dashboard.title, parts, presentation: { chart: false, public: args.public }, askedAt: deps.now().toISOString() };
  },
};

async function listWords(deps: Deps, context: RouteContext): Promise<Words[]> {
  const rows = (await allDashboards(deps, context.state))
    .map((d) => ({ d, visible: visibleQuestions(deps, context.grant, d, context.reachOf) }))
    // A dashboard none of whose questions this audience may see is not listed: even its questions would say too much.
    .filter(({ visible }) => visible.length > 0);
  if (rows.length === 0) return [{ key: 'notice.dashboards.none', values: { admin: context.grant.admin ? 'yes' : 'no' } }];
  return rows.map(({ d, visible }): Words => ({
    key: 'notice.dashboards.row',
    values: { name: d.name, titled: d.title === d.name ? 'no' : 'yes', title: d.title, questions: visible.map((q) => `\`${q}\``).join(', '), hidden: d.questions.length - visible.length, source: d.source },
  }));
}

type ManageArgs = { kind: 'add'; name: string; title?: string; questions: string[] } | { kind: 'list' } | { kind: 'remove'; name: string };

/** `dashboard add <name> [title "…"] "<question>" "<question>" …`: quotes as typed, straight or curly. */
export function parseDashboardAdd(words: readonly string[]): ManageArgs {
  const name = words[0]?.toLowerCase() ?? '';
  if (!DASHBOARD_NAME.test(name) || (DASHBOARD_RESERVED as readonly string[]).includes(name)) {
    throw OfnError.say('BadArguments', 'error.dashboard.nameFirst', undefined, 'hint.dashboards');
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
    throw OfnError.say('BadArguments', 'error.dashboard.quotes', undefined, 'hint.dashboards');
  }
  if (questions.length > DASHBOARD_MAX_QUESTIONS) throw OfnError.say('BadArguments', 'error.dashboard.tooMany', { max: String(DASHBOARD_MAX_QUESTIONS) });
  return { kind: 'add', name, ...(title ? { title } : {}), questions };
}

async function runManage(deps: Deps, args: ManageArgs, context: RouteContext): Promise<Words[]> {
  const { grant } = context;
  if (args.kind === 'list') return listWords(deps, context);
  if (!context.state || !context.who) throw OfnError.say('BadArguments', 'error.dashboard.fromSlack');
  if (args.kind === 'add') {
    if (deps.config.dashboards.has(args.name)) throw OfnError.say('BadArguments', 'error.dashboard.configChange', { name: args.name });
    for (const question of args.questions) {
      if (isDashboardQuestion(question)) throw OfnError.say('BadArguments', 'error.dashboard.nested');
      let reach: Reach & { help: boolean };
      try {
        reach = context.reachOf(question);
      } catch (error) {
        if (error instanceof OfnError) throw OfnError.within(`\`${question.slice(0, 80)}\`: `, error);
        throw error;
      }
      if (reach.help) throw OfnError.say('BadArguments', 'error.dashboard.notQuestion', { question: question.slice(0, 80) });
      // An admin puts in a dashboard only what their own channel may see.
      authorize(deps.config, grant, reach);
    }
    const existing = await storedDashboard(context.state, args.name);
    if (existing && existing.createdBy !== context.who.userId && visibleQuestions(deps, grant, { ...existing, source: 'slack' }, context.reachOf).length < existing.questions.length) {
      throw OfnError.say('BadArguments', 'error.dashboard.taken', { name: args.name });
    }
    await saveDashboard(context.state, { name: args.name, title: args.title ?? args.name, questions: args.questions, createdBy: context.who.userId, channelId: context.who.channelId });
    return [{ key: 'notice.dashboards.added', values: { replaced: existing ? 'yes' : 'no', name: args.name, n: args.questions.length } }];
  }
  if (deps.config.dashboards.has(args.name)) throw OfnError.say('BadArguments', 'error.dashboard.configRemove', { name: args.name });
  const existing = await storedDashboard(context.state, args.name);
  // One the asker's channel may not fully see is answered as absent, like pulses.
  if (!existing || visibleQuestions(deps, grant, { ...existing, source: 'slack' }, context.reachOf).length < existing.questions.length) {
    throw notFound(args.name, []);
  }
  await removeDashboard(context.state, args.name);
  return [{ key: 'notice.dashboards.removed', values: { name: args.name } }];
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
    run: async (deps, args, context) => notice(`dashboard-${args.kind}`, await runManage(deps, args, context)),
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
      if (!DASHBOARD_NAME.test(name) || words.length > 1) throw OfnError.say('BadArguments', 'error.dashboard.removeWhich');
      return { kind: 'remove', name };
    },
  }),
];
