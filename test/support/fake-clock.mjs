/**
 * A wall clock for one test run, preloaded into every Node process of the run with
 * `NODE_OPTIONS=--import=./test/support/fake-clock.mjs` (`npm run test:month-start`), because neither
 * `TZ` tricks nor libfaketime are available and the CLI and `serve` run as child processes.
 *
 * OFN_TEST_CLOCK=madrid-month-start   the run starts at 00:02 on the 1st of the current month in Madrid
 * OFN_TEST_CLOCK=2026-11-01T00:02+01:00  or at any instant
 *
 * The clock keeps running from there. The offset is computed once, by the first process, and handed to
 * child processes in OFN_TEST_CLOCK_OFFSET_MS, so every process of the run agrees on the time.
 *
 * Only Date is shifted (Date.now, `new Date()`, luxon's DateTime.now): timers, performance.now and
 * PostgreSQL's now() keep real time. Worker threads do not run preloads, so Worker is wrapped to load
 * this module first in every worker a process starts (the serve answer worker).
 */
import { resolve } from 'node:path';
import { syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';
import workerThreads from 'node:worker_threads';
import { DateTime } from 'luxon';

const spec = process.env.OFN_TEST_CLOCK;
if (spec) {
  let offset = Number(process.env.OFN_TEST_CLOCK_OFFSET_MS);
  if (!process.env.OFN_TEST_CLOCK_OFFSET_MS || !Number.isFinite(offset)) {
    const target =
      spec === 'madrid-month-start'
        ? DateTime.now().setZone('Europe/Madrid').startOf('month').plus({ minutes: 2 })
        : DateTime.fromISO(spec, { setZone: true });
    if (!target.isValid) throw new Error(`OFN_TEST_CLOCK: ${spec} is not madrid-month-start or an ISO instant`);
    offset = target.toMillis() - Date.now();
    process.env.OFN_TEST_CLOCK_OFFSET_MS = String(offset);
  }
  const RealDate = Date;
  const now = () => RealDate.now() + offset;
  // A proxy, not a subclass: `instanceof Date` stays true for dates made before and after the patch.
  globalThis.Date = new Proxy(RealDate, {
    construct: (target, args, newTarget) => Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget),
    apply: () => new RealDate(now()).toString(),
    get: (target, property, receiver) => (property === 'now' ? now : Reflect.get(target, property, receiver)),
  });

  const RealWorker = workerThreads.Worker;
  const self = import.meta.url;
  workerThreads.Worker = class ClockedWorker extends RealWorker {
    constructor(filename, options = {}) {
      if (options.eval) {
        super(filename, options); // none in this code base; left alone
        return;
      }
      const target = filename instanceof URL ? filename.href : pathToFileURL(resolve(String(filename))).href;
      super(`import(${JSON.stringify(self)}).then(() => import(${JSON.stringify(target)}))`, { ...options, eval: true });
    }
  };
  syncBuiltinESMExports(); // `import { Worker } from 'node:worker_threads'` now gets the wrapper
}
