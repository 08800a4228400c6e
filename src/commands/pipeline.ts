import { audienceLabel, authorize, operatorGrant, type Grant, type Reach, type Requester } from '../core/access.js';
import { OfnError } from '../core/errors.js';
import type { Outcome } from '../core/outcome.js';
import type { StateDb } from '../state/store.js';
import { parseRoute } from './index.js';
import type { AskContext, Deps, ParseContext } from './types.js';

export type { Outcome };

export interface AskOptions {
  /** Who will see the answer. Default: the operator (every instance, billing included), as on the CLI. */
  grant?: Grant;
  /** Shorthand for a grant of these instances without billing (tests, older callers). */
  visibleInstances?: ReadonlySet<string>;
  /** The Slack user and channel asking (management commands). */
  who?: Requester;
}

function parseContext(deps: Deps, visibleIds?: readonly string[]): ParseContext {
  return {
    instanceIds: [...deps.config.instances.keys()],
    ...(visibleIds ? { visibleIds } : {}),
    segmentNames: [...deps.config.registry.segments.keys()],
    registry: deps.config.registry,
    dateOrder: dateOrderOf(deps),
  };
}

/** 10/31/2026 is read month first only where every instance is American (locale en-US); elsewhere 31/10/2026. */
function dateOrderOf(deps: Deps): 'dmy' | 'mdy' {
  const instances = [...deps.config.instances.values()];
  return instances.length > 0 && instances.every((i) => i.locale === 'en-US') ? 'mdy' : 'dmy';
}

/**
 * What a question would touch, without running it: for checking pulses, saved questions and
 * deliveries against a channel's grant. Throws OfnError when the text is not a question.
 */
export function questionReach(deps: Deps, text: string): Reach & { help: boolean } {
  const { route, args } = parseRoute(text, parseContext(deps));
  // A dashboard is a question too (pulses post it); what it shows is authorized per question when it runs.
  const asks = route.group === 'question' || route.group === 'instances' || route.group === 'billing' || route.name === 'dashboard';
  return { ...route.reach(args), help: !asks };
}

function grantOf(deps: Deps, options: AskOptions): Grant {
  if (options.grant) return options.grant;
  if (options.visibleInstances) return { instances: options.visibleInstances, billing: false, admin: false, via: 'caller', label: audienceLabel('here') };
  return operatorGrant(deps.config);
}

/**
 * The one entry point of every face: text in, typed outcome out. Finds the route, checks what it
 * needs (admin, the state store), and authorizes what it touches against the audience's grant before
 * anything is read. Throws OfnError for anything the user can fix.
 */
export async function ask(deps: Deps, text: string, state?: StateDb, options: AskOptions = {}): Promise<Outcome> {
  const context: AskContext = { grant: grantOf(deps, options), ...(state ? { state } : {}), ...(options.who ? { who: options.who } : {}) };
  const { route, args } = parseRoute(text, parseContext(deps, [...context.grant.instances]));
  if (route.needs?.admin && !context.grant.admin) {
    const command = route.usage.split(/ [<[]/)[0]!;
    throw context.who ? OfnError.say('AccessDenied', 'error.needsAdminUser', { command, user: context.who.userId }) : OfnError.say('AccessDenied', 'error.needsAdmin', { command });
  }
  if (route.needs?.state && !context.state) {
    throw OfnError.say('BadArguments', 'error.stateDown');
  }
  const instances = authorize(deps.config, context.grant, route.reach(args));
  return route.run(deps, args, { ...context, instances, reachOf: (question) => questionReach(deps, question), ask: (question) => ask(deps, question, state, { ...options, grant: context.grant }) });
}
