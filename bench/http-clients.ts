import { Agent, request as httpRequest } from 'node:http';

/** What a closed loop measured: each call's latency in ms, how many failed, and why. */
export interface LoadResult {
  times: number[];
  failed: number;
  reasons: Set<string>;
}

/** Runs `total` calls of `work`, `concurrency` at a time (closed loop): each call's latency in ms, and how many failed. */
export async function closedLoop(concurrency: number, total: number, work: () => Promise<unknown>): Promise<LoadResult> {
  const times: number[] = [];
  let started = 0;
  let failed = 0;
  const reasons = new Set<string>();
  const client = async () => {
    while (started < total) {
      started++;
      const t = performance.now();
      try {
        await work();
        times.push(performance.now() - t);
      } catch (error) {
        failed++;
        reasons.add((error as Error).message.slice(0, 120));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { times, failed, reasons };
}

/**
 * One GET as an integration platform makes it: keep-alive, `Accept-Encoding: gzip`, the body read to its
 * last byte and counted, not unzipped nor parsed (that is the caller's CPU on the caller's machine, not
 * the API's; the bench's fifty clients share the API's two cores). Resolves with the bytes received.
 */
export function get(agent: Agent, port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent, headers: { ...headers, 'accept-encoding': 'gzip' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
