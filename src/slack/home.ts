import type { WebClient } from '@slack/web-api';
import { DateTime } from 'luxon';
import { allDashboards, visibleQuestions } from '../commands/dashboard.js';
import { ask, questionReach } from '../commands/pipeline.js';
import { instanceRef } from '../commands/question.js';
import type { Deps } from '../commands/types.js';
import { audienceLabel, grantForHome, requireGrant, type Grant } from '../core/access.js';
import type { ScalarAnswer } from '../core/answer.js';
import { errorWords, OfnError } from '../core/errors.js';
import type { Language } from '../core/i18n.js';
import type { Logger } from '../core/log.js';
import { notifyOps } from '../jobs/ops-notices.js';
import { shareStatements } from '../queries/replica.js';
import { escapeMrkdwn } from '../render/mrkdwn.js';
import { errorMessage } from '../render/slack-message.js';
import { HOME_METRICS, homeView, type HomeFigure, type HomeInstance } from '../render/home.js';
import type { StateDb } from '../state/store.js';
import { postDashboard } from './dashboard-post.js';
import { cached } from '../core/memo.js';

/**
 * The App Home tab: on `app_home_opened` (and its Refresh button) publish, for that user alone, their
 * instances' month so far and their dashboards. Figures are kept per instance for `home.cacheSeconds`
 * (default 10 minutes), so opening the tab reads a replica at most once per instance and period,
 * whoever opens it; Refresh reads again figures older than a minute.
 */

export interface HomeContext {
  deps: Deps;
  client: WebClient;
  logger: Logger;
  /** The state store: saved questions, pulses, watches, audit. Without it those commands are unavailable. */
  state?: StateDb;
  /** The reader's language from their Slack locale (slack/user-language.ts), for what only they see. */
  userLanguage?: (userId: string) => Promise<Language | undefined>;
}

const REFRESH_AFTER_MS = 60_000;
// A replica that failed is asked again sooner than figures that were read.
const ERROR_CACHE_MS = 30_000;

interface Cached {
  at: number;
  figures: Promise<HomeInstance>;
  failed?: boolean;
}

/** Per-instance figures of one installation (one cache per Deps: per process, or per answer worker). */
const caches = new WeakMap<Deps, Map<string, Cached>>();

/**
 * The four figures of one instance: this month's complete days, the same days of last month, and all
 * of last month. Whole days on both sides, so the two compare exactly (a day in progress against a
 * whole day would make every morning look like a fall); on the 1st, today so far and all of last month.
 */
async function readInstance(deps: Deps, id: string): Promise<HomeInstance> {
  const instance = deps.config.instances.get(id)!;
  const ref = instanceRef(instance);
  const readAt = deps.now().toISOString();
  // Days in the instance's zone. "The same days" of last month end on yesterday's day number (or its last day).
  const now = DateTime.fromJSDate(deps.now(), { zone: instance.timezone });
  const monthStart = now.startOf('month');
  const lastStart = monthStart.minus({ months: 1 });
  const completeDays = now.day - 1;
  const thisPeriod = completeDays > 0 ? `${monthStart.toISODate()}..${monthStart.plus({ days: completeDays - 1 }).toISODate()}` : 'this-month';
  const samePeriod = completeDays > 0 ? `${lastStart.toISODate()}..${lastStart.set({ day: Math.min(completeDays, lastStart.daysInMonth ?? 28) }).toISODate()}` : undefined;
  // Asked like any question, with a grant of this instance alone: the caller decided the user may see it.
  const grant: Grant = { instances: new Set([id]), billing: false, admin: false, via: 'home', label: audienceLabel('home') };
  const scalar = async (question: string): Promise<ScalarAnswer> => {
    const outcome = await ask(deps, question, undefined, { grant });
    if (outcome.kind !== 'answer' || outcome.answer.kind !== 'scalar') throw new Error(`home: ${question} is not a single figure`);
    return outcome.answer;
  };
  try {
    // Turnover and orders of one period are one statement, sent once.
    const figures = await shareStatements(() =>
      Promise.all(
        HOME_METRICS.map(async (metric): Promise<HomeFigure> => {
          const [thisMonth, same, lastMonth] = await Promise.all([scalar(`${metric} ${id} ${thisPeriod}`), samePeriod ? scalar(`${metric} ${id} ${samePeriod}`) : undefined, scalar(`${metric} ${id} last-month`)]);
          return { metric, thisMonth, ...(same ? { sameDays: same } : {}), lastMonth };
        }),
      ),
    );
    return { instance: ref, readAt, figures };
  } catch (error) {
    if (!(error instanceof OfnError)) throw error;
    return { instance: ref, readAt, figures: [], error: error.message, ...(error.text ? { errorText: error.text } : {}) };
  }
}

