import { ask } from '../commands/pipeline.js';
import type { Deps } from '../commands/types.js';
import type { Grant } from '../core/access.js';
import type { Logger } from '../core/log.js';
import { chartSpecOf } from '../render/answer-chart.js';
import { renderChart } from '../render/chart.js';
import { dashboardLanguage, dashboardMessages, type ChartRef } from '../render/dashboard.js';
import { isEmptyOutcome, pulseLabel, pulseMessage, slackMessage } from '../render/slack-message.js';
import type { DashboardOutcome } from '../core/outcome.js';
import { dashboardChartFiles } from './dashboard-charts.js';
import { activePulses, advancePulseSlot } from '../state/pulses.js';
import type { StateDb } from '../state/store.js';
import { enqueue, type OutboxMessage } from './outbox.js';
import { parseSchedule, slotsBetween } from '../core/schedule.js';

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
  const pulses = await activePulses(db);
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
        await advancePulseSlot(db, pulse.id, newest.at);
      }
    } catch (error) {
      // One broken pulse must not stop the others.
      logger.error({ pulse: pulse.id, err: (error as Error).message }, 'pulses: cannot schedule');
    }
  }
  return { enqueued, skipped };
}

/** The message for a pulse slot: the answer as in Slack, plus which pulse and slot, and "late" if it is. */
export async function composePulse(deps: Deps, source: PulseSource, grant: Grant): Promise<OutboxMessage | null> {
  // Answered as the pulse's channel would be: `all` means what that channel may see, now.
  const outcome = await ask(deps, source.question, undefined, { grant });
  if (outcome.kind === 'help' || outcome.kind === 'notice') return null;
  if (source.onlyIfResults && isEmptyOutcome(outcome)) return null;
  if (outcome.kind === 'dashboard') return composeDashboardPulse(deps, source, outcome);
  const message = pulseMessage(outcome, source);
  // `… chart` in a pulse's question: the chart goes with the digest (the figures are in the message).
  const spec = 'presentation' in outcome && outcome.presentation.chart ? chartSpecOf(outcome, deps.config) : undefined;
  const files = spec ? [{ filename: `pulse-${source.pulseId}.png`, title: spec.title, altText: spec.title, base64: (await renderChart(spec)).toString('base64') }] : undefined;
  return { ...message, ...(files ? { files } : {}) };
}

/**
 * A dashboard pulse: its charts travel as images the outbox uploads before the message (placed by file
 * id, `upload:<i>` until then); past Slack's limits the rest goes in further messages.
 */
async function composeDashboardPulse(deps: Deps, source: PulseSource, outcome: DashboardOutcome): Promise<OutboxMessage> {
  const files = await dashboardChartFiles(deps, outcome);
  const images: NonNullable<OutboxMessage['images']> = [];
  const charts = files.map((file): ChartRef | undefined => {
    if (!file) return undefined;
    images.push({ filename: file.filename, title: file.title, altText: file.altText, base64: file.bytes.toString('base64') });
    return { fileId: `upload:${images.length - 1}`, title: file.title, altText: file.altText };
  });
  // In the language of the dashboard's own words (as dashboardMessages writes them for a channel).
  const footer = pulseLabel(source, dashboardLanguage(outcome), true);
  const [first, ...more] = dashboardMessages(outcome, { charts, messageOf: (o) => slackMessage(o, { ephemeral: false, digest: true }), footer });
  return { text: `${source.late ? '[late] ' : ''}${first!.text}`, blocks: first!.blocks, ...(images.length ? { images } : {}), ...(more.length ? { more } : {}) };
}
