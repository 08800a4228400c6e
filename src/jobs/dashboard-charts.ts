import type { Deps } from '../commands/types.js';
import type { DashboardOutcome } from '../core/outcome.js';
import { chartSpecOf } from '../render/answer-chart.js';
import { renderChart } from '../render/chart.js';
import { fileBase } from '../render/csv.js';

/** A chart file of a dashboard, uploaded before the message that shows it by file id. */
export interface DashboardFile {
  bytes: Buffer;
  filename: string;
  title: string;
  altText: string;
}

/** The chart PNG of each part that asked for one (`… chart` in its question), rendered concurrently; undefined elsewhere. */
export async function dashboardChartFiles(deps: Deps, outcome: DashboardOutcome): Promise<(DashboardFile | undefined)[]> {
  return Promise.all(
    outcome.parts.map(async (part) => {
      if (part.status !== 'answered' || !('presentation' in part.outcome) || !part.outcome.presentation.chart) return undefined;
      const spec = chartSpecOf(part.outcome, deps.config);
      if (!spec) return undefined;
      return { bytes: await renderChart(spec), filename: `${fileBase(part.question)}.png`, title: spec.title, altText: `${spec.title}. ${spec.labels.length} values`.slice(0, 1000) };
    }),
  );
}
