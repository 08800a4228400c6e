// @ts-check
/**
 * A Stryker ignorer (stryker.config.mjs `ignorers: ['log-lines']`): mutants inside a statement that
 * only writes a log line (`log.warn({ … }, 'text')`, `this.options.logger.error(…)`) are not counted.
 * What a log says is checked where it matters (the personal-data scan reads every log line, and
 * test/api.test.ts checks what the API logs); emptying its text or its fields changes no decision,
 * no delivery and no figure, so such a mutant can only survive and would hide the ones that matter.
 * Anything else in the statement's line (a condition, a call that does work) is still mutated.
 */
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** `log`, `logger`, `this.logger`, `this.options.logger`, `ctx.logger` … */
function isLogger(node) {
  if (node.type === 'Identifier') return node.name === 'log' || node.name === 'logger';
  if (node.type === 'MemberExpression' && node.property.type === 'Identifier') return node.property.name === 'logger' || node.property.name === 'log';
  return false;
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'log-lines', {
    shouldIgnore(path) {
      const node = path.node;
      if (node.type !== 'ExpressionStatement' || node.expression.type !== 'CallExpression') return undefined;
      const callee = node.expression.callee;
      if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier' || !LEVELS.has(callee.property.name)) return undefined;
      return isLogger(callee.object) ? 'a log line: its text and fields change no decision (stryker-ignore-logging.mjs)' : undefined;
    },
  }),
];
