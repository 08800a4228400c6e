import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { Deps } from '../commands/types.js';
import type { Logger } from '../core/log.js';
import { ACTION } from './blocks.js';
import { enableDefaultMetrics, registry, slackAckSeconds } from '../core/metrics.js';
import { answerSlackRequest, type Intent, type SlackContext } from './answer-request.js';


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
  /** Replica reachability for /healthz, with a short deadline. */
  health?: () => Promise<Record<string, boolean>>;
}

export interface RunningSlackServer {
  port: number;
  /** Stops taking requests, waits for answers in flight (at most `graceMs`), then closes. */
  stop(graceMs?: number): Promise<void>;
  inFlight(): number;
}

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

async function healthHandler(options: SlackServerOptions, res: ServerResponse) {
  const replicas = options.health ? await options.health() : {};
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: 'ok', replicas }));
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
  const health = { path: '/healthz', method: ['GET'], handler: (_req: IncomingMessage, res: ServerResponse) => void healthHandler(options, res) };
  const metrics = {
    path: '/metrics',
    method: ['GET'],
    handler: (_req: IncomingMessage, res: ServerResponse) =>
      void registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      }),
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
  });
  const ctx: SlackContext = { deps: options.deps, client: app.client, logger, ...(options.state ? { state: options.state } : {}) };

  /**
   * True the first time a request key is seen, across every process sharing the state store (Slack
   * redelivers with X-Slack-Retry-Num; a second `serve` behind the balancer may get the copy).
   */
  const firstTime = async (key: string): Promise<boolean> => {
    if (!options.state) return true;
    try {
      const row = await options.state.insertInto('seen_requests').values({ key }).onConflict((oc) => oc.column('key').doNothing()).returning('key').executeTakeFirst();
      return row !== undefined;
    } catch (error) {
      // The state store being down must not stop answers: answer, possibly twice.
      logger.warn({ err: (error as Error).message }, 'cannot record the request key; answering anyway');
      return true;
    }
  };

  app.command('/ofn', async ({ command, ack }) => {
    // Acknowledge at once, whatever the replica is doing: Slack gives us 3 s, the answer follows on response_url.
    if (!accepting) {
      await ack({ response_type: 'ephemeral', text: 'ofn-insights is restarting; ask again in a few seconds.' });
      return;
    }
    await ack();
    // Start answering on the next turn of the event loop: acks of other requests that arrived in the
    // same burst go out first instead of queueing behind this answer's parsing and query set-up.
    track(
      new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        if (!(await firstTime(`command:${command.trigger_id}`))) {
          logger.info({ trigger: command.trigger_id }, 'duplicate delivery of a command; already answered');
          return;
        }
        await answerSlackRequest(ctx, {
          text: command.text ?? '',
          who: { userId: command.user_id, channelId: command.channel_id },
          responseUrl: command.response_url,
          intent: 'answer',
        });
      }),
    );
  });

  const intents: [string, Intent][] = [
    [ACTION.chart, 'chart'],
    [ACTION.csv, 'csv'],
    [ACTION.share, 'share'],
  ];
  for (const [actionId, intent] of intents) {
    app.action(actionId, async ({ ack, body, action }) => {
      await ack();
      const b = body as { user?: { id?: string }; channel?: { id?: string }; response_url?: string };
      const value = (action as { value?: string }).value ?? '';
      if (!b.user?.id || !b.channel?.id || !b.response_url) {
        logger.warn({ actionId }, 'button click without user, channel or response_url; ignored');
        return;
      }
      const key = `action:${(body as { trigger_id?: string }).trigger_id ?? ''}:${actionId}`;
      track(
        firstTime(key).then((first) =>
          first ? answerSlackRequest(ctx, { text: value, who: { userId: b.user!.id!, channelId: b.channel!.id! }, responseUrl: b.response_url!, intent }) : undefined,
        ),
      );
    });
  }

  app.error(async (error) => {
    logger.error({ err: error }, 'bolt error');
  });

  let port = options.port;
  if (receiver) {
    const server = (await app.start(options.port)) as Server;
    port = (server.address() as AddressInfo).port;
    // Server-side ack time: from the request reaching us to the response leaving, whatever the sender's load.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.method !== 'POST') return;
      const end = slackAckSeconds.startTimer();
      res.once('finish', () => end());
    });
  } else {
    await app.start();
    healthServer = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/healthz') void healthHandler(options, res);
      else if (req.method === 'GET' && req.url === '/metrics') metrics.handler(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => healthServer!.listen(options.port, resolve));
    port = (healthServer.address() as AddressInfo).port;
  }
  logger.info({ port, mode: receiver ? 'http' : 'socket' }, 'ofn-insights serving /ofn');

  return {
    port,
    inFlight: () => inFlight.size,
    async stop(graceMs = 30_000) {
      accepting = false;
      const deadline = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([Promise.allSettled([...inFlight]), deadline]);
      await app.stop();
      if (healthServer) await new Promise((resolve) => healthServer!.close(resolve));
    },
  };
}
