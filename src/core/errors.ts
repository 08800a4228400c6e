/**
 * Domain errors: each has a string-literal `code` so a transport boundary (CLI, Slack) can turn it into a
 * helpful answer. Anything that is not an OfnError is unexpected and gets a generic reply plus a log line.
 */
export type OfnErrorCode =
  | 'UnknownQuestion'
  | 'UnknownInstance'
  | 'BadPeriod'
  | 'BadArguments'
  | 'ConfigInvalid'
  | 'ReplicaUnavailable'
  | 'ReplicaTimeout'
  | 'SchemaMismatch'
  | 'AccessDenied'
  | 'NotFound';

export class OfnError extends Error {
  readonly code: OfnErrorCode;
  /** Extra lines shown to the user under the message (usage, accepted forms). */
  readonly hint?: string;
  constructor(code: OfnErrorCode, message: string, hint?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'OfnError';
    this.code = code;
    if (hint !== undefined) this.hint = hint;
  }
}

/** Errors caused by what the user typed (exit code 2 on the CLI); the rest are the environment's fault. */
export function isUserError(error: unknown): error is OfnError {
  return (
    error instanceof OfnError &&
    ['UnknownQuestion', 'UnknownInstance', 'BadPeriod', 'BadArguments', 'AccessDenied', 'NotFound', 'ConfigInvalid'].includes(error.code)
  );
}
