import { pino, type Logger } from 'pino';

/**
 * Structured JSON logs on stderr. Never log answers' contents, tokens or personal data: log ids
 * (request, user, channel, instance), the question text and durations.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      level,
      base: { app: 'ofn-insights' },
      redact: { paths: ['token', '*.token', 'authorization', '*.authorization', 'signingSecret', 'replica', '*.replica'], censor: '[redacted]' },
    },
    pino.destination(2),
  );
}

export type { Logger };
