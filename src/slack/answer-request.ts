import { randomUUID } from 'node:crypto';
import { ask } from '../commands/pipeline.js';
import { routeTable, splitWords } from '../commands/index.js';
import type { Deps } from '../commands/types.js';
import { requireGrant, type Requester } from '../core/access.js';
import { errorWords, OfnError } from '../core/errors.js';
import { cleanForLog } from '../core/log.js';
import { answerSeconds, answersTotal } from '../core/telemetry.js';
import type { Outcome } from '../core/outcome.js';
import { t } from '../core/i18n.js';
import { chartSpecOf } from '../render/answer-chart.js';
import { renderChart } from '../render/chart.js';
import { chartFilename, csvFile } from '../render/csv.js';
import { errorMessage, escapeMrkdwn, figuresComment, slackMessage, type SlackMessage } from '../render/slack-message.js';
import { audit } from '../state/audit.js';
import { firstSighting } from '../state/seen-requests.js';
import { notifyOps } from '../jobs/ops-notices.js';
import { postDashboard } from './dashboard-post.js';
import { answerHome, type HomeContext } from './home.js';
import { postToResponseUrl } from './response-url.js';

/** What answering needs: the same as the Home tab (slack/home.ts). */
export type SlackContext = HomeContext;

/** What the user asked for: the plain answer, or a button's chart / CSV / share; the Home tab (opened or refreshed) or one of its dashboard buttons. */
export type Intent = 'answer' | 'chart' | 'csv' | 'share' | 'home' | 'home-refresh' | 'home-dashboard';

export interface SlackRequest {
  text: string;
  who: Requester;
  responseUrl: string;
  intent: Intent;
  /** A button on a message the whole channel sees (not an ephemeral answer). */
  inSharedMessage?: boolean;
}

