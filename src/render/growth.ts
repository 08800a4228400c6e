import type { GrowthReport } from '../core/outcome.js';
import { toCsv } from './csv-writer.js';
import { bucketLabel } from './format.js';
import { alignTable } from './table.js';

export function growthText(report: GrowthReport): string {
  const lines = [`Growth · ${report.instances.length} instance${report.instances.length === 1 ? '' : 's'} · ${report.periodLabel} (each in its own time zone)`, ''];
  for (const { instance, rows } of report.instances) {
    lines.push(instance.name);
    lines.push(
      alignTable(
        ['Month', 'New profiles', 'New shops', 'Active shops'],
        rows.map((r) => [bucketLabel(r.date, 'month', 'en-GB'), String(r.newProfiles), String(r.newShops), String(r.activeShops)]),
      ),
      '',
    );
  }
  for (const w of report.warnings) lines.push(`⚠ ${w.name}: ${w.message}`);
  return lines.join('\n').trimEnd();
}

export function growthJson(report: GrowthReport): Record<string, unknown> {
  return {
    question: report.question,
    period: report.periodLabel,
    rows: report.instances.flatMap(({ instance, rows }) => rows.map((r) => ({ instance: instance.id, month: r.date, new_profiles: r.newProfiles, new_shops: r.newShops, active_shops: r.activeShops }))),
    warnings: report.warnings.map((w) => ({ instance: w.instance, message: w.message })),
  };
}

export function growthCsv(report: GrowthReport): string {
  return toCsv(
    ['instance', 'month', 'new_profiles', 'new_shops', 'active_shops'],
    report.instances.flatMap(({ instance, rows }) => rows.map((r) => [instance.id, r.date, r.newProfiles, r.newShops, r.activeShops])),
  );
}
