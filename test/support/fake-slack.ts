/**
 * A local HTTP server that speaks the Slack Web API's wire format, so tests run the real
 * `@slack/bolt` App and `@slack/web-api` WebClient against it (Slack itself cannot be reached here).
 *
 * Wire facts it follows, read from @slack/web-api 8 (`dist/WebClient.js`):
 * - Method calls are POSTs to `<slackApiUrl><method>`, form-encoded; any argument that is not a
 *   string/number/boolean (blocks, files, attachments) is sent as a JSON string inside the form.
 * - The token travels as `Authorization: Bearer …` (or as a `token` argument, which Slack also accepts).
 * - `filesUploadV2` = `files.getUploadURLExternal` (filename, length, alt_text) → a POST of the bytes
 *   to `upload_url` as multipart/form-data with one file part named `body` (the Authorization header
 *   goes along) → `files.completeUploadExternal` (files=[{id,title}], channel_id, initial_comment).
 * - HTTP 429 with `Retry-After` is retried by the client itself after that many seconds; any other
 *   non-200 status is retried by its p-retry policy; `{ok:false}` answers are never retried.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  /** Epoch milliseconds with sub-millisecond precision, so calls in the same millisecond still order. */
  at: number;
  /** The HTTP status the fake answered with. */
  status: number;
  /** True when the fake answered 200 with `ok: true`, i.e. the call took effect. */
  ok: boolean;
}

export interface RecordedResponse {
  /** `/response/<id>` */
  path: string;
  /** The posted message as parsed JSON; `any` because tests reach into arbitrary payloads (blocks, replace_original). */
  body: any;
  at: number;
  status: number;
}

export interface RecordedUpload {
  fileId: string;
  bytes: Buffer;
  /** The filename given to files.getUploadURLExternal. */
  filename: string;
  /** The upload request's headers (multipart content-type; WebClient sends its Authorization header along). */
  headers: Record<string, string | string[] | undefined>;
  at: number;
}

/** A file that files.completeUploadExternal finished, with where it was shared. */
export interface SharedFile {
  fileId: string;
  filename: string;
  title: string | undefined;
  altText: string | undefined;
  /** Undefined when completed without channel_id: uploaded but shared nowhere. */
  channelId: string | undefined;
  initialComment: string | undefined;
  threadTs: string | undefined;
  bytes: Buffer;
  at: number;
}

/** A view published to a user's App Home tab. */
export interface PublishedView {
  userId: string;
  /** The view as sent (`type: 'home'`, `blocks`). */
  view: any;
  at: number;
}

export type ScriptedFailure =
  /** The call takes effect (the message is posted) but its response never arrives: a crash or a cut connection. */
  | { kind: 'lost-response' }
  | { kind: 'ratelimited'; retryAfter: number }
  | { kind: 'http'; status: number }
  | { kind: 'error'; error: string };

