import { audienceLabel, authorize, covers, grantFor, mayManage, type Grant, type Reach, type Requester } from '../core/access.js';
import { OfnError } from '../core/errors.js';
import { isValidTimeZone } from '../core/periods.js';
import { isScheduleWord, nextSlot, parseSchedule } from '../core/schedule.js';
import { insertPulse, livePulse, livePulses, setPulseStatus } from '../state/pulses.js';
import { savedQuestion, savedQuestionsIn, saveQuestion } from '../state/saved-questions.js';
import type { StateDb } from '../state/store.js';
import { liveWatch, liveWatches, removeWatch, upsertWatch } from '../state/watches.js';
import type { Words } from '../core/i18n.js';
import { notice, type Outcome } from '../core/outcome.js';
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

/** `<#C0123|general>` (how Slack escapes a channel mention) or a bare channel id. */
function channelId(word: string): string | undefined {
  const m = /^<#([CG][A-Z0-9]+)(\|[^>]*)?>$/.exec(word) ?? /^([CG][A-Z0-9]{2,})$/.exec(word);
  return m?.[1];
}

function id(word: string | undefined, what: string): number {
  if (!word || !/^#?\d{1,9}$/.test(word)) throw OfnError.say('BadArguments', 'error.manage.whichId', { what }, 'hint.manage');
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
    // The schedule starts at its frequency word, in any language (`weekly`, `semanal`, `hebdomadaire`…).
    const at = rest.findLastIndex(isScheduleWord);
    if (at < 1) throw OfnError.say('BadArguments', 'error.pulse.needsBoth', undefined, 'hint.manage');
    question = rest.slice(0, at).join(' ');
    schedule = rest.slice(at).join(' ');
  }
  parseSchedule(schedule);
  if (!question) throw OfnError.say('BadArguments', 'error.pulse.needsQuestion', undefined, 'hint.manage');
  return { kind: 'pulse-add', question, schedule, onlyIfResults, ...(channel ? { channelId: channel } : {}), ...(timezone ? { timezone } : {}) };
}