/** One instance's figures, from the cache while fresh (`refresh`: unless younger than a minute). */
export function homeFigures(deps: Deps, id: string, refresh = false): Promise<HomeInstance> {
  const cache = cached(caches, deps, () => new Map<string, Cached>());
  const now = Date.now();
  const kept = cache.get(id);
  const maxAge = kept?.failed ? ERROR_CACHE_MS : refresh ? REFRESH_AFTER_MS : deps.config.home.cacheSeconds * 1000;
  if (kept && now - kept.at < maxAge) return kept.figures;
  const entry: Cached = { at: now, figures: readInstance(deps, id) };
  entry.figures.then(
    (home) => (entry.failed = home.error !== undefined),
    () => cache.delete(id),
  );
  cache.set(id, entry);
  return entry.figures;
}

/** Builds and publishes one user's Home view. */
export async function publishHome(ctx: HomeContext, userId: string, refresh = false): Promise<void> {
  const { deps } = ctx;
  const grant = grantForHome(deps.config, userId);
  const ids = grant ? [...deps.config.instances.keys()].filter((id) => grant.instances.has(id)) : [];
  const instances = await Promise.all(ids.map((id) => homeFigures(deps, id, refresh)));
  const dashboards = (await allDashboards(deps, ctx.state).catch(() => []))
    .map((d) => ({ d, visible: visibleQuestions(deps, grant, d, (question) => questionReach(deps, question)).length }))
    .filter(({ visible }) => visible > 0)
    .map(({ d }) => ({ name: d.name, title: d.title, questions: d.questions.length }));
  // The reader's own language where Slack says it (users.info, cached an hour), else their instances'.
  const language = await ctx.userLanguage?.(userId).catch(() => undefined);
  const view = homeView({ ...(language ? { language } : {}), instances, dashboards, cacheSeconds: deps.config.home.cacheSeconds });
  await ctx.client.views.publish({ user_id: userId, view: view as never });
}

/** A Home button: the dashboard goes to the user's direct messages with the bot, as that conversation may see it. */
export async function postDashboardToUser(ctx: HomeContext, userId: string, name: string): Promise<void> {
  const opened = await ctx.client.conversations.open({ users: userId });
  const channel = opened.channel?.id;
  if (!channel) throw new Error('conversations.open returned no channel');
  const send = async (message: { text: string; blocks: Record<string, unknown>[] }) => {
    try {
      await ctx.client.chat.postMessage({ channel, text: message.text, blocks: message.blocks as never[], unfurl_links: false });
      return { ok: true };
    } catch (error) {
      return { ok: false, error: (error as { data?: { error?: string } }).data?.error ?? (error as Error).message };
    }
  };
  try {
    const who = { userId, channelId: channel };
    // The name came from a button: looked up and every question authorized again, as if typed here.
    const outcome = await ask(ctx.deps, `dashboard ${name}`, ctx.state, { grant: requireGrant(ctx.deps.config, who), who });
    if (outcome.kind !== 'dashboard') throw OfnError.say('BadArguments', 'error.notDashboard', { name: name.slice(0, 41) });
    const result = await postDashboard(ctx, outcome, send);
    if (result.failed) {
      ctx.logger.error({ user: userId, dashboard: name, error: result.failed }, 'home: dashboard not delivered');
      await reportHomeFailure(ctx, 'home-dashboard', result.failed, userId, name);
    }
  } catch (error) {
    if (!(error instanceof OfnError)) throw error;
    const { message, hint } = errorWords(error, (await ctx.userLanguage?.(userId).catch(() => undefined)) ?? 'en');
    await send(errorMessage(message, hint));
  }
}

