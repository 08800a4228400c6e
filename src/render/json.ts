import type { OfnError } from '../core/errors.js';
import type { Outcome } from '../core/outcome.js';
import { answerToJson } from './answer.js';
import { dashboardJson } from './dashboard.js';
import { billingAllJson, billingJson } from './billing.js';
import { globalJson } from './global.js';
import { growthJson } from './growth.js';
import { storyJson } from './story.js';

export { answerToJson };

/** The JSON contract scripts depend on (README "JSON output"). */
export function renderJson(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'answer':
      return JSON.stringify(answerToJson(outcome.answer), null, 2);
    case 'global':
      return JSON.stringify(globalJson(outcome.answer), null, 2);
    case 'growth':
      return JSON.stringify(growthJson(outcome), null, 2);
    case 'story':
      return JSON.stringify(storyJson(outcome), null, 2);
    case 'billing':
      return billingJson(outcome);
    case 'billing-all':
      return billingAllJson(outcome);
    case 'help':
      return JSON.stringify({ help: { title: outcome.title, lines: outcome.lines } }, null, 2);
    case 'notice':
      return JSON.stringify({ notice: { action: outcome.action, text: outcome.text } }, null, 2);
    case 'dashboard':
      return JSON.stringify(dashboardJson(outcome, renderJson), null, 2);
  }
}

export function errorToJson(error: OfnError): string {
  return JSON.stringify({ error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) } }, null, 2);
}
