import { fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DateTime } from 'luxon';
import { ask } from '../src/commands/pipeline.js';
import type { Deps } from '../src/commands/types.js';
import { parseConfig } from '../src/installation.js';
import { ReplicaSet } from '../src/queries/replica-set.js';
import { billingLineItems } from '../src/render/billing-lines.js';
import { renderJson } from '../src/render/json.js';
import { bodySize, closedLoop, type LoadResult } from './http-clients.js';
import { fmt, percentile, table } from './stats.js';
import { BUILT_CLI, processCpuMs, recreateDatabase } from './support.js';

const TOKEN = 'bench-api-0123456789abcdef0123456789';
const PLAN = { minimumTurnover: 100, fixed: 5, rate: 0.02, cap: 20, taxRate: 0.21, trialDays: 30, groupBy: 'external_billing_id' };

/** The API's sharing of identical requests in flight, in process: the fair baseline for many clients asking the same thing. */
function sharedInFlight<T>(work: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => (running ??= work().finally(() => (running = undefined)));
}

/** `ofn-insights api` in its own process, on the port it reports. */
async function startApi(config: string, stateUrl: string) {
  const child = spawn(process.execPath, [BUILT_CLI, 'api', '--config', config], {
    // info: the port is read from the "serving" line (one "api request" line per request is part of the cost measured).
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', STATE_DATABASE_URL: stateUrl, BENCH_API_TOKEN: TOKEN },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('api did not start')), 60_000);
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (!line.includes('serving')) return;
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'ofn-insights serving /api/v1' && entry.port) {
          clearTimeout(timer);
          resolve(entry.port);
        }
      } catch {
        /* not JSON */
      }
    });
    child.once('exit', (code) => reject(new Error(`api exited ${code}`)));
  });
  return { port, pid: child.pid!, stop: () => new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.kill('SIGTERM'))) };
}

/**
 * `npm run bench -- api`: `billing-lines` (three closed months, every line) and `answers` through the
 * HTTP API (`ofn-insights api` in its own process), next to the same figures computed by `ask` in this
 * process and rendered the same way; one client, then 50 concurrent clients.
 */
