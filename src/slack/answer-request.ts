import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import { ask } from '../commands/pipeline.js';
import { globalChartSpec } from '../render/answer-chart.js';
import { globalCsv, globalText } from '../render/global.js';
import { growthCsv, growthText } from '../render/growth.js';
import type { Deps } from '../commands/types.js';
import type { Answer } from '../core/answer.js';
import { OfnError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { chartSpecFor } from '../render/answer-chart.js';
import { renderChart } from '../render/chart.js';
import { answerToCsv } from '../render/csv.js';
import { alignTable, answerTable } from '../render/text.js';
import { requireGrant, type Requester } from '../core/access.js';
import { answerMessage, errorMessage, escapeMrkdwn, helpMessage, textMessage, type SlackMessage } from './blocks.js';
import { postToResponseUrl } from './response-url.js';
import { parseManagement, runManagement } from '../commands/manage.js';
import { COMMANDS, splitWords } from '../commands/index.js';
import { answerSeconds, answersTotal } from '../core/metrics.js';
import { billingCsv, billingMessage } from '../render/billing.js';
import { audit } from '../jobs/runtime.js';
import { cleanForLog } from '../core/log.js';
import type { StateDb } from '../state/store.js';

const KNOWN_HEADS = new Set([...COMMANDS.flatMap((c) => [c.name, ...c.aliases]), 'help', 'billing', 'compare', 'growth', 'save', 'saved', 'pulse', 'watch', 'new', 'top', 'average', 'active', 'count', 'list', 'metrics', 'segments', 'define']);

export interface SlackContext {
  deps: Deps;
  client: WebClient;
  logger: Logger;
  /** The state store: saved questions, pulses, watches, audit. Without it those commands are unavailable. */
  state?: StateDb;
}

/** What the user asked for: the plain answer, or a button's chart / CSV / share. */
export type Intent = 'answer' | 'chart' | 'csv' | 'share';

export interface SlackRequest {
  text: string;
  who: Requester;
  responseUrl: string;
  intent: Intent;
}

function fileBase(answer: Answer): string {
  return answer.question.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 80) || 'answer';
}

/** The figures as plain text, beside every chart (Slack users asked for this since 2017: metabase #4638). */
function figuresAsText(answer: Answer): string {
  const table = answerTable(answer);
  if (!table) return '';
  const text = alignTable(table.header, table.rows.slice(0, 60), table.align);
  // File comments are rendered as mrkdwn like messages: names from a replica are escaped here too.
  return '```\n' + escapeMrkdwn(text.replace(/```/g, "'''").slice(0, 2800)) + '\n```';
}

/**
 * Answers one /ofn request or button click. Runs after ack(): nothing here may delay Slack's 3 s.
 * Access is checked on every request, buttons included; the question is re-parsed, never trusted.
 */
/** Slack escapes &, < and > in command text (should_escape); channel mentions stay as <#C…|name>. */
export function unescapeSlackText(text: string): string {
  return text.replace(/&lt;(#[CG][A-Z0-9]+(\|[^&]*)?)&gt;/g, '<$1>').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export async function answerSlackRequest(ctx: SlackContext, incoming: SlackRequest): Promise<void> {
  const request = { ...incoming, text: unescapeSlackText(incoming.text) };
  const requestId = randomUUID();
  const started = Date.now();
  const log = ctx.logger.child({ requestId, user: request.who.userId, channel: request.who.channelId, intent: request.intent });
  const reply = (message: SlackMessage, inChannel = false) =>
    postToResponseUrl(request.responseUrl, { ...message, response_type: inChannel ? 'in_channel' : 'ephemeral', replace_original: false }, log);
  let outcome = 'answered';
  try {
    const grant = requireGrant(ctx.deps.config, request.who);
    const management = request.intent === 'answer' ? parseManagement(request.text) : undefined;
    if (management) {
      if (!ctx.state) throw new OfnError('BadArguments', 'Pulses, watches and saved questions are unavailable right now: the state database is not reachable. Questions still work; try again in a few minutes.');
      const text = await runManagement({ deps: ctx.deps, state: ctx.state, who: request.who, grant }, management);
      await reply({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 2900) } }] });
      outcome = management.kind;
      return;
    }
    const outcome_ = await ask(ctx.deps, request.text, ctx.state, { grant });
    const inChannel = request.intent === 'share' || (outcome_.kind !== 'help' && outcome_.kind !== 'billing' && 'presentation' in outcome_ && outcome_.presentation.public);
    switch (outcome_.kind) {
      case 'help':
        await reply(helpMessage(outcome_));
        outcome = 'help';
        return;
      case 'answer': {
        const answer = outcome_.answer;
        const wantsChart = request.intent === 'chart' || outcome_.presentation.chart;
        const message = answerMessage(answer, { ephemeral: !inChannel });
        if (request.intent === 'answer' || request.intent === 'share') await reply(message, inChannel);
        if (wantsChart) await uploadChart(ctx, request, answer);
        if (request.intent === 'csv' || (message.truncated && request.intent === 'answer')) await uploadCsv(ctx, request, answer);
        return;
      }
      case 'global': {
        const answer = outcome_.answer;
        const spec = globalChartSpec(answer, ctx.deps.config);
        const context = `${answer.periodLabel}, each instance in its own time zone · \`${answer.question}\``;
        if (request.intent === 'answer' || request.intent === 'share') {
          await reply(textMessage(`${answer.title} · ${answer.results.length} instances`, globalText(answer), context, { ephemeral: !inChannel, question: answer.question, chartable: spec !== undefined }), inChannel);
        }
        if ((request.intent === 'chart' || outcome_.presentation.chart) && spec) {
          const png = await renderChart(spec);
          await uploadFile(ctx, request, { bytes: png, filename: `${answer.question.replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}.png`, title: spec.title, altText: spec.title, comment: `${escapeMrkdwn(spec.title)}\n\`\`\`\n${escapeMrkdwn(globalText(answer).replace(/```/g, "'''").slice(0, 2800))}\n\`\`\`` });
        }
        if (request.intent === 'csv') await uploadFile(ctx, request, { bytes: Buffer.from(globalCsv(answer), 'utf8'), filename: 'answer.csv', title: `${answer.title} (CSV)` });
        outcome = answer.warnings.length ? 'partial' : 'answered';
        return;
      }
      case 'growth': {
        if (request.intent === 'answer' || request.intent === 'share') {
          await reply(textMessage(`Growth · ${outcome_.instances.length} instances`, growthText(outcome_), `${outcome_.periodLabel}, each instance in its own time zone`, { ephemeral: !inChannel, question: outcome_.question }), inChannel);
        }
        if (request.intent === 'csv') await uploadFile(ctx, request, { bytes: Buffer.from(growthCsv(outcome_), 'utf8'), filename: 'growth.csv', title: 'Growth (CSV)' });
        return;
      }
      case 'billing':
        await reply(billingMessage(outcome_), request.intent === 'share');
        await uploadFile(ctx, request, { bytes: Buffer.from(billingCsv(outcome_), 'utf8'), filename: `billing-${outcome_.instance.id}-${outcome_.month}.csv`, title: `Billing ${outcome_.instance.name} ${outcome_.month} (CSV)` });
        outcome = 'billing';
        return;
    }
  } catch (error) {
    if (error instanceof OfnError) {
      outcome = error.code;
      await reply(errorMessage(error.message, error.hint));
    } else {
      outcome = 'error';
      log.error({ err: error }, 'unexpected failure while answering');
      await reply(errorMessage(`Something went wrong while answering. The team can find it in the log under reference ${requestId.slice(0, 8)}.`));
    }
  } finally {
    const ms = Date.now() - started;
    log.info({ question: cleanForLog(request.text).slice(0, 200), outcome, ms }, 'slack request');
    const question = splitWords(request.text)[0]?.toLowerCase().replace(/[^a-z-]/g, '').slice(0, 20) || 'empty';
    // Only known command names become label values (unbounded labels would grow the registry).
    const label = KNOWN_HEADS.has(question) ? question : 'other';
    answersTotal.inc({ question: label, outcome });
    answerSeconds.observe({ question: label }, ms / 1000);
    if (ctx.state) {
      await audit(ctx.state, { userId: request.who.userId, channelId: request.who.channelId, action: `slack.${request.intent}`, question: cleanForLog(request.text), durationMs: ms, outcome }, log);
    }
  }
}

