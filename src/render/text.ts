import type { Outcome } from '../core/outcome.js';
import { answerText } from './answer.js';
import { dashboardText } from './dashboard.js';
import { billingAllText, billingText } from './billing.js';
import { globalText } from './global.js';
import { growthText } from './growth.js';
import { storyText } from './story.js';

/** Plain text for a terminal. */
export function renderText(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'answer':
      return answerText(outcome.answer);
    case 'global':
      return globalText(outcome.answer);
    case 'growth':
      return growthText(outcome);
    case 'story':
      return storyText(outcome);
    case 'billing':
      return billingText(outcome);
    case 'billing-all':
      return billingAllText(outcome);
    case 'help':
      return [outcome.title, '', ...outcome.lines].join('\n');
    case 'notice':
      return outcome.text;
    case 'dashboard':
      return dashboardText(outcome, renderText);
  }
}
