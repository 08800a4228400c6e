import type { Answer } from '../core/answer.js';
import type { Grant, Reach, Requester } from '../core/access.js';
import type { Outcome, Presentation } from '../core/outcome.js';
import type { DateOrder } from '../core/periods.js';
import type { Config } from '../installation.js';
import type { Replica } from '../queries/replica.js';
import type { Registry } from '../queries/registry.js';
import type { StateDb } from '../state/store.js';

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
  registry?: Registry;
  /** How numeric dates are read: 31/10/2026 (default) or 10/31/2026 (en-US). */
  dateOrder?: DateOrder;
}

/**
 * A question answered from one instance's replica (turnover, orders, count, a custom metric …).
 * `parse` is pure (words after the question's name → typed arguments, or an OfnError with usage);
 * `run` reads the replica. The route table wraps each one (with `all` and lists) as a Route.
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

/** Who asks and who will see the answer; decided by the face (core/access.ts), checked by `ask`. */
export interface AskContext {
  grant: Grant;
  /** The state store, when this process has it open (saved questions, pulses, watches, billing runs). */
  state?: StateDb;
  /** The Slack user and channel asking; management commands need them. */
  who?: Requester;
}

/** What a route's `run` gets: the context, and the instances its reach was authorized for (`all` expanded). */
export interface RouteContext extends AskContext {
  instances: readonly string[];
  /** What another question would touch (pulses and saved questions hold questions). */
  reachOf(question: string): Reach & { help: boolean };
  /** Asks another question for the same audience, through `ask` (a dashboard's questions, each authorized on its own). */
  ask(question: string): Promise<Outcome>;
}

export type RouteGroup = 'question' | 'instances' | 'billing' | 'dashboards' | 'definitions' | 'manage' | 'help';

/**
 * One entry of the route table: every kind of question (answers, `all`, `compare`, `growth`,
 * `billing`, `save`, `pulse …`, `watch …`, `help`, `metrics` …). Every face calls `ask`, which finds
 * the route, checks what it `needs` and authorizes its `reach` before it runs.
 */
export interface Route<A = unknown> {
  name: string;
  aliases: readonly string[];
  group: RouteGroup;
  summary: string;
  usage: string;
  examples: readonly string[];
  needs?: { admin?: boolean; state?: boolean };
  parse(words: readonly string[], context: ParseContext): A;
  /** What the arguments touch, before anything runs (management routes authorize inside `run`). */
  reach(args: A): Reach;
  run(deps: Deps, args: A, context: RouteContext): Promise<Outcome>;
}
