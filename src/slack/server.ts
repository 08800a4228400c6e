import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { Deps } from '../commands/types.js';
import type { Logger } from '../core/log.js';
import { ACTION } from '../render/slack-message.js';
import { HOME_ACTION } from '../render/home.js';
import { enableDefaultMetrics, telemetryRegistry, slackAckSeconds } from '../core/telemetry.js';
import { answerOnce, type Intent, type SlackContext, type SlackRequest } from './answer-request.js';
import type { ApiRequest, ApiResponse } from '../api/handler.js';
import { apiListener, isApiRequest, keepIdleConnections } from '../api/http.js';
import { userLanguageLookup } from './user-language.js';
import { t } from '../core/i18n.js';
import { sharedLanguage } from '../render/format.js';

export interface SlackServerOptions {
  deps: Deps;
  logger: Logger;
  botToken: string;
  signingSecret: string;
  /** Socket Mode for installs without a public URL (SLACK_APP_TOKEN). */
  appToken?: string;
  port: number;
  /** Override of Slack's Web API base URL (tests, proxies). */
  slackApiUrl?: string;
  /** The state store (pulses, watches, saved questions, audit). */
  state?: import('../state/store.js').StateDb;
  /** Hands each request to another thread instead of answering here (see serve.ts). */
  dispatch?: (key: string, request: SlackRequest) => Promise<void>;
  /** Extra Prometheus text appended to /metrics (the answer worker's metrics). */
  moreMetrics?: () => Promise<string>;
  /** Replica reachability for /healthz, with a short deadline. */
  health?: () => Promise<Record<string, boolean>>;
  /** The state store's status for /healthz; without it "up" when `state` is given, else "none" (cannot know). */
  stateStore?: () => Promise<StateStoreHealth>;
  /** What the replica roles may do beyond SELECT (Replica.roleRisks), listed in /healthz. */
  warnings?: () => Promise<string[]>;
  /**
   * Who may read /metrics. `token`: served on the Slack port to `Authorization: Bearer <token>` only;
   * `port`: a separate listener on `host` (default 127.0.0.1), which also asks for the token when one
   * is set. Neither: /metrics is not served, since the Slack port is public.
   */
  metricsAccess?: { token?: string; port?: number; host?: string };
  /** Answers /api/v1/ (api/handler.ts) on the same port; its tokens are checked there, not Slack's signature. */
  api?: (request: ApiRequest) => Promise<ApiResponse>;
}

export type StateStoreHealth = 'up' | 'down' | 'none';

/** GET /healthz: "ok" (200), "degraded" (200, some replicas down: the others are still answered) or "down" (503). */
export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  replicas: Record<string, boolean>;
  stateStore: StateStoreHealth;
  warnings: string[];
}

export interface RunningSlackServer {
  port: number;
  /** The separate /metrics listener's port, when metricsAccess.port was given. */
  metricsPort?: number;
  /** Stops taking requests, waits for answers in flight (at most `graceMs`), then closes. */
  stop(graceMs?: number): Promise<void>;
  inFlight(): number;
}

/**
 * Joins two Prometheus expositions; a family present in `preferred` (the answer worker's, which
 * observes it) replaces the same, unobserved family of `base`, so no metric appears twice.
 */
