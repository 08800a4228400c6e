import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_SLACK_IDENTITY, startFakeSlack, type FakeSlack } from './support/fake-slack.js';

const { WebClient, LogLevel } = webApi;
const BOT_TOKEN = 'xoxb-test-token';
const CHANNEL = 'C0123ABCD';

let fake: FakeSlack;

beforeEach(async () => {
  fake = await startFakeSlack({ botToken: BOT_TOKEN });
});

afterEach(async () => {
  await fake.close();
});

function client(token = BOT_TOKEN): InstanceType<typeof WebClient> {
  return new WebClient(token, {
    slackApiUrl: fake.url,
    logLevel: LogLevel.ERROR,
    retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 },
  });
}

function callsTo(method: string) {
  return fake.calls.filter((call) => call.method === method);
}

describe('fake Slack Web API', () => {
  it('answers auth.test with the bot identity', async () => {
    const result = await client().auth.test();
    expect(result).toMatchObject({
      ok: true,
      team_id: FAKE_SLACK_IDENTITY.teamId,
      user_id: FAKE_SLACK_IDENTITY.userId,
      bot_id: FAKE_SLACK_IDENTITY.botId,
    });
  });

  it('records chat.postMessage with its blocks decoded and the token header', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Turnover* €12,345.67' } }];
    const first = await client().chat.postMessage({ channel: CHANNEL, text: 'Turnover €12,345.67', blocks });
    const second = await client().chat.postMessage({ channel: CHANNEL, text: 'again' });

    expect(first).toMatchObject({ ok: true, channel: CHANNEL, message: { text: 'Turnover €12,345.67', blocks } });
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    const [call] = callsTo('chat.postMessage');
    expect(call).toMatchObject({ ok: true, status: 200, body: { channel: CHANNEL, text: 'Turnover €12,345.67', blocks } });
    expect(call?.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(call?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('accepts JSON bodies too', async () => {
    const response = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: CHANNEL, text: 'hi', blocks: [{ type: 'divider' }] }),
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ ok: true, channel: CHANNEL });
    expect(callsTo('chat.postMessage')[0]?.body).toMatchObject({ blocks: [{ type: 'divider' }] });
  });

  it('updates a posted message and posts ephemeral ones', async () => {
    const web = client();
    const posted = await web.chat.postMessage({ channel: CHANNEL, text: 'Working on it…' });
    const updated = await web.chat.update({ channel: CHANNEL, ts: posted.ts!, text: 'Done' });
    expect(updated).toMatchObject({ ok: true, channel: CHANNEL, ts: posted.ts, text: 'Done' });
    await expect(web.chat.update({ channel: CHANNEL, ts: '1.000001', text: 'x' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });

    const ephemeral = await web.chat.postEphemeral({ channel: CHANNEL, user: 'U0123', text: 'Only you' });
    expect(ephemeral.ok).toBe(true);
    expect(ephemeral.message_ts).toMatch(/^\d+\.\d{6}$/);
  });

  it('answers conversations.info with a channel', async () => {
    const result = await client().conversations.info({ channel: CHANNEL });
    expect(result.channel).toMatchObject({ id: CHANNEL, is_member: true });
  });

  it('rejects more blocks than Slack allows', async () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    await expect(client().chat.postMessage({ channel: CHANNEL, text: 'x', blocks })).rejects.toMatchObject({
      data: { error: 'invalid_blocks' },
    });
  });

  it('uploads a file the filesUploadV2 way: URL, bytes, completion', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5]);
    const result = await client().filesUploadV2({
      channel_id: CHANNEL,
      file: png,
      filename: 'turnover.png',
      alt_text: 'Turnover chart',
      initial_comment: 'Turnover · Katuma',
    });

    expect(fake.calls.map((call) => call.method)).toEqual(['files.getUploadURLExternal', 'files.completeUploadExternal']);
    const [getUrl, complete] = fake.calls;
    expect(getUrl?.body).toMatchObject({ filename: 'turnover.png', length: String(png.length), alt_text: 'Turnover chart' });
    expect(complete?.body).toMatchObject({ channel_id: CHANNEL, initial_comment: 'Turnover · Katuma' });

    expect(fake.uploads).toHaveLength(1);
    const [upload] = fake.uploads;
    expect(upload?.bytes.equals(png)).toBe(true);
    expect(upload?.filename).toBe('turnover.png');
    expect(upload?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    // The bytes arrive after the URL is handed out and before the upload is completed.
    expect(upload!.at).toBeGreaterThanOrEqual(getUrl!.at);
    expect(upload!.at).toBeLessThanOrEqual(complete!.at);
    expect(complete?.body.files).toEqual([{ id: upload?.fileId, title: 'turnover.png' }]);

    expect(fake.sharedFiles).toEqual([
      expect.objectContaining({
        fileId: upload?.fileId,
        channelId: CHANNEL,
        altText: 'Turnover chart',
        initialComment: 'Turnover · Katuma',
      }),
    ]);
    expect(result.ok).toBe(true);
  });

  it('refuses to complete an upload whose bytes never arrived, or into a channel name', async () => {
    const web = client();
    const { file_id } = await web.files.getUploadURLExternal({ filename: 'a.png', length: 3 });
    await expect(web.files.completeUploadExternal({ files: [{ id: file_id! }], channel_id: CHANNEL })).rejects.toMatchObject({
      data: { error: 'file_not_found' },
    });
    await expect(
      web.filesUploadV2({ channel_id: '#general', file: Buffer.from('abc'), filename: 'a.png' }),
    ).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
  });

  it('lets the client retry a failed upload POST', async () => {
    fake.failNext('upload', { kind: 'http', status: 503 });
    await client().filesUploadV2({ channel_id: CHANNEL, file: Buffer.from('chart'), filename: 'chart.png' });
    expect(fake.uploads).toHaveLength(1);
    expect(fake.sharedFiles).toHaveLength(1);
  });

  it('rate-limits with Retry-After, which the client honours before its one retry', async () => {
    fake.failNext('chat.postMessage', { kind: 'ratelimited', retryAfter: 1 });
    await client().chat.postMessage({ channel: CHANNEL, text: 'Digest' });

    const attempts = callsTo('chat.postMessage');
    expect(attempts.map((call) => call.status)).toEqual([429, 200]);
    expect(attempts.filter((call) => call.ok)).toHaveLength(1);
    // A lower bound, not a duration check: the client must have waited the second Slack asked for.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it('retries HTTP errors but not ok:false answers', async () => {
    fake.failNext('chat.postMessage', { kind: 'http', status: 500 });
    await client().chat.postMessage({ channel: CHANNEL, text: 'after a 500' });
    expect(callsTo('chat.postMessage').map((call) => call.status)).toEqual([500, 200]);

    fake.failNext('chat.postMessage', { kind: 'error', error: 'not_in_channel' }, 2);
    await expect(client().chat.postMessage({ channel: CHANNEL, text: 'x' })).rejects.toMatchObject({
      code: webApi.ErrorCode.PlatformError,
      data: { error: 'not_in_channel' },
    });
    expect(callsTo('chat.postMessage')).toHaveLength(3);
    // The second scripted failure is still waiting for the next call.
    await expect(client().chat.postMessage({ channel: CHANNEL, text: 'x' })).rejects.toMatchObject({
      data: { error: 'not_in_channel' },
    });
    await client().chat.postMessage({ channel: CHANNEL, text: 'now it works' });
  });

  it('gives up after the retries the client allows', async () => {
    fake.failNext('chat.postMessage', { kind: 'http', status: 502 }, 3);
    await expect(client().chat.postMessage({ channel: CHANNEL, text: 'x' })).rejects.toMatchObject({
      code: webApi.ErrorCode.HTTPError,
      statusCode: 502,
    });
    expect(callsTo('chat.postMessage').filter((call) => call.ok)).toHaveLength(0);
  });

  it('rejects a bad token and an unknown method', async () => {
    await expect(client('xoxb-wrong').chat.postMessage({ channel: CHANNEL, text: 'x' })).rejects.toMatchObject({
      data: { error: 'invalid_auth' },
    });
    expect(callsTo('chat.postMessage')[0]?.ok).toBe(false);
    await expect(client().apiCall('users.list')).rejects.toMatchObject({ data: { error: 'unknown_method' } });
  });
});

