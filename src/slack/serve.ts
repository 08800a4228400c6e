import type { Config } from '../installation.js';
import { OfnError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/log.js';
import { Worker } from 'node:worker_threads';
import { ReplicaSet } from '../queries/replica-set.js';
import { startSlackServer, type RunningSlackServer, type SlackServerOptions, type StateStoreHealth } from './server.js';
import { answerOnce, type SlackRequest } from './answer-request.js';
import { startAnswerRuntime } from './answer-runtime.js';
import { handleApiRequest, type ApiRequest, type ApiResponse } from '../api/handler.js';
import { checkConfigDashboards } from '../commands/check-dashboards.js';
import { cached } from '../core/memo.js';

export interface ServeHandle {
  server: RunningSlackServer;
  shutdown(): Promise<void>;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new OfnError('ConfigInvalid', `${name} is not set. See the README, section "Slack app".`);
  return value;
}

/** Replica reachability with a short deadline each, so /healthz stays fast when one is down. */
export function replicaHealth(config: Config, replicas: ReplicaSet, deadlineMs = 2_000) {
  return async () => {
    const entries = await Promise.all(
      [...config.instances.keys()].map(async (id) => {
        const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), deadlineMs).unref());
        return [id, await Promise.race([replicas.get(id).ping(), timeout])] as const;
      }),
    );
    return Object.fromEntries(entries);
  };
}

/**
 * What each replica's role may do beyond SELECT (Replica.roleRisks), probed once per replica: at start,
 * and again on /healthz for a replica that was down then. Each instance's risks are logged once, as a
 * warning, and listed in /healthz as "instance: risk".
 */
export function replicaRoleWarnings(config: Config, replicas: ReplicaSet, logger: Logger, deadlineMs = 2_000) {
  const found = new Map<string, string[]>();
  const probing = new Map<string, Promise<void>>();
  const probe = (id: string): Promise<void> => {
    if (found.has(id)) return Promise.resolve();
    return cached(probing, id, () =>
      replicas
        .get(id)
        .roleRisks()
        .then(
          (risks) => {
            found.set(id, risks);
            if (risks.length) logger.warn({ instance: id, risks }, 'replica role can do more than read: give it SELECT only (docs/operations.md, "The replica role")');
          },
          () => {
            /* unreachable now (reported by /healthz); probed again on the next /healthz */
          },
        )
        .finally(() => probing.delete(id)),
    );
  };
  const all = () => Promise.all([...config.instances.keys()].map(probe));
  return {
    /** Starts the probes without waiting for them. */
    start: () => void all(),
    async warnings(): Promise<string[]> {
      await Promise.race([all(), new Promise((resolve) => setTimeout(resolve, deadlineMs).unref())]);
      return [...found].flatMap(([id, risks]) => risks.map((risk) => `${id}: ${risk}`));
    },
  };
}

/** /metrics access from METRICS_TOKEN, METRICS_PORT and METRICS_HOST (docs/operations.md). */
function metricsAccess(env: NodeJS.ProcessEnv): SlackServerOptions['metricsAccess'] {
  const port = env.METRICS_PORT ? Number(env.METRICS_PORT) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65_536)) throw new OfnError('ConfigInvalid', `METRICS_PORT must be a port number, not ${JSON.stringify(env.METRICS_PORT)}.`);
  return {
    ...(env.METRICS_TOKEN ? { token: env.METRICS_TOKEN } : {}),
    ...(port !== undefined ? { port, host: env.METRICS_HOST || '127.0.0.1' } : {}),
  };
}

