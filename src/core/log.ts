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

/**
 * Text typed by users, fit for logs and the audit log: NUL and other control characters removed
 * (PostgreSQL refuses NUL in text, which would lose the audit row; terminals obey escapes).
 */
export function cleanForLog(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}