/** Slack escapes &, < and > in command text (should_escape); channel mentions stay as <#C…|name>. */
export function unescapeSlackText(text: string): string {
  return text.replace(/&lt;(#[CG][A-Z0-9]+(\|[^&]*)?)&gt;/g, '<$1>').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Answers one /ofn request or button click. Runs after ack(): nothing here may delay Slack's 3 s.
 * Transport only: `ask` decides (access included, buttons too: the question is re-parsed, never
 * trusted), render/ builds the message; this posts it and uploads the chart or CSV.
 */
export async function answerSlackRequest(ctx: SlackContext, incoming: SlackRequest): Promise<void> {
  if (incoming.intent === 'home' || incoming.intent === 'home-refresh' || incoming.intent === 'home-dashboard') return answerHome(ctx, incoming);
  const request = { ...incoming, text: unescapeSlackText(incoming.text) };
  const requestId = randomUUID();
  const started = Date.now();
  const log = ctx.logger.child({ requestId, user: request.who.userId, channel: request.who.channelId, intent: request.intent });
  const reply = (message: SlackMessage, inChannel = false) =>
    postToResponseUrl(request.responseUrl, { ...message, response_type: inChannel ? 'in_channel' : 'ephemeral', replace_original: false }, log);
  let result = 'answered';
  try {
    const grant = requireGrant(ctx.deps.config, request.who);
    const outcome = await ask(ctx.deps, request.text, ctx.state, { grant, who: request.who });
    result = outcomeLabel(outcome);
    const inChannel = request.intent === 'share' || ('presentation' in outcome && outcome.presentation.public);
    if (outcome.kind === 'dashboard') {
      // Charts uploaded first and shown by file id, then the message (docs/dashboards.md).
      const sent = await postDashboard(ctx, outcome, async (message) => {
        const posted = await reply(message, inChannel);
        return posted.ok ? { ok: true } : { ok: false, error: `HTTP ${posted.status}` };
      });
      if (sent.failed) {
        // Never reported as sent: the asker hears Slack's words, and so does the ops channel.
        result = 'failed';
        log.error({ dashboard: outcome.name, error: sent.failed }, 'dashboard: Slack refused the message');
        await reply(errorMessage(`Slack refused the dashboard \`${outcome.name}\` (${sent.failed}${sent.posted ? `, after ${sent.posted} of its messages` : ''}). The team has been told; each of its questions can still be asked alone.`));
        if (ctx.state) await notifyOps(ctx.state, ctx.deps, `dashboard:${requestId}`, { what: `Dashboard \`${outcome.name}\` asked by <@${request.who.userId}> in <#${request.who.channelId}> was not posted`, why: sent.failed, todo: 'Ask it again; if Slack keeps refusing it, report this notice (the request is in the log under the same time).' }, log).catch(() => undefined);
      }
      return;
    }
    // An answer only the asker sees is in their language (its chart too); one the channel sees, in the instance's.
    // A management reply (notice) is only ever the asker's: in their language even when they typed `public`.
    const language = inChannel && outcome.kind !== 'notice' ? undefined : await ctx.userLanguage?.(request.who.userId);
    const spec = chartSpecOf(outcome, ctx.deps.config, language);
    const message = slackMessage(outcome, { ephemeral: !inChannel, chartable: spec !== undefined, ...(language ? { language } : {}) });
    // Files of a private answer go to the asker alone (our DM), never to the channel, until shared.
    const filesPublic = inChannel || request.inSharedMessage === true;
    const upload = async (file: UploadedFile) => {
      const link = await uploadFile(ctx, request, file, filesPublic);
      if (link) await reply({ text: `:lock: ${t(language ?? 'en', 'slack.fileInDm', { title: file.title, link })}`, blocks: [] });
    };
    if (request.intent === 'answer' || request.intent === 'share') await reply(message, inChannel && outcome.kind !== 'notice' && outcome.kind !== 'help');
    const wantsChart = request.intent === 'chart' || ('presentation' in outcome && outcome.presentation.chart);
    if (wantsChart && !spec && (request.intent === 'chart' || outcome.kind === 'answer')) {
      throw OfnError.say('BadArguments', 'error.noChart');
    }
    if (wantsChart && spec) {
      await upload({
        bytes: await renderChart(spec),
        filename: chartFilename(outcome),
        title: spec.title,
        altText: `${spec.title}. ${spec.labels.length} values`.slice(0, 1000),
        comment: figuresComment(spec.title, outcome, language),
      });
    }
    // The full table goes as a CSV when asked, when the message had to cut it, and always with billing.
    if (request.intent === 'csv' || (request.intent !== 'chart' && (message.truncated || outcome.kind === 'billing' || outcome.kind === 'billing-all'))) {
      const file = csvFile(outcome);
      await upload({ bytes: Buffer.from(file.text, 'utf8'), filename: file.filename, title: file.title });
    }
  } catch (error) {
    // Only the asker sees an error: in their language where Slack gives one (cached), else English.
    const language = (await ctx.userLanguage?.(request.who.userId).catch(() => undefined)) ?? 'en';
    if (error instanceof OfnError) {
      result = error.code;
      const { message, hint } = errorWords(error, language);
      await reply(errorMessage(message, hint));
    } else {
      result = 'error';
      log.error({ err: error }, 'unexpected failure while answering');
      await reply(errorMessage(t(language, 'error.unexpected', { ref: requestId.slice(0, 8) })));
    }
  } finally {
    const ms = Date.now() - started;
    log.info({ question: cleanForLog(request.text).slice(0, 200), outcome: result, ms }, 'slack request');
    const label = questionLabel(ctx.deps, request.text);
    answersTotal.inc({ question: label, outcome: result });
    answerSeconds.observe({ question: label }, ms / 1000);
    if (ctx.state) {
      await audit(ctx.state, { userId: request.who.userId, channelId: request.who.channelId, action: `slack.${request.intent}`, question: request.text, durationMs: ms, outcome: result }, log);
    }
  }
}

interface UploadedFile {
  bytes: Buffer;
  filename: string;
  title: string;
  altText?: string;
  comment?: string;
}

/**
 * Uploads a file into the channel (a public answer) or into the asker's direct messages with the bot
 * (a private one); for the latter, returns a link to it for the ephemeral reply.
 */
async function uploadFile(ctx: SlackContext, request: SlackRequest, file: UploadedFile, inChannel: boolean): Promise<string | undefined> {
  const privately = !inChannel && !request.who.channelId.startsWith('D');
  try {
    const channel = privately ? (await ctx.client.conversations.open({ users: request.who.userId })).channel?.id : request.who.channelId;
    if (!channel) throw OfnError.say('AccessDenied', 'error.noDirectMessage');
    const result = (await ctx.client.filesUploadV2({
      // A channel id, never a name: without channel_id the file is uploaded but shared nowhere (lightdash #24719).
      channel_id: channel,
      file: file.bytes,
      filename: file.filename,
      title: file.title,
      ...(file.altText ? { alt_text: file.altText } : {}),
      ...(file.comment ? { initial_comment: file.comment } : {}),
    })) as { files?: { files?: { id?: string }[] }[] };
    if (!privately) return undefined;
    const id = result.files?.[0]?.files?.[0]?.id;
    const info = id ? await ctx.client.files.info({ file: id }).catch(() => undefined) : undefined;
    const permalink = (info?.file as { permalink?: string } | undefined)?.permalink;
    return permalink ? `<${permalink}|${escapeMrkdwn(file.filename)}>` : `\`${escapeMrkdwn(file.filename)}\``;
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code === 'not_in_channel' || code === 'channel_not_found') {
      throw OfnError.say('AccessDenied', 'error.noFilesHere');
    }
    throw error;
  }
}

/**
 * Answers a request unless another delivery of it was answered already: Slack redelivers
 * (X-Slack-Retry-Num) and a copy may reach another process. The key is recorded in the state store.
 */
export async function answerOnce(ctx: SlackContext, key: string, request: SlackRequest): Promise<void> {
  if (ctx.state) {
    try {
      if (!(await firstSighting(ctx.state, key))) {
        ctx.logger.info({ key }, 'duplicate delivery of a request; already answered');
        return;
      }
    } catch (error) {
      // The state store being down must not stop answers: answer, possibly twice.
      ctx.logger.warn({ err: (error as Error).message }, 'cannot record the request key; answering anyway');
    }
  }
  await answerSlackRequest(ctx, request);
}

function outcomeLabel(outcome: Outcome): string {
  if (outcome.kind === 'notice') return outcome.action;
  if (outcome.kind === 'global') return outcome.answer.warnings.length ? 'partial' : 'answered';
  if (outcome.kind === 'growth') return outcome.warnings.length ? 'partial' : 'answered';
  return outcome.kind === 'answer' ? 'answered' : outcome.kind;
}

/** The route's first word as a metric label; only known names (unbounded labels would grow the registry). */
function questionLabel(deps: Deps, text: string): string {
  const word = splitWords(text)[0]?.toLowerCase().replace(/[^a-z-]/g, '').slice(0, 20) || 'empty';
  const known = [...routeTable(deps.config.registry).names.keys()].some((name) => name === word || name.startsWith(`${word}-`));
  return known ? word : 'other';
}
