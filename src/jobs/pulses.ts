import { DateTime } from 'luxon';
import { ask } from '../commands/pipeline.js';
import type { Deps } from '../commands/types.js';
import type { Answer } from '../core/answer.js';
import type { Grant } from '../core/access.js';
import type { Logger } from '../core/log.js';
import { answerMessage, escapeMrkdwn, textMessage, type Block } from '../slack/blocks.js';
import { globalText } from '../render/global.js';
import { chartSpecFor } from '../render/answer-chart.js';
import { renderChart } from '../render/chart.js';
import { growthText } from '../render/growth.js';
import type { StateDb } from '../state/store.js';
import { enqueue, type OutboxMessage } from './outbox.js';
import { parseSchedule, slotsBetween } from './schedule.js';

/** What a pulse delivery computes at send time. */
export interface PulseSource {
  pulseId: number;
  question: string;
  slotLocal: string;
  slotAt: string;
  timezone: string;
  late: boolean;
  onlyIfResults: boolean;
}

// Slots are looked for at most this far back after a long stop: older ones are simply past.
const MAX_LOOKBACK_MS = 2 * 24 * 3600_000;
// A slot enqueued more than this after it was due is labelled late.
const LATE_AFTER_MS = 2 * 60_000;

/**
 * Turns due pulse slots into ledger rows. Every process may run this: the ledger's unique key (pulse,
 * local slot) lets exactly one enqueue each slot. Slots missed while down are delivered once, labelled
 * late, when within the pulse's grace window; older ones are recorded as skipped.
 */
export async function enqueueDuePulses(db: StateDb, now: Date, logger: Logger): Promise<{ enqueued: number; skipped: number }> {
  const pulses = await db.selectFrom('pulses').selectAll().where('status', '=', 'active').execute();
  let enqueued = 0;
  let skipped = 0;
  for (const pulse of pulses) {
    try {
      const schedule = parseSchedule(pulse.schedule);
      const since = new Date(Math.max((pulse.last_slot_at ?? pulse.created_at).getTime(), now.getTime() - MAX_LOOKBACK_MS));
      const slots = slotsBetween(schedule, pulse.timezone, since, now);
      for (const slot of slots) {
        const overdue = now.getTime() - slot.at.getTime();
        const inGrace = overdue <= pulse.grace_minutes * 60_000;
        const source: PulseSource = {
          pulseId: pulse.id,
          question: pulse.question,
          slotLocal: slot.local,
          slotAt: slot.at.toISOString(),
          timezone: pulse.timezone,
          late: overdue > LATE_AFTER_MS,
          onlyIfResults: pulse.only_if_results,
        };
        const inserted = await enqueue(db, {
          dedupeKey: `pulse:${pulse.id}:${slot.local}`,
          kind: 'pulse',
          ownerId: pulse.id,
          channelId: pulse.channel_id,
          source,
          ...(inGrace ? {} : { status: 'skipped' as const, note: `missed: due ${slot.local} ${pulse.timezone}, beyond the ${pulse.grace_minutes} min grace window` }),
        });
        if (inserted && inGrace) enqueued++;
        if (inserted && !inGrace) skipped++;
      }
      const newest = slots.at(-1);
      if (newest) {
        await db
          .updateTable('pulses')
          .set({ last_slot_at: newest.at })
          .where('id', '=', pulse.id)
          .where((eb) => eb.or([eb('last_slot_at', 'is', null), eb('last_slot_at', '<', newest.at)]))
          .execute();
      }
    } catch (error) {
      // One broken pulse must not stop the others.
      logger.error({ pulse: pulse.id, err: (error as Error).message }, 'pulses: cannot schedule');
    }
  }
  return { enqueued, skipped };
}

function isEmpty(answer: Answer): boolean {
  if (answer.kind === 'scalar') return Number(answer.value) === 0;
  if (answer.kind === 'ranking' || answer.kind === 'list') return answer.rows.length === 0;
  return answer.rows.every((r) => Number(r.value) === 0);
}

/** The message for a pulse slot: the answer as in Slack, plus which pulse and slot, and "late" if it is. */
export async function composePulse(deps: Deps, source: PulseSource, grant: Grant): Promise<OutboxMessage | null> {
  // Answered as the pulse's channel would be: `all` means what that channel may see, now.
  const outcome = await ask(deps, source.question, undefined, { grant });
  let message: { text: string; blocks: Block[] };
  let files: OutboxMessage['files'];
  switch (outcome.kind) {
    case 'answer': {
      if (source.onlyIfResults && isEmpty(outcome.answer)) return null;
      message = answerMessage(outcome.answer, { ephemeral: false });
      // `… chart` in a pulse's question: the chart goes with the digest (the figures are in the message).
      const spec = outcome.presentation.chart ? chartSpecFor(outcome.answer) : undefined;
      if (spec) files = [{ filename: `pulse-${source.pulseId}.png`, title: spec.title, altText: spec.title, base64: (await renderChart(spec)).toString('base64') }];
      break;
    }
    case 'global': {
      // A global digest: every instance in its own zone, the total, and which instances did not answer.
      const answer = outcome.answer;
      if (source.onlyIfResults && answer.results.every(isEmpty)) return null;
      message = textMessage(`${answer.title} · ${answer.results.length} instance${answer.results.length === 1 ? '' : 's'}`, globalText(answer), `${answer.periodLabel}, each instance in its own time zone`, { ephemeral: false });
      break;
    }
    case 'growth':
      message = textMessage(`Growth · ${outcome.instances.length} instances`, growthText(outcome), outcome.periodLabel, { ephemeral: false });
      break;
    default:
      return null;
  }
  const slot = DateTime.fromISO(source.slotLocal, { zone: source.timezone }).toFormat('ccc d LLL yyyy HH:mm');
  const label = source.late ? `:hourglass: Late delivery of pulse #${source.pulseId}, due ${slot} (${source.timezone})` : `Pulse #${source.pulseId} · ${slot} (${source.timezone})`;
  // Buttons would re-run the question for whoever clicks; a digest is read as is.
  const blocks = message.blocks.filter((b) => b.type !== 'actions');
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(label) }] });
  return { text: `${source.late ? '[late] ' : ''}${message.text}`, blocks, ...(files ? { files } : {}) };
}
