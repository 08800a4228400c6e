import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../installation.js';
import { createLogger } from '../core/log.js';
import { telemetryRegistry } from '../core/telemetry.js';
import { answerOnce, type SlackRequest } from './answer-request.js';
import { startAnswerRuntime } from './answer-runtime.js';
import { handleApiRequest, type ApiRequest } from '../api/handler.js';

/**
 * The answer worker of `serve`: questions, charts, replies, pulses, watchers and the outbox run here,
 * so the main thread does nothing but receive, verify and acknowledge Slack's requests.
 */
type Message = { type: 'answer'; id: number; key: string; request: SlackRequest } | { type: 'api'; id: number; request: ApiRequest } | { type: 'metrics'; id: number } | { type: 'health'; id: number } | { type: 'stop' };

const { configFile, env } = workerData as { configFile: string; env: NodeJS.ProcessEnv };

// On Linux a priority set with pid 0 applies to the calling thread only: answers yield the CPU to the
// main thread, whose only job is to acknowledge Slack within its 3 s (elsewhere it would lower the
// whole process, so it is not done there).
if (process.platform === 'linux') {
  try {
    setPriority(0, Number(env.OFN_INSIGHTS_ANSWER_NICE ?? 10));
  } catch {
    /* not permitted: answers share the CPU equally */
  }
}
const port = parentPort!;
const logger = createLogger(env.LOG_LEVEL ?? 'info').child({ thread: 'answers' });

startAnswerRuntime(loadConfig(configFile, env), env, logger, env.SLACK_BOT_TOKEN ?? '').then(
  (runtime) => {
    port.on('message', (message: Message) => {
      switch (message.type) {
        case 'answer':
          void answerOnce(runtime.ctx, message.key, message.request)
            .catch((error) => logger.error({ err: (error as Error).message }, 'answer failed'))
            .finally(() => port.postMessage({ type: 'done', id: message.id }));
          return;
        case 'api':
          // The HTTP API's requests, received by the main thread; answered here, where the pools and the state store are.
          void handleApiRequest({ deps: runtime.deps, state: runtime.ctx.state, logger }, message.request).then((response) => port.postMessage({ type: 'api', id: message.id, response }));
          return;
        case 'metrics':
          void telemetryRegistry.metrics().then((text) => port.postMessage({ type: 'metrics', id: message.id, text }));
          return;
        case 'health':
          // The state store lives in this thread; /healthz in the main thread asks for its status.
          void runtime.stateStore().then((stateStore) => port.postMessage({ type: 'health', id: message.id, stateStore }));
          return;
        case 'stop':
          void runtime.close().finally(() => port.postMessage({ type: 'stopped' }));
          return;
      }
    });
    port.postMessage({ type: 'ready' });
  },
  (error) => port.postMessage({ type: 'failed', message: (error as Error).message }),
);