describe('fake response_url', () => {
  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('records JSON posts the way Bolt respond() sends them', async () => {
    const url = fake.responseUrl('cmd1');
    const response = await post(url, { response_type: 'in_channel', text: 'Turnover', blocks: [{ type: 'divider' }] });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    expect(fake.responses).toEqual([
      expect.objectContaining({ path: '/response/cmd1', status: 200, body: expect.objectContaining({ text: 'Turnover' }) }),
    ]);
    expect(fake.responseUrl()).not.toBe(fake.responseUrl());
  });

  it('fails posts as scripted and after five posts to one URL', async () => {
    const url = fake.responseUrl();
    fake.failNextResponse({ kind: 'http', status: 500 });
    fake.failNextResponse({ kind: 'error', error: 'expired_url' });
    expect((await post(url, { text: 'a' })).status).toBe(500);
    const expired = await post(url, { text: 'b' });
    expect(expired.status).toBe(404);
    expect(await expired.text()).toBe('expired_url');

    for (let i = 0; i < 5; i++) expect((await post(url, { text: `post ${i}` })).status).toBe(200);
    expect((await post(url, { text: 'sixth' })).status).toBe(404);
  });

  it('waitFor resolves with what the predicate found, and times out otherwise', async () => {
    setTimeout(() => void post(fake.responseUrl('later'), { text: 'eventually' }), 20);
    const found = await fake.waitFor(() => fake.responses.find((r) => r.path === '/response/later'));
    expect(found.body.text).toBe('eventually');
    await expect(fake.waitFor(() => false, 50)).rejects.toThrow(/within 50 ms/);
  });
});