/** The answer worker thread, driven by messages; see answer-worker.ts. */
function startAnswerWorker(configFile: string, env: NodeJS.ProcessEnv) {
  const worker = new Worker(new URL('./answer-worker.js', import.meta.url), { workerData: { configFile, env: { ...env } } });
  type Reply = { type: string; id?: number; text?: string; message?: string; stateStore?: 'up' | 'down'; response?: ApiResponse };
  let next = 0;
  const pending = new Map<number, (reply: Reply) => void>();
  const call = (message: Record<string, unknown>): Promise<Reply> =>
    new Promise<Reply>((resolve) => {
      const id = ++next;
      pending.set(id, resolve);
      worker.postMessage({ ...message, id });
    });
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: Reply) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'failed') reject(new OfnError('ConfigInvalid', `The answer worker could not start: ${message.message}`));
      else if (message.id !== undefined) {
        pending.get(message.id)?.(message);
        pending.delete(message.id);
      }
    });
    worker.once('error', reject);
  });
  return {
    ready,
    answer: async (key: string, request: SlackRequest) => void (await call({ type: 'answer', key, request })),
    metrics: async () => (await call({ type: 'metrics' })).text ?? '',
    /** API requests are answered where the answers are: the worker has the replicas' pools and the state store. */
    api: async (request: ApiRequest) => (await call({ type: 'api', request })).response!,
    /** The worker owns the state store; a worker too busy to say within the deadline reports "none". */
    stateStore: (deadlineMs = 2_000): Promise<StateStoreHealth> =>
      Promise.race([call({ type: 'health' }).then((reply) => reply.stateStore ?? 'none'), new Promise<'none'>((resolve) => setTimeout(() => resolve('none'), deadlineMs).unref())]),
    async stop() {
      await new Promise<void>((resolve) => {
        worker.on('message', (m: { type: string }) => m.type === 'stopped' && resolve());
        worker.postMessage({ type: 'stop' });
      });
      await worker.terminate();
    },
  };
}

/**
 * Everything `ofn-insights serve` starts, from the config and the environment. With a config file the
 * answers run in a worker thread (OFN_INSIGHTS_ANSWER_WORKER=off keeps them in the main thread).
 */
export async function serve(config: Config, env: NodeJS.ProcessEnv = process.env, logger: Logger = createLogger(), configFile?: string): Promise<ServeHandle> {
  // The config's dashboards against the route table: a bad question stops the start, named by its path.
  checkConfigDashboards(config);
  const botToken = required(env, 'SLACK_BOT_TOKEN');
  const signingSecret = required(env, 'SLACK_SIGNING_SECRET');
  const common = {
    logger,
    botToken,
    signingSecret,
    ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : {}),
    port: Number(env.PORT ?? 3000),
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    metricsAccess: metricsAccess(env),
  };
  // Where answers run, and the replicas /healthz and the role check read.
  let answers: { replicas: ReplicaSet; options: Pick<SlackServerOptions, 'deps' | 'dispatch' | 'moreMetrics' | 'stateStore' | 'api'>; close(): Promise<void> };
  if (configFile && env.OFN_INSIGHTS_ANSWER_WORKER !== 'off') {
    const worker = startAnswerWorker(configFile, env);
    await worker.ready;
    // The main thread keeps its own small pools only for /healthz and the role check.
    const replicas = new ReplicaSet(config, () => {});
    answers = {
      replicas,
      options: {
        deps: { config, replica: (id) => replicas.get(id), now: () => new Date() },
        dispatch: (key, request) => worker.answer(key, request),
        moreMetrics: () => worker.metrics(),
        stateStore: () => worker.stateStore(),
        api: (request) => worker.api(request),
      },
      async close() {
        await worker.stop();
        await replicas.closeAll();
      },
    };
  } else {
    const runtime = await startAnswerRuntime(config, env, logger, botToken);
    answers = {
      replicas: runtime.replicas,
      options: {
        deps: runtime.deps,
        // The runtime's context: it gains the state store when that opens, possibly after start.
        dispatch: (key, request) => answerOnce(runtime.ctx, key, request),
        stateStore: () => runtime.stateStore(),
        api: (request) => handleApiRequest({ deps: runtime.deps, state: runtime.ctx.state, logger }, request),
      },
      close: () => runtime.close(),
    };
  }
  const roles = replicaRoleWarnings(config, answers.replicas, logger);
  roles.start();
  const server = await startSlackServer({ ...common, ...answers.options, health: replicaHealth(config, answers.replicas), warnings: roles.warnings });
  return {
    server,
    async shutdown() {
      logger.info({ inFlight: server.inFlight() }, 'draining answers in flight');
      await server.stop();
      await answers.close();
      logger.info('stopped');
    },
  };
}