export interface FakeSlack {
  /** Base for WebClient's slackApiUrl, ending with '/api/'. */
  url: string;
  /** Every Web API call, in order, including the ones the fake failed on purpose. */
  calls: RecordedCall[];
  /** Posts to response_url endpoints, in order, including failed ones. */
  responses: RecordedResponse[];
  /** Bytes posted to upload URLs. */
  uploads: RecordedUpload[];
  /** Files completed by files.completeUploadExternal. */
  sharedFiles: SharedFile[];
  /** Home tabs published with views.publish, in order. */
  homeViews: PublishedView[];
  /** A response_url on this server to put in a slash command payload. */
  responseUrl(id?: string): string;
  /**
   * Script failures: the next `times` calls to `method` get HTTP 429 with Retry-After `retryAfter`
   * seconds, or HTTP `status`, or `{ok:false,error}`. `method` 'upload' scripts the upload URL POSTs.
   */
  failNext(method: string, failure: ScriptedFailure, times?: number): void;
  /** The Slack language users.info reports for a user (include_locale), e.g. `fr-FR`. */
  setUserLocale(userId: string, locale: string): void;
  /** Every call to `method` fails this way until `untilMs` (epoch ms): a storm, an outage. */
  failUntil(method: string, failure: ScriptedFailure, untilMs: number): void;
  /** Same for response_url posts ('error' answers HTTP 404 for expired_url/used_url, else 400, with the error as text). */
  failNextResponse(failure: ScriptedFailure, times?: number): void;
  /** Polls `predicate` until it returns a truthy value and resolves with it; rejects after `timeoutMs` (default 5 s). */
  waitFor<T>(predicate: () => T | undefined | false | null, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** The workspace and bot that auth.test reports. */
export const FAKE_SLACK_IDENTITY = Object.freeze({
  teamId: 'T0FAKE0001',
  teamName: 'OFN Test',
  userId: 'U0FAKEBOT1',
  userName: 'ofn-insights',
  botId: 'B0FAKEBOT1',
});

/** Pseudo method name under which upload URL POSTs can be failed with failNext. */
export const UPLOAD_METHOD = 'upload';

// Arguments Slack takes as JSON inside a form field; decoded so tests can inspect them as objects.
const JSON_FIELDS = new Set(['blocks', 'attachments', 'files', 'metadata', 'user_auth_blocks', 'view']);
// Slack's documented limits, enforced so layout bugs fail in tests instead of in production.
const MAX_BLOCKS = 50;
const MAX_HOME_BLOCKS = 100;
const MAX_SECTION_TEXT = 3000;
const MAX_HEADER_TEXT = 150;
const MAX_FIELDS = 10;
const MAX_FIELD_TEXT = 2000;
// The table block: at most 100 rows of 20 cells, raw_text or rich_text, and one table block a message.
const MAX_TABLE_ROWS = 100;
const MAX_TABLE_CELLS = 20;
const MAX_TEXT = 40_000;
// response_url accepts up to 5 posts (within 30 minutes).
const MAX_POSTS_PER_RESPONSE_URL = 5;

const now = (): number => performance.timeOrigin + performance.now();

interface PendingUpload {
  fileId: string;
  filename: string;
  length: number;
  altText: string | undefined;
  bytes: Buffer | undefined;
  completed: boolean;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function okAnswer(body: Record<string, unknown>): Answer {
  return { status: 200, body: { ok: true, ...body } };
}

function errorAnswer(error: string, extra: Record<string, unknown> = {}): Answer {
  return { status: 200, body: { ok: false, error, ...extra } };
}

async function readBody(request: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function decodeJsonFields(fields: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(fields)) {
    if (JSON_FIELDS.has(key) && typeof value === 'string') {
      try {
        fields[key] = JSON.parse(value);
      } catch {
        // Left as sent; the method handler answers invalid_arguments where it matters.
      }
    }
  }
  return fields;
}

/** Parses a multipart body with undici's own parser (the one behind fetch), so no dependency is needed. */
async function parseMultipart(raw: Buffer, contentType: string): Promise<FormData> {
  return new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
}

async function parseArguments(request: http.IncomingMessage, raw: Buffer): Promise<Record<string, unknown>> {
  const contentType = request.headers['content-type'] ?? '';
  const query = new URL(request.url ?? '/', 'http://fake').searchParams;
  const fields: Record<string, unknown> = Object.fromEntries(query);
  if (contentType.startsWith('application/json')) {
    const parsed: unknown = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(fields, parsed);
  } else if (contentType.startsWith('multipart/form-data')) {
    const form = await parseMultipart(raw, contentType);
    for (const [key, value] of form) {
      fields[key] = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer());
    }
  } else if (raw.length > 0) {
    Object.assign(fields, Object.fromEntries(new URLSearchParams(raw.toString('utf8'))));
  }
  return decodeJsonFields(fields);
}

function bearerToken(request: http.IncomingMessage, body: Record<string, unknown>): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length);
  return typeof body.token === 'string' ? body.token : undefined;
}

