import { authorize, covers, grantFor, mayManage, type Grant, type Reach, type Requester } from '../core/access.js';
import { OfnError } from '../core/errors.js';
import { isValidTimeZone } from '../core/periods.js';
import { nextSlot, parseSchedule } from '../jobs/schedule.js';
import type { StateDb } from '../state/store.js';
import { questionReach } from './pipeline.js';
import type { Deps } from './types.js';

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

/** Pure: words → management arguments, or undefined when the words are not a management command. */
export function parseManagement(text: string): ManageArgs | undefined {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const head = words[0]?.toLowerCase();
  if (head === 'saved' && words.length === 1) return { kind: 'saved' };
  if (head === 'save') {
    const name = words[1]?.toLowerCase();
    if (!name || !/^[a-z][a-z0-9-]{0,40}$/.test(name) || words.length < 3) {
      throw new OfnError('BadArguments', 'Usage: `save <name> <question>`, e.g. `save weekly-katuma turnover katuma last-week`. Names are lower-case words with dashes.');
    }
    return { kind: 'save', name, question: words.slice(2).join(' ') };
  }
  if (head === 'pulse' || head === 'pulses') {
    const action = words[1]?.toLowerCase();
    if (!action || action === 'list') return { kind: 'pulse-list' };
    if (action === 'pause' || action === 'resume' || action === 'remove') return { kind: 'pulse-set', action, id: id(words[2], 'pulse') };
    if (action !== 'add') throw new OfnError('BadArguments', `\`pulse ${action.slice(0, 20)}\` is not a pulse command.`, MANAGE_HELP);
    const rest = words.slice(2);
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
  if (head === 'watch' || head === 'watches') {
    const action = words[1]?.toLowerCase();
    if (!action || action === 'list') return { kind: 'watch-list' };
    if (action === 'remove') return { kind: 'watch-remove', id: id(words[2], 'watch') };
    const event = action.replace(/_/g, '-');
    if (event !== 'new-profiles' && event !== 'new-shops') {
      throw new OfnError('BadArguments', '`watch new-profiles` or `watch new-shops`, then an instance and a channel if not this one.', MANAGE_HELP);
    }
    let instance: string | undefined;
    let channel: string | undefined;
    for (const w of words.slice(2)) {
      if (channelId(w)) channel = channelId(w);
      else instance = w.toLowerCase();
    }
    return { kind: 'watch-add', event, ...(instance ? { instance } : {}), ...(channel ? { channelId: channel } : {}) };
  }
  return undefined;
}

export interface ManageContext {
  deps: Deps;
  state: StateDb;
  who: Requester;
  /** What the asker's channel may see, and whether the asker is an admin (core/access.ts). */
  grant: Grant;
}

function requireAdmin(ctx: ManageContext, what = 'Managing pulses, watches and saved questions') {
  if (!ctx.grant.admin) throw new OfnError('AccessDenied', `${what} needs \`admin: true\` for your user (${ctx.who.userId}) in the ofn-insights config.`);
}

/** The reach of a stored question, or undefined when it no longer parses (an instance removed from the config). */
function reachOrUndefined(ctx: ManageContext, question: string): Reach | undefined {
  try {
    return questionReach(ctx.deps, question);
  } catch {
    return undefined;
  }
}

/**
 * Resolves a saved name (of this channel) to its question, or checks that the text is itself a
 * question; either way every instance it touches must be visible to the asker's channel.
 */
async function resolveQuestion(ctx: ManageContext, text: string): Promise<{ question: string; reach: Reach; instances: string[] }> {
  const saved = /^[a-z][a-z0-9-]*$/.test(text)
    ? await ctx.state.selectFrom('saved_questions').select('question').where('channel_id', '=', ctx.who.channelId).where('name', '=', text).executeTakeFirst()
    : undefined;
  const question = saved?.question ?? text;
  const reach = questionReach(ctx.deps, question);
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
  const pulse = await ctx.state.selectFrom('pulses').selectAll().where('id', '=', id).where('status', '!=', 'removed').executeTakeFirst();
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
      const existing = await state.selectFrom('saved_questions').select(['created_by']).where('channel_id', '=', here).where('name', '=', args.name).executeTakeFirst();
      if (existing && existing.created_by !== ctx.who.userId) {
        throw new OfnError('BadArguments', `\`${args.name}\` is already saved here by someone else. Choose another name.`);
      }
      await state
        .insertInto('saved_questions')
        .values({ channel_id: here, name: args.name, question, created_by: ctx.who.userId })
        .onConflict((oc) => oc.columns(['channel_id', 'name']).doUpdateSet({ question }))
        .execute();
      return `Saved \`${args.name}\` = \`${question}\`. Use it in \`pulse add ${args.name} weekly mon 09:00\`.`;
    }
    case 'saved': {
      const rows = (await state.selectFrom('saved_questions').selectAll().where('channel_id', '=', here).orderBy('name').execute()).filter((r) =>
        covers(deps.config, ctx.grant, reachOrUndefined(ctx, r.question) ?? { instances: ['?'], billing: false }),
      );
      return rows.length ? rows.map((r) => `• \`${r.name}\`: \`${r.question}\``).join('\n') : 'No saved questions in this channel yet: `save <name> <question>`.';
    }
    case 'pulse-add': {
      requireAdmin(ctx);
      const { question, reach, instances } = await resolveQuestion(ctx, args.question);
      const channel = args.channelId ?? here;
      requireTarget(ctx, channel, reach);
      const timezone = args.timezone ?? deps.config.instances.get(instances[0]!)!.timezone;
      if (!isValidTimeZone(timezone)) throw new OfnError('BadArguments', `\`${timezone.slice(0, 40)}\` is not an IANA time zone.`);
      const schedule = parseSchedule(args.schedule);
      const next = nextSlot(schedule, timezone, deps.now());
      if (!next) throw new OfnError('BadArguments', `\`${schedule.text}\` would not fire in the next 13 months; choose a schedule that does.`);
      const row = await state
        .insertInto('pulses')
        .values({ question, schedule: schedule.text, timezone, channel_id: channel, only_if_results: args.onlyIfResults, grace_minutes: 360, status: 'active', created_by: ctx.who.userId, last_slot_at: deps.now(), note: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      return `Pulse #${row.id}: \`${question}\` ${schedule.text} (${timezone}) in <#${channel}>${args.onlyIfResults ? ', only when there are results' : ''}. Next: ${next.local.replace('T', ' ')}.`;
    }
    case 'pulse-list': {
      const rows = (await state.selectFrom('pulses').selectAll().where('status', '!=', 'removed').orderBy('id').execute()).filter((p) => {
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
      await state
        .updateTable('pulses')
        .set({ status, note: null, ...(status === 'active' ? { last_slot_at: deps.now() } : {}) })
        .where('id', '=', args.id)
        .execute();
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
      const row = await state
        .insertInto('watches')
        .values({ event: args.event, instance_id: instance, channel_id: channel, status: 'active', created_by: ctx.who.userId, source: 'slack', note: null })
        .onConflict((oc) => oc.columns(['event', 'instance_id', 'channel_id']).doUpdateSet({ status: 'active', note: null }))
        .returning('id')
        .executeTakeFirstOrThrow();
      return `Watch #${row.id}: ${args.event} on ${instance} → <#${channel}>. I announce what appears from now on.`;
    }
    case 'watch-list': {
      const rows = (await state.selectFrom('watches').selectAll().where('status', '!=', 'removed').orderBy('id').execute()).filter((w) => ctx.grant.instances.has(w.instance_id));
      return rows.length ? rows.map((w) => `• #${w.id} ${w.event} on ${w.instance_id} → <#${w.channel_id}> · ${w.status} (${w.source})${w.note ? ` · ${w.note}` : ''}`).join('\n') : 'No watches this channel may see yet: `watch new-shops <instance>`.';
    }
    case 'watch-remove': {
      requireAdmin(ctx);
      const watch = await state.selectFrom('watches').selectAll().where('id', '=', args.id).where('status', '!=', 'removed').executeTakeFirst();
      if (!watch || !ctx.grant.instances.has(watch.instance_id)) throw new OfnError('NotFound', `There is no watch #${args.id} here. \`watch list\` shows them.`);
      if (!mayManage(deps.config, ctx.grant, ctx.who.userId, watch.channel_id, { instances: [watch.instance_id], billing: false })) {
        throw new OfnError('AccessDenied', `Watch #${args.id} posts to <#${watch.channel_id}>, which sees instances you may not manage.`);
      }
      await state.updateTable('watches').set({ status: 'removed' }).where('id', '=', args.id).execute();
      return `Watch #${args.id} removed.`;
    }
  }
}
