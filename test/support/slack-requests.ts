import { createHmac } from 'node:crypto';

/** Signs a body exactly as Slack does: v0=hex(HMAC-SHA256(secret, `v0:${timestamp}:${body}`)). */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignedPost {
  status: number;
  body: string;
  ms: number;
}

export async function postSigned(
  url: string,
  body: string,
  secret: string,
  options: { timestamp?: number; signature?: string; contentType?: string } = {},
): Promise<SignedPost> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? slackSignature(secret, timestamp, body),
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text, ms: performance.now() - started };
}

let triggers = 0;
/** Slack's trigger ids are unique per interaction; the bot deduplicates redeliveries on them. */
const triggerId = () => `${Date.now()}.${process.pid}.${++triggers}${Math.random().toString(16).slice(2, 8)}`;

/** The form body Slack posts for `/ofn <text>`. */
export function slashCommandBody(text: string, who: { channelId: string; userId: string; responseUrl: string }): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0FAKE0001',
    team_domain: 'ofn',
    channel_id: who.channelId,
    channel_name: 'ops',
    user_id: who.userId,
    user_name: 'operator',
    command: '/ofn',
    text,
    api_app_id: 'A0OFNINSIGHTS',
    is_enterprise_install: 'false',
    response_url: who.responseUrl,
    trigger_id: triggerId(),
  }).toString();
}

/** The form body Slack posts when a button is clicked (block_actions). */
export function buttonClickBody(actionId: string, value: string, who: { channelId: string; userId: string; responseUrl: string }): string {
  const payload = {
    type: 'block_actions',
    team: { id: 'T0FAKE0001', domain: 'ofn' },
    user: { id: who.userId, username: 'operator', team_id: 'T0FAKE0001' },
    api_app_id: 'A0OFNINSIGHTS',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: who.channelId, is_ephemeral: true },
    trigger_id: triggerId(),
    channel: { id: who.channelId, name: 'ops' },
    response_url: who.responseUrl,
    actions: [{ action_id: actionId, block_id: 'b1', value, type: 'button', action_ts: `${Date.now() / 1000}` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The JSON body Slack posts for an Events API event (`app_home_opened` …), to be signed like any other. */
export function eventBody(event: Record<string, unknown>): string {
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: 'T0FAKE0001',
    api_app_id: 'A0OFNINSIGHTS',
    event,
    type: 'event_callback',
    event_id: `Ev${triggerId().replace(/[^A-Za-z0-9]/g, '').slice(0, 20)}`,
    event_time: Math.floor(Date.now() / 1000),
  });
}

/** `app_home_opened` for a user's Home tab. */
export function homeOpenedBody(userId: string): string {
  return eventBody({ type: 'app_home_opened', user: userId, channel: `D${userId.slice(1)}`, tab: 'home', event_ts: `${Date.now() / 1000}` });
}

/** A click on a Home tab button (block_actions from a view: no channel, no response_url). */
export function homeButtonBody(actionId: string, value: string, userId: string): string {
  const payload = {
    type: 'block_actions',
    team: { id: 'T0FAKE0001', domain: 'ofn' },
    user: { id: userId, username: 'operator', team_id: 'T0FAKE0001' },
    api_app_id: 'A0OFNINSIGHTS',
    token: 'legacy-verification-token',
    container: { type: 'view', view_id: 'V0FAKE1' },
    trigger_id: triggerId(),
    view: { id: 'V0FAKE1', type: 'home' },
    actions: [{ action_id: actionId, block_id: 'b1', value, type: 'button', action_ts: `${Date.now() / 1000}` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