async function uploadFile(ctx: SlackContext, request: SlackRequest, file: { bytes: Buffer; filename: string; title: string; altText?: string; comment?: string }) {
  try {
    await ctx.client.filesUploadV2({
      // A channel id, never a name: without channel_id the file is uploaded but shared nowhere (lightdash #24719).
      channel_id: request.who.channelId,
      file: file.bytes,
      filename: file.filename,
      title: file.title,
      ...(file.altText ? { alt_text: file.altText } : {}),
      ...(file.comment ? { initial_comment: file.comment } : {}),
    });
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code === 'not_in_channel' || code === 'channel_not_found') {
      throw new OfnError('AccessDenied', 'I can’t post files in this channel. Invite me first: `/invite @ofn-insights`.');
    }
    throw error;
  }
}

async function uploadChart(ctx: SlackContext, request: SlackRequest, answer: Answer) {
  const spec = chartSpecFor(answer);
  if (!spec) throw new OfnError('BadArguments', 'A single figure has no chart: add a breakdown such as `by month` or `by shop`.');
  const png = await renderChart(spec);
  await uploadFile(ctx, request, {
    bytes: png,
    filename: `${fileBase(answer)}.png`,
    title: spec.title,
    altText: `${spec.title}. ${answer.kind !== 'scalar' ? `${answer.rows.length} values` : ''}`.slice(0, 1000),
    comment: `${escapeMrkdwn(spec.title)}\n${figuresAsText(answer)}`,
  });
}

async function uploadCsv(ctx: SlackContext, request: SlackRequest, answer: Answer) {
  await uploadFile(ctx, request, {
    bytes: Buffer.from(answerToCsv(answer), 'utf8'),
    filename: `${fileBase(answer)}.csv`,
    title: `${answer.title} · ${answer.instance.name} · ${answer.period.label} (CSV)`,
  });
}

/**
 * Answers a request unless another delivery of it was answered already: Slack redelivers
 * (X-Slack-Retry-Num) and a copy may reach another process. The key is recorded in the state store.
 */
export async function answerOnce(ctx: SlackContext, key: string, request: SlackRequest): Promise<void> {
  if (ctx.state) {
    try {
      const row = await ctx.state.insertInto('seen_requests').values({ key }).onConflict((oc) => oc.column('key').doNothing()).returning('key').executeTakeFirst();
      if (!row) {
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
