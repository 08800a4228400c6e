import type { Language } from '../core/i18n.js';
import { helpIn, noticeIn, type Outcome } from '../core/outcome.js';
import { answerText } from './answer.js';
import { dashboardText } from './dashboard.js';
import { billingAllText, billingText } from './billing.js';
import { globalText } from './global.js';
import { growthText } from './growth.js';
import { storyText } from './story.js';

/** Plain text for a terminal; `lang` (the CLI's --lang) overrides the instance's language where an answer is translated. */
export function renderText(outcome: Outcome, lang?: Language): string {
  switch (outcome.kind) {
    case 'answer':
      return answerText(outcome.answer, lang);
    case 'global':
      return globalText(outcome.answer, lang);
    case 'growth':
      return growthText(outcome, lang);
    case 'story':
      return storyText(outcome, lang);
    case 'billing':
      return billingText(outcome, lang);
    case 'billing-all':
      return billingAllText(outcome, lang);
    case 'help': {
      // --lang first, then the word typed (`ayuda`).
      const help = helpIn(outcome, lang ?? outcome.language);
      return [help.title, '', ...help.lines].join('\n');
    }
    case 'notice':
      return noticeIn(outcome, lang);
    case 'dashboard':
      return dashboardText(outcome, (o) => renderText(o, lang), lang);
  }
}
