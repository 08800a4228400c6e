/**
 * `npm run demo:pack`: makes the shipped demo database (assets/demo-pgdata.tar.br and its manifest).
 * Seeds the demo from the generator into a new directory exactly as a first start without the shipped
 * copy does, then stores PGlite's data directory as a tar, brotli-compressed. Run it after changing the
 * generator, the OFN schema, the demo's definition or PGlite: test/demo.test.ts fails until then, and
 * until then a first start seeds (correct, only slower).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { assetsDir, DEMO_SCALE, demoFingerprint, SHIPPED_DEMO, startDemo, type ShippedDemoManifest } from './demo.js';

const dataDir = mkdtempSync(join(tmpdir(), 'ofn-demo-pack-'));
try {
  const started = performance.now();
  const demo = await startDemo({ dataDir, scale: DEMO_SCALE, shipped: false, log: (line) => process.stdout.write(`${line}\n`) });
  await demo.close();
  // Only what a start needs: tables without dead rows, and one WAL segment holding little more than the
  // last checkpoint (old segments deleted rather than kept for reuse; a new one is zero-filled).
  const pglite = new PGlite(join(dataDir, 'demo', 'pgdata'), { startParams: [...PGlite.defaultStartParams, '-c', 'wal_recycle=off', '-c', 'min_wal_size=32MB'] });
  await pglite.waitReady;
  for (const statement of ['vacuum full', 'analyze', 'select pg_switch_wal()', 'checkpoint', 'checkpoint']) await pglite.exec(statement);
  const tar = Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer());
  await pglite.close();
  const archive = brotliCompressSync(tar, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: tar.length } });
  const dir = assetsDir();
  writeFileSync(join(dir, SHIPPED_DEMO.archive), archive);
  const manifest: ShippedDemoManifest = { fingerprint: demoFingerprint(DEMO_SCALE), scale: DEMO_SCALE, tarBytes: tar.length };
  writeFileSync(join(dir, SHIPPED_DEMO.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  process.stdout.write(`Wrote ${join(dir, SHIPPED_DEMO.archive)} (${(archive.length / 1e6).toFixed(1)} MB, tar ${(tar.length / 1e6).toFixed(1)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s, fingerprint ${manifest.fingerprint}.\n`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
