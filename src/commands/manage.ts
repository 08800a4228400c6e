import { authorize, covers, grantFor, mayManage, type Grant, type Reach, type Requester } from '../core/access.js';
import { OfnError } from '../core/errors.js';
import { isValidTimeZone } from '../core/periods.js';
import { nextSlot, parseSchedule } from '../core/schedule.js';
import { insertPulse, livePulse, livePulses, setPulseStatus } from '../state/pulses.js';
import { savedQuestion, savedQuestionsIn, saveQuestion } from '../state/saved-questions.js';
import type { StateDb } from '../state/store.js';
import { liveWatch, liveWatches, removeWatch, upsertWatch } from '../state/watches.js';
import type { Outcome } from '../core/outcome.js';
import { findIn, splitWords, tableOf } from './questions.js';
import { dashboardZone, findDashboard, isDashboardQuestion, visibleQuestions } from './dashboard.js';
import type { Deps, Route } from './types.js';

/** Management commands: saved questions, pulses and watches (they need the state store). */
export type ManageArgs =
  | { kind: 'save'; name: string; question: string }
  | { kind: 'saved' }
  | { kind: 'pulse-add'; question: string; schedule: string; channelId?: string; onlyIfResults: boolean; timezone?: string }
  | { kind: 'pulse-list' }
  | { kind: 'pulse-set'; action: 'pause' | 'resume' | 'remove'; id: number }
  | { kind: 'watch-add'; event: 'new-profiles' | 'new-shops'; instance?: string; channelId?: string }
  | { kind: 'watch-list' }
  | { kind: 'watch-remove'; id: number };

export const MANAGE_HELP = [
  '`save <name> <question>` · `saved`',
  '`pulse add <saved name or question> daily HH:MM | weekly mon HH:MM | monthly 1 HH:MM | "<cron>" [#channel] [only-if-results] [tz Area/City]`',
  '`pulse list` · `pulse pause|resume|remove <id>`',
  '`watch new-profiles|new-shops [instance] [#channel]` · `watch list` · `watch remove <id>`',
].join('\n');

/** `<#C0123|general>` (how Slack escapes a channel mention) or a bare channel id. */
function channelId(word: string): string | undefined {
  const m = /^<#([CG][A-Z0-9]+)(\|[^>]*)?>$/.exec(word) ?? /^([CG][A-Z0-9]{2,})$/.exec(word);
  return m?.[1];
}