function parseWatchAdd(words: readonly string[]): ManageArgs {
  const event = words[0]?.toLowerCase().replace(/_/g, '-');
  if (event !== 'new-profiles' && event !== 'new-shops') {
    throw OfnError.say('BadArguments', 'error.watch.which', undefined, 'hint.manage');
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
  if (words.length) throw OfnError.say('BadArguments', 'error.manage.nothingAfter', { name }, 'hint.manage');
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

function requireAdmin(ctx: ManageContext, what: 'save' | 'manage' = 'manage') {
  if (!ctx.grant.admin) throw OfnError.say('AccessDenied', 'error.manage.admin', { what, user: ctx.who.userId });
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
  if (reach.help) throw OfnError.say('BadArguments', 'error.manage.notHelp');
  const instances = authorize(ctx.deps.config, ctx.grant, reach);
  return { question, reach, instances };
}

/** The target channel must be allowed to see everything the question touches, now and at every delivery. */
function requireTarget(ctx: ManageContext, channelId: string, reach: Reach): void {
  if (channelId === ctx.who.channelId) return;
  const target = grantFor(ctx.deps.config, { userId: ctx.who.userId, channelId });
  if (!target) throw OfnError.say('AccessDenied', 'error.manage.targetNoAccess', { channel: channelId });
  authorize(ctx.deps.config, { ...target, label: audienceLabel('target', `<#${channelId}>`) }, reach);
}

async function loadPulse(ctx: ManageContext, id: number) {
  const pulse = await livePulse(ctx.state, id);
  const reach = pulse ? reachOrUndefined(ctx, pulse.question) : undefined;
  // A pulse the asker's channel may not see is answered as absent: its existence is not theirs to know.
  if (!pulse || !(reach ? covers(ctx.deps.config, ctx.grant, { ...reach, billing: false }) : pulse.channel_id === ctx.who.channelId)) {
    throw OfnError.say('NotFound', 'error.pulse.notHere', { id: String(id) });
  }
  if (!mayManage(ctx.deps.config, ctx.grant, ctx.who.userId, pulse.channel_id, reach ?? { instances: [], billing: false })) {
    throw OfnError.say('AccessDenied', 'error.pulse.othersChannel', { id: String(id), channel: pulse.channel_id });
  }
  return pulse;
}

/** What a management command did, as the lines of its notice (catalog words). */
export async function runManagement(ctx: ManageContext, args: ManageArgs): Promise<Words[]> {
  const { state, deps } = ctx;
  const here = ctx.who.channelId;
  switch (args.kind) {
    case 'save': {
      requireAdmin(ctx, 'save');
      const { question } = await resolveQuestion(ctx, args.question);
      const existing = await savedQuestion(state, here, args.name);
      if (existing && existing.created_by !== ctx.who.userId) {
        throw OfnError.say('BadArguments', 'error.save.taken', { name: args.name });
      }
      await saveQuestion(state, { channelId: here, name: args.name, question, createdBy: ctx.who.userId });
      return [{ key: 'notice.saved', values: { name: args.name, question } }];
    }
    case 'saved': {
      const rows = (await savedQuestionsIn(state, here)).filter((r) =>
        covers(deps.config, ctx.grant, reachOrUndefined(ctx, r.question) ?? { instances: ['?'], billing: false }),
      );
      return rows.length ? rows.map((r): Words => ({ key: 'notice.savedRow', values: { name: r.name, question: r.question } })) : [{ key: 'notice.savedNone' }];
    }
    case 'pulse-add': {
      requireAdmin(ctx);
      const { question, reach, instances } = await resolveQuestion(ctx, args.question);
      const channel = args.channelId ?? here;
      requireTarget(ctx, channel, reach);
      const dashboard = isDashboardQuestion(question) ? await findDashboard(deps, state, question.trim().split(/\s+/)[1]?.toLowerCase() ?? '') : undefined;
      if (isDashboardQuestion(question) && !dashboard) throw OfnError.say('NotFound', 'error.pulse.noDashboard', { name: question.trim().split(/\s+/)[1]?.slice(0, 41) ?? '' });
      // A dashboard's questions are checked at every delivery against the channel's access: those it may not see are named, not shown.
      const hidden = dashboard ? dashboard.questions.length - visibleQuestions(deps, grantFor(deps.config, { userId: ctx.who.userId, channelId: channel }), dashboard, ctx.reachOf).length : 0;
      const zone = dashboard ? dashboardZone(deps, dashboard, ctx.reachOf) : instances[0] ? deps.config.instances.get(instances[0])?.timezone : undefined;
      const timezone = args.timezone ?? zone ?? [...deps.config.instances.values()][0]!.timezone;
      if (!isValidTimeZone(timezone)) throw OfnError.say('BadArguments', 'error.notTimeZone', { zone: timezone.slice(0, 40) });
      const schedule = parseSchedule(args.schedule);
      const next = nextSlot(schedule, timezone, deps.now());
      if (!next) throw OfnError.say('BadArguments', 'error.pulse.neverNext', { schedule: schedule.text });
      const id = await insertPulse(state, { question, schedule: schedule.text, timezone, channelId: channel, onlyIfResults: args.onlyIfResults, createdBy: ctx.who.userId, from: deps.now() });
      return [
        {
          key: 'notice.pulseAdded',
          values: { id: String(id), question, schedule: schedule.text, zone: timezone, channel, onlyIfResults: args.onlyIfResults ? 'yes' : 'no', next: next.local.replace('T', ' '), hidden },
          // The next slot as the reader's language writes dates; English keeps `YYYY-MM-DD HH:MM`.
          times: { next: next.local },
        },
      ];
    }
    case 'pulse-list': {
      const rows = (await livePulses(state)).filter((p) => {
        const reach = reachOrUndefined(ctx, p.question);
        return reach ? covers(deps.config, ctx.grant, { ...reach, billing: false }) : p.channel_id === here;
      });
      if (rows.length === 0) return [{ key: 'notice.pulsesNone' }];
      return rows.map((p): Words => {
        const next = p.status === 'active' ? nextSlot(parseSchedule(p.schedule), p.timezone, deps.now())?.local : undefined;
        // A pulse's note (why it was disabled or skipped) is the jobs' words for operators, shown as stored.
        return {
          key: 'notice.pulseRow',
          values: { id: String(p.id), question: p.question, schedule: p.schedule, zone: p.timezone, channel: p.channel_id, status: p.status, hasNext: next ? 'yes' : 'no', next: next?.replace('T', ' ') ?? '', hasNote: p.note ? 'yes' : 'no', note: p.note ?? '' },
          ...(next ? { times: { next } } : {}),
        };
      });
    }
    case 'pulse-set': {
      requireAdmin(ctx);
      await loadPulse(ctx, args.id);
      const status = args.action === 'pause' ? 'paused' : args.action === 'resume' ? 'active' : 'removed';
      // Resuming starts from now: slots missed while paused are not delivered late.
      await setPulseStatus(state, args.id, status, status === 'active' ? deps.now() : undefined);
      return [{ key: 'notice.pulseSet', values: { id: String(args.id), status } }];
    }
    case 'watch-add': {
      requireAdmin(ctx);
      const ids = [...ctx.grant.instances];
      const instance = args.instance ?? (ids.length === 1 ? ids[0] : undefined);
      if (!instance || !deps.config.instances.has(instance)) throw OfnError.say('UnknownInstance', 'error.whichInstance', { instances: ids.join(', ') });
      const reach: Reach = { instances: [instance], billing: false };
      authorize(deps.config, ctx.grant, reach);
      const channel = args.channelId ?? here;
      requireTarget(ctx, channel, reach);
      const id = await upsertWatch(state, { event: args.event, instanceId: instance, channelId: channel, createdBy: ctx.who.userId, source: 'slack' });
      return [{ key: 'notice.watchAdded', values: { id: String(id), event: args.event, instance, channel } }];
    }
    case 'watch-list': {
      const rows = (await liveWatches(state)).filter((w) => ctx.grant.instances.has(w.instance_id));
      if (rows.length === 0) return [{ key: 'notice.watchesNone' }];
      return rows.map((w): Words => ({
        key: 'notice.watchRow',
        values: { id: String(w.id), event: w.event, instance: w.instance_id, channel: w.channel_id, status: w.status, source: w.source, hasNote: w.note ? 'yes' : 'no', note: w.note ?? '' },
      }));
    }
    case 'watch-remove': {
      requireAdmin(ctx);
      const watch = await liveWatch(state, args.id);
      if (!watch || !ctx.grant.instances.has(watch.instance_id)) throw OfnError.say('NotFound', 'error.watch.notHere', { id: String(args.id) });
      if (!mayManage(deps.config, ctx.grant, ctx.who.userId, watch.channel_id, { instances: [watch.instance_id], billing: false })) {
        throw OfnError.say('AccessDenied', 'error.watch.othersChannel', { id: String(args.id), channel: watch.channel_id });
      }
      await removeWatch(state, args.id);
      return [{ key: 'notice.watchRemoved', values: { id: String(args.id) } }];
    }
  }
}

/** Management routes: they need the state store, run as the Slack user who asks, and authorize inside. */
function manageRoute(spec: Pick<Route<ManageArgs>, 'name' | 'summary' | 'usage' | 'examples' | 'parse'> & { aliases?: readonly string[]; admin: boolean }): Route<ManageArgs> {
  const { admin, ...rest } = spec;
  return {
    aliases: [],
    ...rest,
    group: 'manage',
    needs: { state: true, admin },
    // What a pulse or saved question touches is known only once a saved name is resolved: run() authorizes it.
    reach: () => ({ instances: [], billing: false }),
    async run(deps, args, context): Promise<Outcome> {
      if (!context.who || !context.state) throw OfnError.say('BadArguments', 'error.manage.fromSlack');
      return notice(args.kind, await runManagement({ deps, state: context.state, who: context.who, grant: context.grant, reachOf: context.reachOf }, args));
    },
  };
}

export const MANAGE_ROUTES: readonly Route<ManageArgs>[] = [
  manageRoute({
    name: 'save',
    admin: true,
    summary: 'Saves a question under a name, for this channel.',
    usage: 'save <name> <question>',
    examples: ['save weekly-katuma turnover katuma last-week'],
    parse(words) {
      const name = words[0]?.toLowerCase();
      if (!name || !/^[a-z][a-z0-9-]{0,40}$/.test(name) || words.length < 2) {
        throw OfnError.say('BadArguments', 'error.save.usage');
      }
      return { kind: 'save', name, question: words.slice(1).join(' ') };
    },
  }),
  manageRoute({
    name: 'saved',
    admin: false,
    summary: 'The questions saved in this channel.',
    usage: 'saved',
    examples: ['saved'],
    parse: (words) => (noMoreWords('saved', words), { kind: 'saved' }),
  }),
  manageRoute({
    name: 'pulse-add',
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
      if (words.length) throw OfnError.say('BadArguments', 'error.pulse.notCommand', { word: words[0]!.slice(0, 20) }, 'hint.manage');
      return { kind: 'pulse-list' };
    },
  }),
  ...(['pause', 'resume', 'remove'] as const).map((action) =>
    manageRoute({
      name: `pulse-${action}`,
      admin: true,
      summary: `${action[0]!.toUpperCase()}${action.slice(1)}s a pulse.`,
      usage: `pulse ${action} <id>`,
      examples: [`pulse ${action} 3`],
      parse: (words) => ({ kind: 'pulse-set', action, id: id(words[0], 'pulse') }),
    }),
  ),
  manageRoute({
    name: 'watch',
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
