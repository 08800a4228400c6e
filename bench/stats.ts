/** Small statistics for benchmarks: medians and percentiles over raw samples (ms). */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const median = (samples: readonly number[]) => percentile(samples, 50);

export function fmt(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

/** Prints a Markdown table (the same text goes into docs/benchmarks.md). */
export function table(header: string[], rows: (string | number)[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
  return lines.join('\n');
}

export async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
}

/**
 * The q-quantile (0–1), in ms, of a Prometheus histogram family in exposition text, interpolated within its
 * bucket as PromQL's histogram_quantile does; NaN when the family is absent or empty.
 */
export function histogramQuantileMs(exposition: string, family: string, q: number): number {
  const buckets = [...exposition.matchAll(new RegExp(`^${family}_bucket\\{le="([^"]+)"\\} ([0-9.e+-]+)$`, 'gm'))].map((m) => ({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), count: Number(m[2]) }));
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const { le, count } of buckets) {
    if (count >= rank) return (le === Infinity ? lower : lower + ((le - lower) * (rank - below)) / Math.max(count - below, 1)) * 1000;
    lower = le;
    below = count;
  }
  return NaN;
}