function id(word: string | undefined, what: string): number {
  if (!word || !/^#?\d{1,9}$/.test(word)) throw new OfnError('BadArguments', `Which ${what}? Give its number, e.g. \`${what} pause 3\`.`, MANAGE_HELP);
  return Number(word.replace('#', ''));
}

function parsePulseAdd(words: readonly string[]): ManageArgs {
  const rest = [...words];
  let onlyIfResults = false;
  let channel: string | undefined;
  let timezone: string | undefined;
  // Trailing options, in any order.
  for (;;) {
    const last = rest.at(-1);
    if (last?.toLowerCase() === 'only-if-results') onlyIfResults = !!rest.pop();
    else if (last && channelId(last)) channel = channelId(rest.pop()!);
    else if (rest.length >= 2 && rest.at(-2)!.toLowerCase() === 'tz') {
      timezone = rest.pop();
      rest.pop();
    } else break;
  }
  const joined = rest.join(' ');
  const quoted = /^(.*?)\s*["“”']([^"“”']+)["“”']$/.exec(joined);
  let question: string;
  let schedule: string;
  if (quoted) {
    question = quoted[1]!;
    schedule = quoted[2]!;
  } else {
    const at = rest.findLastIndex((w) => ['daily', 'weekly', 'monthly'].includes(w.toLowerCase()));
    if (at < 1) throw new OfnError('BadArguments', 'A pulse needs a question and a schedule.', MANAGE_HELP);
    question = rest.slice(0, at).join(' ');
    schedule = rest.slice(at).join(' ');
  }
  parseSchedule(schedule);
  if (!question) throw new OfnError('BadArguments', 'A pulse needs a question or a saved name before the schedule.', MANAGE_HELP);
  return { kind: 'pulse-add', question, schedule, onlyIfResults, ...(channel ? { channelId: channel } : {}), ...(timezone ? { timezone } : {}) };
}

function parseWatchAdd(words: readonly string[]): ManageArgs {
  const event = words[0]?.toLowerCase().replace(/_/g, '-');
  if (event !== 'new-profiles' && event !== 'new-shops') {
    throw new OfnError('BadArguments', '`watch new-profiles` or `watch new-shops`, then an instance and a channel if not this one; `watch list` shows them.', MANAGE_HELP);
  }
  let instance: string | undefined;
  let channel: string | undefined;
  for (const w of words.slice(1)) {
    if (channelId(w)) channel = channelId(w);
    else instance = w.toLowerCase();
  }
  return { kind: 'watch-add', event, ...(instance ? { instance } : {}), ...(channel ? { channelId: channel } : {}) };
}

function noMoreWords(name: string, words: readonly string[]): void {
  if (words.length) throw new OfnError('BadArguments', `\`${name}\` takes nothing after it.`, MANAGE_HELP);
}

export interface ManageContext {
  deps: Deps;
  state: StateDb;
  who: Requester;
  /** What the asker's channel may see, and whether the asker is an admin (core/access.ts). */
  grant: Grant;
  /** What a question would touch, without running it (the route table's, handed in to avoid a circle). */
  reachOf(question: string): Reach & { help: boolean };
}

function requireAdmin(ctx: ManageContext, what = 'Managing pulses, watches and saved questions') {
  if (!ctx.grant.admin) throw new OfnError('AccessDenied', `${what} needs \`admin: true\` for your user (${ctx.who.userId}) in the ofn-insights config.`);
}

/** The reach of a stored question, or undefined when it no longer parses (an instance removed from the config). */
function reachOrUndefined(ctx: ManageContext, question: string): Reach | undefined {
  try {
    return ctx.reachOf(question);
  } catch {
    return undefined;
  }
}

/**
 * Resolves a saved name (of this channel) to its question, or checks that the text is itself a
 * question; either way every instance it touches must be visible to the asker's channel.
 */
async function resolveQuestion(ctx: ManageContext, text: string): Promise<{ question: string; reach: Reach; instances: string[] }> {
  const saved = /^[a-z][a-z0-9-]*$/.test(text) ? await savedQuestion(ctx.state, ctx.who.channelId, text) : undefined;
  const question = saved?.question ?? text;
  const reach = ctx.reachOf(question);
  if (reach.help) throw new OfnError('BadArguments', 'A pulse or saved question must ask a question, not for help.');
  const instances = authorize(ctx.deps.config, ctx.grant, reach);
  return { question, reach, instances };
}

/** The target channel must be allowed to see everything the question touches, now and at every delivery. */
function requireTarget(ctx: ManageContext, channelId: string, reach: Reach): void {
  if (channelId === ctx.who.channelId) return;
  const target = grantFor(ctx.deps.config, { userId: ctx.who.userId, channelId });
  if (!target) throw new OfnError('AccessDenied', `Channel <#${channelId}> has no access to ofn-insights; add it under \`access:\` first.`);
  authorize(ctx.deps.config, { ...target, label: `Channel <#${channelId}>` }, reach);
}

async function loadPulse(ctx: ManageContext, id: number) {
  const pulse = await livePulse(ctx.state, id);
  const reach = pulse ? reachOrUndefined(ctx, pulse.question) : undefined;
  // A pulse the asker's channel may not see is answered as absent: its existence is not theirs to know.
  if (!pulse || !(reach ? covers(ctx.deps.config, ctx.grant, { ...reach, billing: false }) : pulse.channel_id === ctx.who.channelId)) {
    throw new OfnError('NotFound', `There is no pulse #${id} here. \`pulse list\` shows them.`);
  }
  if (!mayManage(ctx.deps.config, ctx.grant, ctx.who.userId, pulse.channel_id, reach ?? { instances: [], billing: false })) {
    throw new OfnError('AccessDenied', `Pulse #${id} posts to <#${pulse.channel_id}>, which sees instances you may not manage.`);
  }
  return pulse;
}

export async function runManagement(ctx: ManageContext, args: ManageArgs): Promise<string> {
  const { state, deps } = ctx;
  const here = ctx.who.channelId;
  switch (args.kind) {
    case 'save': {
      requireAdmin(ctx, 'Saving questions');
      const { question } = await resolveQuestion(ctx, args.question);
      const existing = await savedQuestion(state, here, args.name);
      if (existing && existing.created_by !== ctx.who.userId) {
        throw new OfnError('BadArguments', `\`${args.name}\` is already saved here by someone else. Choose another name.`);
      }
      await saveQuestion(state, { channelId: here, name: args.name, question, createdBy: ctx.who.userId });
      return `Saved \`${args.name}\` = \`${question}\`. Use it in \`pulse add ${args.name} weekly mon 09:00\`.`;
    }
    case 'saved': {
      const rows = (await savedQuestionsIn(state, here)).filter((r) =>
        covers(deps.config, ctx.grant, reachOrUndefined(ctx, r.question) ?? { instances: ['?'], billing: false }),
      );
      return rows.length ? rows.map((r) => `• \`${r.name}\`: \`${r.question}\``).join('\n') : 'No saved questions in this channel yet: `save <name> <question>`.';
    }
    case 'pulse-add': {
      requireAdmin(ctx);
      const { question, reach, instances } = await resolveQuestion(ctx, args.question);
      const channel = args.channelId ?? here;
      requireTarget(ctx, channel, reach);
      const dashboard = isDashboardQuestion(question) ? await findDashboard(deps, state, question.trim().split(/\s+/)[1]?.toLowerCase() ?? '') : undefined;
      if (isDashboardQuestion(question) && !dashboard) throw new OfnError('NotFound', `There is no dashboard \`${question.trim().split(/\s+/)[1]?.slice(0, 41) ?? ''}\`. \`dashboard list\` shows them.`);
      // A dashboard's questions are checked at every delivery against the channel's access: those it may not see are named, not shown.
      const hidden = dashboard ? dashboard.questions.length - visibleQuestions(deps, grantFor(deps.config, { userId: ctx.who.userId, channelId: channel }), dashboard, ctx.reachOf).length : 0;
      const zone = dashboard ? dashboardZone(deps, dashboard, ctx.reachOf) : instances[0] ? deps.config.instances.get(instances[0])?.timezone : undefined;
      const timezone = args.timezone ?? zone ?? [...deps.config.instances.values()][0]!.timezone;
      if (!isValidTimeZone(timezone)) throw new OfnError('BadArguments', `\`${timezone.slice(0, 40)}\` is not an IANA time zone.`);
      const schedule = parseSchedule(args.schedule);
      const next = nextSlot(schedule, timezone, deps.now());
      if (!next) throw new OfnError('BadArguments', `\`${schedule.text}\` would not fire in the next 13 months; choose a schedule that does.`);
      const id = await insertPulse(state, { question, schedule: schedule.text, timezone, channelId: channel, onlyIfResults: args.onlyIfResults, createdBy: ctx.who.userId, from: deps.now() });
      const unseen = hidden ? ` ${hidden} of its questions ${hidden === 1 ? 'is' : 'are'} not visible in <#${channel}>: ${hidden === 1 ? 'it' : 'they'} will be named, not shown.` : '';
      return `Pulse #${id}: \`${question}\` ${schedule.text} (${timezone}) in <#${channel}>${args.onlyIfResults ? ', only when there are results' : ''}. Next: ${next.local.replace('T', ' ')}.${unseen}`;
    }
    case 'pulse-list': {
      const rows = (await livePulses(state)).filter((p) => {
        const reach = reachOrUndefined(ctx, p.question);
        return reach ? covers(deps.config, ctx.grant, { ...reach, billing: false }) : p.channel_id === here;
      });
      if (rows.length === 0) return 'No pulses this channel may see yet: `pulse add <question> weekly mon 09:00`.';
      return rows
        .map((p) => {
          const next = p.status === 'active' ? nextSlot(parseSchedule(p.schedule), p.timezone, deps.now())?.local.replace('T', ' ') : undefined;
          return `• #${p.id} \`${p.question}\` ${p.schedule} (${p.timezone}) → <#${p.channel_id}> · ${p.status}${next ? ` · next ${next}` : ''}${p.note ? ` · ${p.note}` : ''}`;
        })
        .join('\n');
    }
    case 'pulse-set': {
      requireAdmin(ctx);
      await loadPulse(ctx, args.id);
      const status = args.action === 'pause' ? 'paused' : args.action === 'resume' ? 'active' : 'removed';
      // Resuming starts from now: slots missed while paused are not delivered late.
      await setPulseStatus(state, args.id, status, status === 'active' ? deps.now() : undefined);
      return `Pulse #${args.id} ${status === 'removed' ? 'removed' : status}.`;
    }
    case 'watch-add': {
      requireAdmin(ctx);
      const ids = [...ctx.grant.instances];
      const instance = args.instance ?? (ids.length === 1 ? ids[0] : undefined);
      if (!instance || !deps.config.instances.has(instance)) throw new OfnError('UnknownInstance', `Which instance? One of: ${ids.join(', ')}.`);
      const reach: Reach = { instances: [instance], billing: false };
      authorize(deps.config, ctx.grant, reach);
      const channel = args.channelId ?? here;
      requireTarget(ctx, channel, reach);
      const id = await upsertWatch(state, { event: args.event, instanceId: instance, channelId: channel, createdBy: ctx.who.userId, source: 'slack' });
      return `Watch #${id}: ${args.event} on ${instance} → <#${channel}>. I announce what appears from now on.`;
    }
    case 'watch-list': {
      const rows = (await liveWatches(state)).filter((w) => ctx.grant.instances.has(w.instance_id));
      return rows.length ? rows.map((w) => `• #${w.id} ${w.event} on ${w.instance_id} → <#${w.channel_id}> · ${w.status} (${w.source})${w.note ? ` · ${w.note}` : ''}`).join('\n') : 'No watches this channel may see yet: `watch new-shops <instance>`.';
    }
    case 'watch-remove': {
      requireAdmin(ctx);
      const watch = await liveWatch(state, args.id);
      if (!watch || !ctx.grant.instances.has(watch.instance_id)) throw new OfnError('NotFound', `There is no watch #${args.id} here. \`watch list\` shows them.`);
      if (!mayManage(deps.config, ctx.grant, ctx.who.userId, watch.channel_id, { instances: [watch.instance_id], billing: false })) {
        throw new OfnError('AccessDenied', `Watch #${args.id} posts to <#${watch.channel_id}>, which sees instances you may not manage.`);
      }
      await removeWatch(state, args.id);
      return `Watch #${args.id} removed.`;
    }
  }
}

/** Management routes: they need the state store, run as the Slack user who asks, and authorize inside. */
function manageRoute(spec: Pick<Route<ManageArgs>, 'name' | 'aliases' | 'summary' | 'usage' | 'examples' | 'parse'> & { admin: boolean }): Route<ManageArgs> {
  const { admin, ...rest } = spec;
  return {
    ...rest,
    group: 'manage',
    needs: { state: true, admin },
    // What a pulse or saved question touches is known only once a saved name is resolved: run() authorizes it.
    reach: () => ({ instances: [], billing: false }),
    async run(deps, args, context): Promise<Outcome> {
      if (!context.who || !context.state) throw new OfnError('BadArguments', 'Saved questions, pulses and watches are managed from Slack.');
      const text = await runManagement({ deps, state: context.state, who: context.who, grant: context.grant, reachOf: context.reachOf }, args);
      return { kind: 'notice', action: args.kind, text };
    },
  };
}

export const MANAGE_ROUTES: readonly Route<ManageArgs>[] = [
  manageRoute({
    name: 'save',
    aliases: [],
    admin: true,
    summary: 'Saves a question under a name, for this channel.',
    usage: 'save <name> <question>',
    examples: ['save weekly-katuma turnover katuma last-week'],
    parse(words) {
      const name = words[0]?.toLowerCase();
      if (!name || !/^[a-z][a-z0-9-]{0,40}$/.test(name) || words.length < 2) {
        throw new OfnError('BadArguments', 'Usage: `save <name> <question>`, e.g. `save weekly-katuma turnover katuma last-week`. Names are lower-case words with dashes.');
      }
      return { kind: 'save', name, question: words.slice(1).join(' ') };
    },
  }),
  manageRoute({
    name: 'saved',
    aliases: [],
    admin: false,
    summary: 'The questions saved in this channel.',
    usage: 'saved',
    examples: ['saved'],
    parse: (words) => (noMoreWords('saved', words), { kind: 'saved' }),
  }),
  manageRoute({
    name: 'pulse-add',
    aliases: [],
    admin: true,
    summary: 'Posts a question (or a saved one) on a schedule, in the instance’s time zone.',
    usage: 'pulse add <saved name or question> daily HH:MM | weekly mon HH:MM | monthly 1 HH:MM | "<cron>" [#channel] [only-if-results] [tz Area/City]',
    examples: ['pulse add weekly-katuma weekly mon 09:00', 'pulse add new-shops katuma last-week by day "0 9 * * 1" only-if-results', 'pulse add growth all monthly 1 09:00'],
    parse: parsePulseAdd,
  }),
  manageRoute({
    name: 'pulse-list',
    aliases: ['pulse', 'pulses'],
    admin: false,
    summary: 'The pulses this channel may see, with their next slot.',
    usage: 'pulse list',
    examples: ['pulse list'],
    parse: (words) => {
      if (words.length) throw new OfnError('BadArguments', `\`pulse ${words[0]!.slice(0, 20)}\` is not a pulse command.`, MANAGE_HELP);
      return { kind: 'pulse-list' };
    },
  }),
  ...(['pause', 'resume', 'remove'] as const).map((action) =>
    manageRoute({
      name: `pulse-${action}`,
      aliases: [],
      admin: true,
      summary: `${action[0]!.toUpperCase()}${action.slice(1)}s a pulse.`,
      usage: `pulse ${action} <id>`,
      examples: [`pulse ${action} 3`],
      parse: (words) => ({ kind: 'pulse-set', action, id: id(words[0], 'pulse') }),
    }),
  ),
  manageRoute({
    name: 'watch',
    aliases: [],
    admin: true,
    summary: 'Announces each new profile or shop of an instance in a channel.',
    usage: 'watch new-profiles|new-shops [instance] [#channel]',
    examples: ['watch new-shops katuma', 'watch new-profiles katuma #sales'],
    parse: parseWatchAdd,
  }),
  manageRoute({
    name: 'watch-list',
    aliases: ['watches'],
    admin: false,
    summary: 'The watches this channel may see.',
    usage: 'watch list',
    examples: ['watch list'],
    parse: (words) => (noMoreWords('watch list', words), { kind: 'watch-list' }),
  }),
  manageRoute({
    name: 'watch-remove',
    aliases: [],
    admin: true,
    summary: 'Removes a watch.',
    usage: 'watch remove <id>',
    examples: ['watch remove 2'],
    parse: (words) => ({ kind: 'watch-remove', id: id(words[0], 'watch') }),
  }),
];

const MANAGE_TABLE = tableOf(MANAGE_ROUTES);

/** Pure: words → management arguments, or undefined when the words are not a management command. */
export function parseManagement(text: string): ManageArgs | undefined {
  const words = splitWords(text);
  const found = findIn(words, MANAGE_TABLE);
  return found ? found.command.parse(words.slice(found.used), { instanceIds: [] }) : undefined;
}
