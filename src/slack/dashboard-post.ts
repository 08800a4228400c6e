import type { WebClient } from '@slack/web-api';
import type { Deps } from '../commands/types.js';
import type { Logger } from '../core/log.js';
import type { DashboardOutcome } from '../core/outcome.js';
import { dashboardChartFiles, type DashboardFile } from '../jobs/dashboard-charts.js';
import { dashboardMessages, type ChartRef } from '../render/dashboard.js';
import { contextLine, escapeMrkdwn } from '../render/mrkdwn.js';
import { slackMessage, type SlackMessage } from '../render/slack-message.js';

/**
 * Posting a dashboard from Slack (a command, a Home button): its charts are uploaded first, shared
 * nowhere, and shown in the message as image blocks by file id; then the message (or, past Slack's
 * limits, the few messages) goes out. A chart Slack has not finished processing makes it refuse the
 * message (`invalid_blocks`): the post is tried again, then sent without the charts, saying so.
 */

/** Uploads a file without sharing it anywhere: the message that shows it is its only place. */
export async function uploadUnshared(client: WebClient, file: DashboardFile): Promise<string> {
  const result = (await client.filesUploadV2({ file: file.bytes, filename: file.filename, title: file.title, alt_text: file.altText })) as { files?: { files?: { id?: string }[] }[] };
  const id = result.files?.[0]?.files?.[0]?.id;
  if (!id) throw new Error('files.completeUploadExternal returned no file id');
  return id;
}

export interface PostResult {
  ok: boolean;
  /** Slack's own word for a refusal (`invalid_blocks`, `not_in_channel` …) or the HTTP status. */
  error?: string;
}

/** Without its image blocks, saying why (the figures are all in the text). */
function withoutCharts(message: SlackMessage, why: string): SlackMessage {
  const blocks = message.blocks.filter((b) => b.type !== 'image');
  return blocks.length === message.blocks.length ? message : { ...message, blocks: [...blocks.slice(0, 48), contextLine(escapeMrkdwn(`Charts not shown: Slack said ${why}. The figures above are complete.`))] };
}

/**
 * Uploads the charts, then posts the dashboard through `post` (response_url, chat.postMessage …).
 * Returns how many messages went out; throws nothing Slack said (the caller reports `failed`).
 */
export async function postDashboard(
  ctx: { deps: Deps; client: WebClient; logger: Logger },
  outcome: DashboardOutcome,
  post: (message: SlackMessage) => Promise<PostResult>,
  options: { retryDelaysMs?: readonly number[] } = {},
): Promise<{ posted: number; failed?: string }> {
  const files = await dashboardChartFiles(ctx.deps, outcome);
  const charts: (ChartRef | undefined)[] = await Promise.all(
    files.map(async (file) => {
      if (!file) return undefined;
      try {
        return { fileId: await uploadUnshared(ctx.client, file), title: file.title, altText: file.altText };
      } catch (error) {
        // A chart that can't be uploaded is left out; its figures are in the message anyway.
        ctx.logger.warn({ err: (error as Error).message, file: file.filename }, 'dashboard: chart upload failed; posting without it');
        return undefined;
      }
    }),
  );
  const messages = dashboardMessages(outcome, { charts, messageOf: (o) => slackMessage(o, { ephemeral: false, digest: true }) });
  const delays = options.retryDelaysMs ?? [1_500, 3_000];
  let posted = 0;
  for (const message of messages) {
    let result = await post(message);
    const hasImages = message.blocks.some((b) => b.type === 'image');
    for (let i = 0; !result.ok && hasImages && i < delays.length; i++) {
      // A file uploaded a moment ago may not be processed yet (slackapi/python-slack-sdk #1521): wait and try again.
      await new Promise((resolve) => setTimeout(resolve, delays[i]));
      result = await post(message);
    }
    if (!result.ok && hasImages) result = await post(withoutCharts(message, result.error ?? 'nothing'));
    if (!result.ok) return { posted, failed: result.error ?? 'unknown error' };
    posted++;
  }
  return { posted };
}
