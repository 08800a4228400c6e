import type { OfnError } from '../core/errors.js';
import type { Outcome } from '../core/outcome.js';
import { answerToJson } from './answer.js';
import { dashboardJson } from './dashboard.js';
import { billingAllJson, billingJson } from './billing.js';
import { globalJson } from './global.js';
import { growthJson } from './growth.js';
import { storyJson } from './story.js';

/** The JSON contract scripts depend on (README "JSON output"). */
export function renderJson(outcome: Outcome): string {
  return JSON.stringify(jsonOf(outcome), null, 2);
}

function jsonOf(outcome: Outcome): unknown {
  switch (outcome.kind) {
    case 'answer':
      return answerToJson(outcome.answer);
    case 'global':
      return globalJson(outcome.answer);
    case 'growth':
      return growthJson(outcome);
    case 'story':
      return storyJson(outcome);
    case 'billing':
      return billingJson(outcome);
    case 'billing-all':
      return billingAllJson(outcome);
    case 'help':
      return { help: { title: outcome.title, lines: outcome.lines } };
    case 'notice':
      return { notice: { action: outcome.action, text: outcome.text } };
    case 'dashboard':
      return dashboardJson(outcome, jsonOf);
  }
}

export function errorToJson(error: OfnError): string {
  return JSON.stringify({ error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) } }, null, 2);
}
