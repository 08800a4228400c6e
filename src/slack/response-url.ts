import type { Logger } from '../core/log.js';

/** Waits for `ms`; used for Slack's Retry-After and backoff only. */
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface PostOutcome {
  ok: boolean;
  status: number;
  attempts: number;
}

/**
 * Posts a message to a slash command's response_url. Slack allows five posts in 30 minutes per URL.
 * 429 is retried after Retry-After; 5xx and network errors with exponential backoff; 4xx other than
 * 429 (expired or used URL) are final. Every failure is logged with the request id: nothing is lost silently.
 */
export async function postToResponseUrl(
  url: string,
  payload: Record<string, unknown>,
  logger: Logger,
  options: { attempts?: number; baseDelayMs?: number; maxRetryAfterSeconds?: number } = {},
): Promise<PostOutcome> {
  const attempts = options.attempts ?? 5;
  const base = options.baseDelayMs ?? 500;
  let status = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { ok: true, status, attempts: attempt };
      if (status === 429) {
        const retryAfter = Math.min(Number(response.headers.get('retry-after')) || 1, options.maxRetryAfterSeconds ?? 60);
        logger.warn({ status, retryAfter, attempt }, 'response_url rate limited; waiting Retry-After');
        await delay(retryAfter * 1000);
        continue;
      }
      if (status < 500) {
        logger.error({ status, attempt }, 'response_url refused the message (expired or used URL?)');
        return { ok: false, status, attempts: attempt };
      }
    } catch (error) {
      logger.warn({ err: (error as Error).message, attempt }, 'response_url unreachable');
    }
    if (attempt < attempts) await delay(base * 2 ** (attempt - 1));
  }
  logger.error({ status, attempts }, 'response_url delivery failed after retries');
  return { ok: false, status, attempts };
}