/** The Home tab's events and buttons; failures are logged with a reference, never thrown at Bolt. */
export async function answerHome(ctx: HomeContext, request: { intent: string; text: string; who: { userId: string } }): Promise<void> {
  const started = Date.now();
  try {
    if (request.intent === 'home-dashboard') await postDashboardToUser(ctx, request.who.userId, request.text);
    else await publishHome(ctx, request.who.userId, request.intent === 'home-refresh');
    ctx.logger.info({ user: request.who.userId, intent: request.intent, ms: Date.now() - started }, 'home');
  } catch (error) {
    const slack = (error as { data?: { error?: string } }).data?.error;
    ctx.logger.error({ user: request.who.userId, intent: request.intent, err: slack ?? (error as Error).message }, 'home: failed');
    // Slack's word, else the kind of error (never its message: it may hold anything).
    const kind = slack ?? (error as { code?: string }).code ?? (error as Error).name ?? 'Error';
    await reportHomeFailure(ctx, request.intent === 'home-dashboard' ? 'home-dashboard' : 'home', kind, request.who.userId, request.intent === 'home-dashboard' ? request.text : undefined);
  }
}

/** What to do about a Home tab failure, by Slack's word. */
function homeRemedy(kind: string): string {
  if (/invalid_auth|not_authed|token_revoked|account_inactive|missing_scope|not_allowed_token_type/.test(kind)) return 'The bot token no longer works or lacks a scope: reinstall the app from manifest.yml and update SLACK_BOT_TOKEN.';
  if (/ratelimited|rate_limited/.test(kind)) return 'Slack is rate-limiting the bot: nothing to do unless it lasts; figures are cached, so opening the tab again later works.';
  if (/invalid_blocks|invalid_arguments|msg_blocks_too_long|too_many_blocks/.test(kind)) return 'Slack refused the view itself: report it with this notice (the log has every failure under `home: failed`); questions and dashboards still work with `/ofn`.';
  return 'Check that the app’s Home tab is on (App Home in the app settings; manifest.yml turns it on) and look in the log under `home: failed`; questions still work with `/ofn`.';
}

/**
 * A Home tab that could not be published (or a dashboard from its button that could not be posted):
 * nobody would see it otherwise, since the user just sees the old tab. The ops channel hears of it once
 * per kind of error and UTC day (every failure is in the log); without the state store it is only logged.
 */
async function reportHomeFailure(ctx: HomeContext, action: 'home' | 'home-dashboard', kind: string, userId: string, dashboard?: string): Promise<void> {
  if (!ctx.state) return;
  const day = ctx.deps.now().toISOString().slice(0, 10);
  const key = `${action}:${kind.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60)}:${day}`;
  const what =
    action === 'home'
      ? `The Home tab could not be published for <@${userId}> (\`views.publish\`); others who open it may get the same. I say this once a day per error`
      : `The dashboard \`${escapeMrkdwn((dashboard ?? '').slice(0, 41))}\` asked from the Home tab was not posted to <@${userId}>; I say this once a day per error`;
  await notifyOps(ctx.state, ctx.deps, key, { what, why: kind, todo: homeRemedy(kind) }, ctx.logger).catch((error) => ctx.logger.warn({ err: (error as Error).message }, 'home: ops notice not enqueued'));
}