export function mergeExpositions(base: string, preferred: string, baseOwns: (name: string) => boolean = () => false): string {
  const families = (text: string) => text.split(/\n(?=# HELP )/).filter((block) => block.trim());
  const nameOf = (block: string) => /^# HELP (\S+)/.exec(block)?.[1] ?? '';
  const fromBase = families(base).filter((block) => baseOwns(nameOf(block)));
  const owned = new Set(fromBase.map(nameOf));
  const fromPreferred = families(preferred).filter((block) => !owned.has(nameOf(block)));
  return [...fromBase, ...fromPreferred].map((b) => b.trimEnd()).join('\n') + '\n';
}

/** Families the main thread observes when answers run in the worker: the ack, and Node's process metrics. */
const MAIN_THREAD_FAMILY = (name: string) => name === 'ofn_insights_slack_request_seconds' || !/^ofn_insights_(answers|answer_seconds|replica|outbox|deliveries|watcher)/.test(name);

/** Bolt's logger interface on top of pino, so Bolt's own lines are structured too. */
function boltLogger(logger: Logger) {
  const child = logger.child({ component: 'bolt' });
  let level = LogLevel.INFO;
  return {
    debug: (...msg: unknown[]) => child.debug(msg.map(String).join(' ')),
    info: (...msg: unknown[]) => child.info(msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => child.warn(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => child.error(msg.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

async function healthReport(options: Pick<SlackServerOptions, 'health' | 'stateStore' | 'warnings' | 'state'>): Promise<HealthReport> {
  const [replicas, stateStore, warnings] = await Promise.all([
    options.health?.() ?? {},
    options.stateStore?.() ?? ((options.state ? 'up' : 'none') as StateStoreHealth),
    options.warnings?.() ?? [],
  ]);
  const reachable = Object.values(replicas).filter(Boolean).length;
  const total = Object.keys(replicas).length;
  // Only "no replica answers" takes the process out of a load balancer: with one instance down the bot
  // still answers the others, and every process would see the same outage anyway.
  const status = reachable === total ? 'ok' : reachable === 0 ? 'down' : 'degraded';
  return { status, replicas, stateStore, warnings };
}

function healthHandler(options: SlackServerOptions, req: IncomingMessage, res: ServerResponse) {
  healthReport(options).then(
    (report) => {
      // /healthz is public: what the replica roles may do (role names included) only to the metrics token's holder.
      const token = options.metricsAccess?.token;
      const detailed = token !== undefined && bearerMatches(req.headers.authorization, token);
      const shown = detailed || report.warnings.length === 0 ? report : { ...report, warnings: report.warnings.map(() => 'a replica role can do more than read: see the log, or ask with the metrics token') };
      res.writeHead(report.status === 'down' ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(shown));
    },
    (error) => {
      options.logger.error({ err: (error as Error).message }, 'healthz failed');
      if (!res.headersSent) res.writeHead(500).end();
    },
  );
}

/** Constant-time check of `Authorization: Bearer <token>`. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '';
  // Equal-length digests: the comparison time says nothing about the token or its length.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token)) && given.length > 0;
}

/** Slack never signs a request in the future; Bolt refuses only old ones. */
const MAX_FUTURE_SECONDS = 5 * 60;

/** True when the request carries X-Slack-Request-Timestamp more than 5 minutes ahead of our clock. */
function fromTheFuture(req: IncomingMessage, nowMs = Date.now()): boolean {
  const header = req.headers['x-slack-request-timestamp'];
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(seconds) && seconds > Math.floor(nowMs / 1000) + MAX_FUTURE_SECONDS;
}

/**
 * Puts one listener in front of Bolt's. Requests under /api/ go to the HTTP API and never reach Bolt
 * (which would 404 them). Bolt refuses stamps older than 5 minutes only, so a signed request stamped
 * a day ahead (prepared in advance, or from a sender with a wrong clock) could be replayed for a day
 * and 5 minutes; Slack stamps requests as it sends them. Refused with 401 before Bolt reads it.
 */
function frontOfBolt(server: Server, logger: Logger, api?: RequestListener) {
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (api && isApiRequest(req)) return void api(req, res);
    if (req.method === 'POST' && fromTheFuture(req)) {
      logger.warn({ path: req.url?.split('?')[0], timestamp: String(req.headers['x-slack-request-timestamp']).slice(0, 20) }, 'refused a Slack request stamped more than 5 minutes in the future');
      req.resume();
      res.writeHead(401).end();
      return;
    }
    for (const listener of listeners) listener.call(server, req, res);
  });
}

/**
 * `ofn-insights serve`: Bolt with the HTTP receiver (signature-verified POST /slack/events) or Socket
 * Mode. Handlers only ack and hand the text to the same pipeline the CLI uses.
 */
export async function startSlackServer(options: SlackServerOptions): Promise<RunningSlackServer> {
  const logger = options.logger;
  enableDefaultMetrics();
  const inFlight = new Set<Promise<void>>();
  let accepting = true;
  const track = (work: Promise<void>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };
  const clientOptions = {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    // The client's default retries for ~30 minutes; bound it so a dead Slack can't pin answers forever.
    retryConfig: { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 30_000 },
  };
  const health = { path: '/healthz', method: ['GET'], handler: (req: IncomingMessage, res: ServerResponse) => healthHandler(options, req, res) };
  const exposition = (res: ServerResponse) =>
    void Promise.all([telemetryRegistry.metrics(), options.moreMetrics?.() ?? Promise.resolve('')]).then(
      ([text, more]) => {
        res.writeHead(200, { 'content-type': telemetryRegistry.contentType });
        res.end(more ? mergeExpositions(text, more, MAIN_THREAD_FAMILY) : text);
      },
      (error) => {
        logger.error({ err: (error as Error).message }, 'metrics failed');
        if (!res.headersSent) res.writeHead(500).end();
      },
    );
  const token = options.metricsAccess?.token;
  const withToken = (req: IncomingMessage, res: ServerResponse) => {
    if (token && !bearerMatches(req.headers.authorization, token)) res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
    else exposition(res);
  };
  // On the Slack port (public: Slack must reach it) metrics are only for whoever holds the token.
  const metrics = {
    path: '/metrics',
    method: ['GET'],
    handler: (req: IncomingMessage, res: ServerResponse) => (token ? withToken(req, res) : res.writeHead(404).end()),
  };
  let healthServer: Server | undefined;
  const receiver = options.appToken
    ? undefined
    : new HTTPReceiver({
        signingSecret: options.signingSecret,
        endpoints: '/slack/events',
        customRoutes: [health, metrics],
        processBeforeResponse: false,
        logger: boltLogger(logger),
      });
  const app = new App({
    token: options.botToken,
    ...(receiver ? { receiver } : { socketMode: true, appToken: options.appToken!, signingSecret: options.signingSecret }),
    clientOptions,
    logger: boltLogger(logger),
    // Bolt's default conversation store is never read here, and on every request it creates and throws away a
    // "Conversation not found" error: about 7 % of the main thread's CPU per command under npm run load.
    convoStore: false,
  });
  const userLanguage = userLanguageLookup(app.client, logger);
  const ctx: SlackContext = { deps: options.deps, client: app.client, logger, userLanguage, ...(options.state ? { state: options.state } : {}) };

  // Where answers are computed: in this thread by default, or handed to a worker thread (serve) so
  // that answer work never delays the acks of requests arriving meanwhile.
  const dispatch = options.dispatch ?? ((key: string, request: SlackRequest) => answerOnce(ctx, key, request));

  app.command('/ofn', async ({ command, ack }) => {
    // Acknowledge at once, whatever the replica is doing: Slack gives us 3 s, the answer follows on response_url.
    if (!accepting) {
      // Within Slack's 3 s and without calling Slack: the asker's language if this process already knows
      // it (cached users.info; with answers in a worker thread it usually does not), else the language
      // every configured instance answers in, else English.
      const language = userLanguage.cached(command.user_id) ?? sharedLanguage([...options.deps.config.instances.values()]);
      await ack({ response_type: 'ephemeral', text: t(language, 'slack.restarting') });
      return;
    }
    await ack();
    // Start answering on the next turn of the event loop: acks of other requests that arrived in the
    // same burst go out first instead of queueing behind this answer's parsing and query set-up.
    track(
      new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
        dispatch(`command:${command.trigger_id}`, {
          text: command.text ?? '',
          who: { userId: command.user_id, channelId: command.channel_id },
          responseUrl: command.response_url,
          intent: 'answer',
        }),
      ),
    );
  });

  const intents: [string, Intent][] = [
    [ACTION.chart, 'chart'],
    [ACTION.csv, 'csv'],
    [ACTION.share, 'share'],
    [HOME_ACTION.refresh, 'home-refresh'],
    [HOME_ACTION.dashboard, 'home-dashboard'],
  ];
  for (const [actionId, intent] of intents) {
    app.action(actionId, async ({ ack, body, action }) => {
      await ack();
      const b = body as { user?: { id?: string }; channel?: { id?: string }; response_url?: string; container?: { is_ephemeral?: boolean }; trigger_id?: string };
      const value = (action as { value?: string }).value ?? '';
      const key = `action:${b.trigger_id ?? ''}:${actionId}`;
      if (intent === 'home-refresh' || intent === 'home-dashboard') {
        // The Home tab's buttons: no response_url, no channel.
        if (b.user?.id) track(dispatch(key, { text: value, who: { userId: b.user.id, channelId: '' }, responseUrl: '', intent }));
        return;
      }
      if (!b.user?.id || !b.channel?.id || !b.response_url) {
        logger.warn({ actionId }, 'button click without user, channel or response_url; ignored');
        return;
      }
      // A click on a message everyone sees may share its files with everyone; on a private answer, not.
      const shared = b.container?.is_ephemeral === false;
      track(dispatch(key, { text: value, who: { userId: b.user.id, channelId: b.channel.id }, responseUrl: b.response_url, intent, ...(shared ? { inSharedMessage: true } : {}) }));
    });
  }

  // The App Home tab: published for the user who opens it (docs/dashboards.md); no response_url, no channel.
  app.event('app_home_opened', async ({ event, body }) => {
    if (event.tab !== 'home') return;
    const eventId = (body as { event_id?: string }).event_id ?? `${event.user}:${event.event_ts}`;
    track(dispatch(`home:${eventId}`, { text: '', who: { userId: event.user, channelId: '' }, responseUrl: '', intent: 'home' }));
  });

  app.error(async (error) => {
    logger.error({ err: error }, 'bolt error');
  });

  let metricsServer: Server | undefined;
  let metricsPort: number | undefined;
  // Before the Slack side starts: a METRICS_PORT already taken fails start-up with nothing left listening.
  if (options.metricsAccess?.port !== undefined) {
    const host = options.metricsAccess.host ?? '127.0.0.1';
    metricsServer = createServer((req, res) => {
      if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') withToken(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve, reject) => {
      metricsServer!.once('error', reject);
      metricsServer!.listen(options.metricsAccess!.port, host, resolve);
    });
    metricsPort = (metricsServer.address() as AddressInfo).port;
    logger.info({ host, port: metricsPort, bearerRequired: Boolean(token) }, 'serving /metrics on its own listener');
  } else if (!token) {
    logger.info('/metrics is not served on the Slack port (it is public): set METRICS_PORT for a listener on METRICS_HOST (default 127.0.0.1), or METRICS_TOKEN to serve it here to Authorization: Bearer <token>');
  }
  let port = options.port;
  if (receiver) {
    const server = (await app.start(options.port)) as Server;
    port = (server.address() as AddressInfo).port;
    keepIdleConnections(server);
    // Server-side ack time: from the request reaching us to the response leaving, whatever the sender's load.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.method !== 'POST') return;
      const end = slackAckSeconds.startTimer();
      res.once('finish', () => end());
    });
    frontOfBolt(server, logger, options.api && apiListener(options.api, logger));
  } else {
    // Socket Mode: Slack's events arrive over the socket (no timestamps to check); this port serves /healthz and /metrics only.
    await app.start();
    healthServer = createServer((req, res) => {
      const path = req.url?.split('?')[0];
      if (options.api && isApiRequest(req)) apiListener(options.api, logger)(req, res);
      else if (req.method === 'GET' && path === '/healthz') healthHandler(options, req, res);
      else if (req.method === 'GET' && path === '/metrics') metrics.handler(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => healthServer!.listen(options.port, resolve));
    port = (healthServer.address() as AddressInfo).port;
  }
  logger.info({ port, mode: receiver ? 'http' : 'socket' }, 'ofn-insights serving /ofn');

  return {
    port,
    ...(metricsPort !== undefined ? { metricsPort } : {}),
    inFlight: () => inFlight.size,
    async stop(graceMs = 30_000) {
      accepting = false;
      const deadline = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([Promise.allSettled([...inFlight]), deadline]);
      await app.stop();
      if (healthServer) await new Promise((resolve) => healthServer!.close(resolve));
      if (metricsServer) await new Promise((resolve) => metricsServer!.close(resolve));
    },
  };
}