function failureAnswer(failure: ScriptedFailure): Answer {
  switch (failure.kind) {
    case 'lost-response':
      return { status: 0, body: '' };
    case 'ratelimited':
      return {
        status: 429,
        body: { ok: false, error: 'ratelimited' },
        headers: { 'retry-after': String(failure.retryAfter) },
      };
    case 'http':
      return { status: failure.status, body: http.STATUS_CODES[failure.status] ?? 'error' };
    case 'error':
      return errorAnswer(failure.error);
  }
}

/**
 * Checks what Slack checks about blocks; returns the error Slack would answer, if any. `fileKnown`
 * says whether an image block's `slack_file` id names a file whose upload was completed.
 */
function blocksError(blocks: unknown, fileKnown: (id: string) => boolean, maxBlocks = MAX_BLOCKS, surface: 'message' | 'home' = 'message'): string | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) return 'invalid_blocks_format';
  if (blocks.length > maxBlocks) return 'invalid_blocks';
  let tables = 0;
  for (const block of blocks as { type?: unknown; text?: { text?: unknown }; fields?: unknown; rows?: unknown; slack_file?: { id?: unknown }; image_url?: unknown }[]) {
    if (block === null || typeof block !== 'object' || typeof block.type !== 'string') return 'invalid_blocks';
    if (block.type === 'section' && typeof block.text?.text === 'string' && block.text.text.length > MAX_SECTION_TEXT) {
      return 'invalid_blocks';
    }
    if (block.type === 'section' && block.fields !== undefined) {
      if (!Array.isArray(block.fields) || block.fields.length > MAX_FIELDS) return 'invalid_blocks';
      if ((block.fields as { text?: unknown }[]).some((f) => typeof f?.text !== 'string' || f.text.length > MAX_FIELD_TEXT)) return 'invalid_blocks';
    }
    if (block.type === 'header' && typeof block.text?.text === 'string' && block.text.text.length > MAX_HEADER_TEXT) return 'invalid_blocks';
    if (block.type === 'table') {
      // Tables are for messages only, one a message.
      if (surface !== 'message' || ++tables > 1) return 'invalid_blocks';
      const rows = block.rows;
      if (!Array.isArray(rows) || rows.length === 0 || rows.length > MAX_TABLE_ROWS) return 'invalid_blocks';
      for (const row of rows as unknown[]) {
        if (!Array.isArray(row) || row.length === 0 || row.length > MAX_TABLE_CELLS) return 'invalid_blocks';
        if ((row as { type?: unknown; text?: unknown }[]).some((c) => (c?.type !== 'raw_text' && c?.type !== 'rich_text') || (c.type === 'raw_text' && typeof c.text !== 'string'))) return 'invalid_blocks';
      }
    }
    if (block.type === 'image') {
      const id = block.slack_file?.id;
      if (block.image_url === undefined && (typeof id !== 'string' || !fileKnown(id))) return 'invalid_blocks';
    }
  }
  return undefined;
}

