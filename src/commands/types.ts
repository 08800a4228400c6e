import type { Answer } from '../core/answer.js';
import type { Config } from '../config/config.js';
import type { Replica } from '../queries/replica.js';

/** What commands need from the outside world; tests and the demo pass their own. */
export interface Deps {
  config: Config;
  replica(instanceId: string): Replica;
  now(): Date;
}

export interface ParseContext {
  instanceIds: readonly string[];
  /** The ids the asker may see: the only ones errors and help may name (default: all). */
  visibleIds?: readonly string[];
  /** Segments that `for <segment>`, `count` and `list` accept (built-in and custom). */
  segmentNames?: readonly string[];
  /** Built-in and custom definitions, for `metrics`, `segments`, `define` and custom metric questions. */
  registry?: import('../queries/registry.js').Registry;
}

/** Flags any question may carry; the transports act on them (Slack shares or draws a chart). */
export interface Presentation {
  chart: boolean;
  public: boolean;
}

/**
 * One question kind. `parse` is pure (words after the question's name → typed arguments, or an
 * OfnError with usage); `run` reads the replica and returns typed data. Slack, the CLI and the
 * scheduler all go through the same table (commands/index.ts).
 */
export interface Command<A extends Presentation = Presentation> {
  name: string;
  aliases: readonly string[];
  summary: string;
  usage: string;
  examples: readonly string[];
  parse(words: readonly string[], context: ParseContext): A;
  run(deps: Deps, args: A): Promise<Answer>;
}
