import type { Config } from '../config/config.js';
import { OfnError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/log.js';
import { Worker } from 'node:worker_threads';
import { ReplicaSet } from '../queries/replica-set.js';
import { startSlackServer, type RunningSlackServer } from './server.js';
import type { SlackRequest } from './answer-request.js';
import { startAnswerRuntime } from './runtime.js';

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

/** The answer worker thread, driven by messages; see answer-worker.ts. */
function startAnswerWorker(configFile: string, env: NodeJS.ProcessEnv) {
  const worker = new Worker(new URL('./answer-worker.js', import.meta.url), { workerData: { configFile, env: { ...env } } });
  let next = 0;
  const pending = new Map<number, (value: unknown) => void>();
  const call = <T>(message: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve) => {
      const id = ++next;
      pending.set(id, resolve as (value: unknown) => void);
      worker.postMessage({ ...message, id });
    });
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: { type: string; id?: number; text?: string; message?: string }) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'failed') reject(new OfnError('ConfigInvalid', `The answer worker could not start: ${message.message}`));
      else if (message.id !== undefined) {
        pending.get(message.id)?.(message.type === 'metrics' ? message.text : undefined);
        pending.delete(message.id);
      }
    });
    worker.once('error', reject);
  });
  return {
    ready,
    answer: (key: string, request: SlackRequest) => call<void>({ type: 'answer', key, request }),
    metrics: () => call<string>({ type: 'metrics' }),
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
  const botToken = required(env, 'SLACK_BOT_TOKEN');
  const signingSecret = required(env, 'SLACK_SIGNING_SECRET');
  const common = {
    logger,
    botToken,
    signingSecret,
    ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : {}),
    port: Number(env.PORT ?? 3000),
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
  };
  if (configFile && env.OFN_INSIGHTS_ANSWER_WORKER !== 'off') {
    const worker = startAnswerWorker(configFile, env);
    await worker.ready;
    // The main thread keeps its own small pools only for /healthz.
    const replicas = new ReplicaSet(config, () => {});
    const server = await startSlackServer({
      ...common,
      deps: { config, replica: (id) => replicas.get(id), now: () => new Date() },
      dispatch: (key, request) => worker.answer(key, request),
      moreMetrics: () => worker.metrics(),
      health: replicaHealth(config, replicas),
    });
    return {
      server,
      async shutdown() {
        logger.info({ inFlight: server.inFlight() }, 'draining answers in flight');
        await server.stop();
        await worker.stop();
        await replicas.closeAll();
        logger.info('stopped');
      },
    };
  }
  const runtime = await startAnswerRuntime(config, env, logger, botToken);
  const server = await startSlackServer({ ...common, deps: runtime.deps, state: runtime.store.db, health: replicaHealth(config, runtime.replicas) });
  return {
    server,
    async shutdown() {
      logger.info({ inFlight: server.inFlight() }, 'draining answers in flight');
      await server.stop();
      await runtime.close();
      logger.info('stopped');
    },
  };
}