function stringArg(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

export async function startFakeSlack(options: { botToken?: string } = {}): Promise<FakeSlack> {
  const calls: RecordedCall[] = [];
  const responses: RecordedResponse[] = [];
  const uploads: RecordedUpload[] = [];
  const sharedFiles: SharedFile[] = [];
  const homeViews: PublishedView[] = [];
  const scripted = new Map<string, { failure: ScriptedFailure; remaining: number }[]>();
  const failWindows = new Map<string, { failure: ScriptedFailure; until: number }>();
  const pendingUploads = new Map<string, PendingUpload>();
  const messages = new Map<string, Map<string, Record<string, unknown>>>(); // channel → ts → message
  const responseUrlPosts = new Map<string, number>();
  const userLocales = new Map<string, string>();
  const RESPONSE_FAILURES = '\u0000response_url';

  let baseUrl = '';
  let fileCounter = 0;
  let responseUrlCounter = 0;
  let tsCounter = 0;
  const tsSeconds = Math.floor(Date.now() / 1000);
  // Slack's ts is "seconds.micro-sequence"; a counter keeps them unique and increasing within a run.
  const nextTs = (): string => `${tsSeconds}.${String(++tsCounter).padStart(6, '0')}`;

  function takeFailure(key: string): ScriptedFailure | undefined {
    const queue = scripted.get(key);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head.failure;
  }

  function storeMessage(channel: string, ts: string, message: Record<string, unknown>): void {
    let inChannel = messages.get(channel);
    if (!inChannel) messages.set(channel, (inChannel = new Map()));
    inChannel.set(ts, message);
  }

  // A file may be shown by id once its upload is completed, shared in a channel or not.
  const fileKnown = (id: string) => pendingUploads.get(id)?.completed === true;

  function messageContentError(body: Record<string, unknown>): string | undefined {
    const text = body.text;
    if (typeof text === 'string' && text.length > MAX_TEXT) return 'msg_too_long';
    return blocksError(body.blocks, fileKnown);
  }

  const methods: Record<string, (body: Record<string, unknown>) => Answer> = {
    'auth.test': () =>
      okAnswer({
        url: 'https://ofn-test.slack.com/',
        team: FAKE_SLACK_IDENTITY.teamName,
        user: FAKE_SLACK_IDENTITY.userName,
        team_id: FAKE_SLACK_IDENTITY.teamId,
        user_id: FAKE_SLACK_IDENTITY.userId,
        bot_id: FAKE_SLACK_IDENTITY.botId,
        is_enterprise_install: false,
      }),

    'chat.postMessage': (body) => {
      const channel = stringArg(body, 'channel');
      if (!channel) return errorAnswer('channel_not_found');
      if (body.text === undefined && body.blocks === undefined && body.attachments === undefined) {
        return errorAnswer('no_text');
      }
      const contentError = messageContentError(body);
      if (contentError) return errorAnswer(contentError);
      const ts = nextTs();
      const message: Record<string, unknown> = {
        type: 'message',
        user: FAKE_SLACK_IDENTITY.userId,
        bot_id: FAKE_SLACK_IDENTITY.botId,
        text: body.text ?? '',
        ts,
        ...(body.blocks !== undefined ? { blocks: body.blocks } : {}),
        ...(body.thread_ts !== undefined ? { thread_ts: body.thread_ts } : {}),
        ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
      };
      storeMessage(channel, ts, message);
      return okAnswer({ channel, ts, message });
    },

    'chat.postEphemeral': (body) => {
      const channel = stringArg(body, 'channel');
      if (!channel) return errorAnswer('channel_not_found');
      if (!stringArg(body, 'user')) return errorAnswer('user_not_in_channel');
      if (body.text === undefined && body.blocks === undefined && body.attachments === undefined) {
        return errorAnswer('no_text');
      }
      const contentError = messageContentError(body);
      if (contentError) return errorAnswer(contentError);
      return okAnswer({ message_ts: nextTs() });
    },

    'chat.update': (body) => {
      const channel = stringArg(body, 'channel');
      const ts = stringArg(body, 'ts');
      if (!channel) return errorAnswer('channel_not_found');
      const existing = ts ? messages.get(channel)?.get(ts) : undefined;
      if (!ts || !existing) return errorAnswer('message_not_found');
      const contentError = messageContentError(body);
      if (contentError) return errorAnswer(contentError);
      const message = {
        ...existing,
        ...(body.text !== undefined ? { text: body.text } : {}),
        ...(body.blocks !== undefined ? { blocks: body.blocks } : {}),
        edited: { user: FAKE_SLACK_IDENTITY.userId, ts: nextTs() },
      };
      storeMessage(channel, ts, message);
      return okAnswer({ channel, ts, text: message.text, message });
    },

    'files.getUploadURLExternal': (body) => {
      const filename = stringArg(body, 'filename');
      const length = Number(body.length);
      if (!filename || !Number.isInteger(length) || length <= 0) return errorAnswer('invalid_arguments');
      const fileId = `F0FAKE${String(++fileCounter).padStart(5, '0')}`;
      pendingUploads.set(fileId, {
        fileId,
        filename,
        length,
        altText: stringArg(body, 'alt_text'),
        bytes: undefined,
        completed: false,
      });
      return okAnswer({ upload_url: `${baseUrl}upload/v1/${fileId}`, file_id: fileId });
    },

    'files.completeUploadExternal': (body) => {
      const files = body.files;
      if (!Array.isArray(files) || files.length === 0) return errorAnswer('invalid_arguments');
      const channelId = stringArg(body, 'channel_id');
      // Slack wants a channel id here, not a name; a name is a classic cause of files shared nowhere.
      if (channelId !== undefined && !/^[CGD][A-Z0-9]{2,}$/.test(channelId)) return errorAnswer('channel_not_found');
      const entries: { id: string; title: string | undefined; upload: PendingUpload }[] = [];
      for (const entry of files as unknown[]) {
        const id = (entry as { id?: unknown } | null)?.id;
        const upload = typeof id === 'string' ? pendingUploads.get(id) : undefined;
        if (typeof id !== 'string' || !upload || upload.bytes === undefined || upload.completed) {
          return errorAnswer('file_not_found');
        }
        const title = (entry as { title?: unknown }).title;
        entries.push({ id, title: typeof title === 'string' ? title : undefined, upload });
      }
      const at = now();
      for (const { id, title, upload } of entries) {
        upload.completed = true;
        sharedFiles.push({
          fileId: id,
          filename: upload.filename,
          title,
          altText: upload.altText,
          channelId,
          initialComment: stringArg(body, 'initial_comment'),
          threadTs: stringArg(body, 'thread_ts'),
          bytes: upload.bytes!,
          at,
        });
      }
      return okAnswer({
        files: entries.map(({ id, title, upload }) => ({
          id,
          name: upload.filename,
          title: title ?? upload.filename,
          size: upload.bytes!.length,
          ...(channelId ? { channels: [channelId] } : {}),
        })),
      });
    },

    'conversations.history': (body) => {
      const channel = stringArg(body, 'channel');
      if (!channel) return errorAnswer('channel_not_found');
      const oldest = Number(body.oldest ?? 0);
      const list = [...(messages.get(channel)?.values() ?? [])]
        .filter((m) => Number(m.ts) >= oldest)
        .reverse()
        .slice(0, Number(body.limit ?? 100))
        .map((m) => (body.include_all_metadata === 'true' || body.include_all_metadata === true ? m : { ...m, metadata: undefined }));
      return okAnswer({ messages: list, has_more: false });
    },

    // A user's profile; with include_locale, their Slack language (set with setUserLocale, default en-US).
    'users.info': (body) => {
      const user = stringArg(body, 'user');
      if (!user || !/^[UW][A-Z0-9]+$/.test(user)) return errorAnswer('user_not_found');
      const withLocale = body.include_locale === 'true' || body.include_locale === true;
      return okAnswer({ user: { id: user, name: user.toLowerCase(), ...(withLocale ? { locale: userLocales.get(user) ?? 'en-US' } : {}) } });
    },

    // A direct message with the bot: Slack answers the IM channel's id (`D…`).
    'conversations.open': (body) => {
      const users = stringArg(body, 'users');
      if (!users || !/^[UW][A-Z0-9]+$/.test(users)) return errorAnswer('user_not_found');
      return okAnswer({ channel: { id: `D${users.slice(1)}` } });
    },

    'files.info': (body) => {
      const id = stringArg(body, 'file');
      const shared = sharedFiles.find((f) => f.fileId === id);
      if (!shared) return errorAnswer('file_not_found');
      return okAnswer({ file: { id, name: shared.filename, title: shared.title, permalink: `https://fake-slack.test/files/${id}/${encodeURIComponent(shared.filename)}` } });
    },

    'views.publish': (body) => {
      const userId = stringArg(body, 'user_id');
      if (!userId || !/^[UW][A-Z0-9]+$/.test(userId)) return errorAnswer('invalid_arguments');
      const view = body.view as { type?: unknown; blocks?: unknown } | undefined;
      if (!view || typeof view !== 'object' || view.type !== 'home') return errorAnswer('invalid_arguments');
      const error = blocksError(view.blocks, fileKnown, MAX_HOME_BLOCKS, 'home');
      if (error) return errorAnswer(error);
      homeViews.push({ userId, view, at: now() });
      return okAnswer({ view: { id: `V0FAKE${homeViews.length}`, type: 'home', blocks: view.blocks } });
    },

    'conversations.info': (body) => {
      const channel = stringArg(body, 'channel');
      if (!channel) return errorAnswer('channel_not_found');
      return okAnswer({
        channel: {
          id: channel,
          name: `channel-${channel.toLowerCase()}`,
          is_channel: channel.startsWith('C'),
          is_group: false,
          is_im: channel.startsWith('D'),
          is_private: channel.startsWith('G'),
          is_archived: false,
          is_member: true,
        },
      });
    },
  };

  async function handleApiCall(request: http.IncomingMessage, method: string, raw: Buffer): Promise<Answer> {
    let body: Record<string, unknown> = {};
    let answer: Answer;
    try {
      body = await parseArguments(request, raw);
      answer = answerCall(body);
    } catch {
      answer = errorAnswer('invalid_form_data');
    }
    calls.push({
      method,
      body,
      headers: { ...request.headers },
      at: now(),
      status: answer.status,
      // A lost response still took effect: the message is in the channel.
      ok: (answer.status === 200 || answer.status === 0) && (answer.body as { ok?: unknown }).ok === true,
    });
    return answer;

    function answerCall(body: Record<string, unknown>): Answer {
      const window = failWindows.get(method);
      const failure = window && Date.now() < window.until ? window.failure : takeFailure(method);
      if (failure?.kind === 'lost-response') {
        const handler = methods[method];
        const applied = handler ? handler(body) : errorAnswer('unknown_method');
        return { ...applied, status: 0 };
      }
      if (failure) return failureAnswer(failure);
      if (options.botToken !== undefined) {
        const token = bearerToken(request, body);
        if (token === undefined) return errorAnswer('not_authed');
        if (token !== options.botToken) return errorAnswer('invalid_auth');
      }
      const handler = methods[method];
      return handler ? handler(body) : errorAnswer('unknown_method');
    }
  }

  async function handleUpload(request: http.IncomingMessage, fileId: string, raw: Buffer): Promise<Answer> {
    const failure = takeFailure(UPLOAD_METHOD);
    if (failure) return failure.kind === 'error' ? { status: 400, body: failure.error } : failureAnswer(failure);
    const pending = pendingUploads.get(fileId);
    if (!pending) return { status: 404, body: 'Not Found' };
    let bytes = raw;
    const contentType = request.headers['content-type'] ?? '';
    if (contentType.startsWith('multipart/form-data')) {
      // @slack/web-api sends one part named "body"; take whichever file part there is.
      const form = await parseMultipart(raw, contentType);
      const file = [...form.values()].find((value) => typeof value !== 'string');
      if (file === undefined || typeof file === 'string') return { status: 400, body: 'no file part' };
      bytes = Buffer.from(await file.arrayBuffer());
    }
    pending.bytes = bytes;
    uploads.push({ fileId, bytes, filename: pending.filename, headers: { ...request.headers }, at: now() });
    return { status: 200, body: `OK - ${bytes.length}` };
  }

  async function handleResponseUrl(request: http.IncomingMessage, path: string, id: string, raw: Buffer): Promise<Answer> {
    let body: unknown;
    try {
      const contentType = request.headers['content-type'] ?? '';
      body = contentType.startsWith('application/json')
        ? JSON.parse(raw.toString('utf8'))
        : Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    } catch {
      body = raw.toString('utf8');
    }
    const answer = ((): Answer => {
      const failure = takeFailure(RESPONSE_FAILURES);
      if (failure?.kind === 'error') {
        const gone = failure.error === 'expired_url' || failure.error === 'used_url';
        return { status: gone ? 404 : 400, body: failure.error };
      }
      if (failure) return failureAnswer(failure);
      // Slack checks the blocks of a response_url post as it does chat.postMessage's (refused with 400 here).
      const message = body as { blocks?: unknown; text?: unknown } | undefined;
      const invalid = message && typeof message === 'object' ? (typeof message.text === 'string' && message.text.length > MAX_TEXT ? 'msg_too_long' : blocksError(message.blocks, fileKnown)) : undefined;
      if (invalid) return { status: 400, body: invalid };
      const posts = (responseUrlPosts.get(id) ?? 0) + 1;
      if (posts > MAX_POSTS_PER_RESPONSE_URL) return { status: 404, body: 'used_url' };
      responseUrlPosts.set(id, posts);
      return { status: 200, body: 'ok' };
    })();
    responses.push({ path, body, at: now(), status: answer.status });
    return answer;
  }

  async function route(request: http.IncomingMessage): Promise<Answer> {
    const raw = await readBody(request);
    const { pathname } = new URL(request.url ?? '/', 'http://fake');
    const api = /^\/api\/([A-Za-z0-9_.]+)$/.exec(pathname);
    if (api) return handleApiCall(request, api[1]!, raw);
    const upload = /^\/upload\/v1\/([A-Za-z0-9]+)$/.exec(pathname);
    if (upload && request.method === 'POST') return handleUpload(request, upload[1]!, raw);
    const response = /^\/response\/([A-Za-z0-9_-]+)$/.exec(pathname);
    if (response && request.method === 'POST') return handleResponseUrl(request, pathname, response[1]!, raw);
    // For a fake run in its own process (benchmarks): what it has received so far.
    if (pathname === '/_stats' && request.method === 'GET') {
      const ok = responses.filter((r) => r.status === 200);
      const warnings = ok.filter((r) => JSON.stringify(r.body).includes(':warning:')).length;
      return { status: 200, body: { responses: ok.length, distinctResponses: new Set(ok.map((r) => r.path)).size, warnings, posts: calls.filter((c) => c.method === 'chat.postMessage' && c.ok).length } };
    }
    return { status: 404, body: 'Not Found' };
  }

  const server = http.createServer((request, response) => {
    route(request)
      .then((answer) => {
        // A lost response: the call took effect, the caller never hears back (the socket is dropped).
        if (answer.status === 0) {
          request.socket.destroy();
          return;
        }
        const isText = typeof answer.body === 'string';
        response.writeHead(answer.status, {
          'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
          ...answer.headers,
        });
        response.end(isText ? answer.body : JSON.stringify(answer.body));
      })
      .catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end(`fake-slack failed: ${error instanceof Error ? error.stack : String(error)}`);
      });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  baseUrl = `${origin}/`;

  function failUntil(method: string, failure: ScriptedFailure, untilMs: number): void {
    failWindows.set(method, { failure, until: untilMs });
  }

  function failNext(method: string, failure: ScriptedFailure, times = 1): void {
    const queue = scripted.get(method) ?? [];
    queue.push({ failure, remaining: times });
    scripted.set(method, queue);
  }

  return {
    url: `${origin}/api/`,
    calls,
    responses,
    uploads,
    sharedFiles,
    homeViews,
    responseUrl(id) {
      return `${origin}/response/${id ?? `R${++responseUrlCounter}`}`;
    },
    failNext,
    failUntil,
    setUserLocale(userId, locale) {
      userLocales.set(userId, locale);
    },
    failNextResponse(failure, times = 1) {
      failNext(RESPONSE_FAILURES, failure, times);
    },
    async waitFor<T>(predicate: () => T | undefined | false | null, timeoutMs = 5_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = predicate();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`fake-slack waitFor: condition not met within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close() {
      // WebClient's fetch keeps connections alive; close them or server.close() waits for their timeout.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