export async function benchApi(adminUrl: string, dataUrl: string, log: (line: string) => void, scale: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-api-'));
  const file = join(dir, 'ofn-insights.yml');
  const document = {
    watchIntervalSeconds: 3600,
    instances: { bench: { name: 'Bench', replica: dataUrl, timezone: 'Europe/Madrid', currency: 'EUR', billing: PLAN } },
    api: { tokens: [{ name: 'bench', token: '${BENCH_API_TOKEN}', instances: ['bench'], billing: true }] },
  };
  writeFileSync(file, JSON.stringify(document)); // JSON is YAML
  // The same API computing every request afresh (only requests arriving while the same one runs share it): the overhead of HTTP alone.
  const freshFile = join(dir, 'fresh.yml');
  writeFileSync(freshFile, JSON.stringify({ ...document, api: { ...document.api, reuseSeconds: 0 } }));
  const config = parseConfig(document, { BENCH_API_TOKEN: TOKEN }, 'bench');
  const replicas = new ReplicaSet(config);
  const deps: Deps = { config, replica: (id) => replicas.get(id), now: () => new Date() };
  const server = await startApi(file, await recreateDatabase(adminUrl, 'bench_api_state'));
  const fresh = await startApi(freshFile, await recreateDatabase(adminUrl, 'bench_api_state_fresh'));
  const headers = { authorization: `Bearer ${TOKEN}` };

  const question = 'turnover bench last-month';
  const months = (() => {
    const start = DateTime.now().setZone('Europe/Madrid').startOf('month');
    return [1, 2, 3].map((i) => start.minus({ months: i }).toFormat('yyyy-LL'));
  })();
  const cases = [
    {
      name: '`answers?q=turnover bench last-month`',
      inProcess: async () => renderJson(await ask(deps, question)).length,
      path: `/api/v1/answers?q=${encodeURIComponent(question)}`,
      total: 500,
    },
    {
      name: '`billing-lines?instance=bench` (3 closed months)',
      inProcess: async () => {
        const reports = await Promise.all(months.map(async (m) => ask(deps, `billing bench ${m}`)));
        return JSON.stringify(reports.flatMap((r) => (r.kind === 'billing' ? billingLineItems(r, { provisional: false, groupedByBillingId: true }) : []))).length;
      },
      path: '/api/v1/billing-lines?instance=bench',
      total: 150,
    },
  ];
  // A closed loop of `concurrency` callers making `total` calls, in this process or over HTTP.
  type Driver = (concurrency: number, total: number) => Promise<LoadResult>;
  const inProcess = (work: () => Promise<unknown>): Driver => (concurrency, total) => closedLoop(concurrency, total, work);
  // The API's clients run in a process of their own (api-clients-process.ts says why), one job at a time.
  const clients = fork(join(import.meta.dirname, 'api-clients-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const api =
    (c: (typeof cases)[number], at: { port: number }): Driver =>
    (concurrency, total) =>
      new Promise<LoadResult>((resolve) => {
        clients.once('message', (r: { times: number[]; failed: number; reasons: string[]; clientCpuMs: number }) => resolve({ ...r, reasons: new Set(r.reasons) }));
        clients.send({ port: at.port, path: c.path, headers, concurrency, total });
      });
  const rows: (string | number)[][] = [];
  try {
    for (const c of cases) {
      const [a, b] = [await c.inProcess(), await bodySize(server.port, c.path, { ...headers, 'accept-encoding': 'gzip' })];
      log(`  ${c.name}: ${a} bytes in process, ${b} bytes over HTTP (gzipped above 8 KB)`);
      const cell = (r: LoadResult) =>
        `${r.times.length ? `${fmt(percentile(r.times, 50))} / ${fmt(percentile(r.times, 99))}` : '-'}${r.failed ? ` (${r.failed} failed: ${[...r.reasons].join('; ')})` : ''}`;
      const overhead = (x: number[], y: number[]) => {
        if (!x.length || !y.length) return '-';
        const pct = (p: number) => ((percentile(y, p) - percentile(x, p)) / percentile(x, p)) * 100;
        return [50, 99].map((p) => `${pct(p) >= 0 ? '+' : ''}${pct(p).toFixed(1)} %`).join(' / ');
      };
      /**
       * One row, after a warm-up. A row compared with another (`versus`), and the rows it is compared with
       * (`baseline`), are warmed with as many calls as they are timed with: the API process has served only a
       * few dozen requests when its first row starts, and a probe of fifty clients over cached answers gave a
       * p99 of 25, 19, 20, 16 and 9 ms in five rounds of 500 after one start, while the JIT caught up.
       */
      const run = async (concurrency: number, total: number, name: string, drive: Driver, versus?: { times: number[] }, process?: { pid: number }, baseline = false) => {
        // Over HTTP, each job of the client process also opens its connections before it times anything.
        await (versus || baseline ? drive(concurrency, total) : drive(Math.min(concurrency, 5), 10));
        const cpuBefore = process ? processCpuMs(process.pid) : 0;
        const result = await drive(concurrency, total);
        const cpu = process ? `${fmt((processCpuMs(process.pid) - cpuBefore) / total)}` : '';
        log(`  ${c.name} c=${concurrency} ${name}: ${cell(result)}${cpu ? ` (CPU per request: API ${cpu} ms, its clients ${fmt(result.clientCpuMs ?? 0)} ms)` : ''}`);
        rows.push([c.name, concurrency, total, name, cell(result), versus ? overhead(versus.times, result.times) : '', cpu]);
        return result;
      };
      const alone = await run(1, 30, '`ask` in process', inProcess(c.inProcess), undefined, undefined, true);
      await run(1, 30, 'HTTP API, `reuseSeconds: 0`', api(c, fresh), alone, fresh);
      await run(50, c.total, '`ask` in process, each request computed', inProcess(c.inProcess));
      const sharedRun = await run(50, c.total, '`ask` in process, requests in flight shared', inProcess(sharedInFlight(c.inProcess)), undefined, undefined, true);
      await run(50, c.total, 'HTTP API, `reuseSeconds: 0` (requests in flight shared)', api(c, fresh), sharedRun, fresh);
      await run(50, c.total, 'HTTP API, default `reuseSeconds: 5`', api(c, server), sharedRun, server);
    }
  } finally {
    await server.stop();
    await fresh.stop();
    await replicas.closeAll();
    clients.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    `Seed \`${scale}\`. API = \`ofn-insights api\` in its own process (state store on PostgreSQL), called from a client process of its own (not the bench process, which computes the in-process rows) over keep-alive connections opened before each row is timed, with \`Accept-Encoding: gzip\`, each body read to its last byte (not unzipped nor parsed: the caller's work, on the caller's machine); in process = \`ask\` and the same rendering in the bench process, each call computed on its own. Closed loop: each client sends its next request when the previous answer arrives. API CPU = the API process's user + system time during the run, per request.`,
    '',
    table(['request', 'clients', 'requests', 'answered by', 'p50 / p99 ms', 'API vs the in-process row above it (one client) or with requests in flight shared (fifty), p50 / p99', 'API CPU ms per request'], rows),
  ].join('\n');
}
