import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { ask } from '../src/commands/pipeline.js';
import { assetsDir, DEMO_NOW, DEMO_SCALE, demoFingerprint, recordedBillingMonths, SHIPPED_DEMO, startDemo, type Demo, type ShippedDemoManifest } from '../src/demo.js';
import { renderJson } from '../src/render/json.js';

/**
 * The embedded demo: seeded once into a directory and reused, seeded again when the generator changes
 * or on --fresh, its clock stopped, one process at a time, a state store of its own. Tiny scale: the
 * seeding is the same code at any scale.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'ofn-demo-'));
const marker = join(dataDir, 'demo', 'seeded.json');
const open = (options: { fresh?: boolean } = {}) => startDemo({ dataDir, scale: 'tiny', ...options });

async function figure(demo: Demo, question: string): Promise<unknown> {
  return JSON.parse(renderJson(await ask(demo.deps, question, demo.state, { who: demo.who })));
}

let firstAnswer: unknown;

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the demo database on disk', () => {
  beforeAll(async () => {
    const demo = await open();
    try {
      expect(demo.seeded).toBe(true);
      firstAnswer = await figure(demo, 'turnover katuma last-month');
      // Something a later start must still find: the state store lives in the same database.
      await ask(demo.deps, 'save weekly turnover katuma last-week', demo.state, { who: demo.who });
      await ask(demo.deps, 'pulse add weekly weekly mon 09:00', demo.state, { who: demo.who });
    } finally {
      await demo.close();
    }
  }, 300_000);

  it('is seeded once, marked with the generator fingerprint, and reused with its state on the next start', async () => {
    expect(JSON.parse(readFileSync(marker, 'utf8'))).toMatchObject({ fingerprint: demoFingerprint('tiny') });
    const demo = await open();
    try {
      expect(demo.seeded).toBe(false);
      expect(await figure(demo, 'turnover katuma last-month')).toEqual(firstAnswer);
      const pulses = await ask(demo.deps, 'pulse list', demo.state, { who: demo.who });
      expect(pulses).toMatchObject({ kind: 'notice', text: expect.stringContaining('`turnover katuma last-week` weekly mon 09:00') });
    } finally {
      await demo.close();
    }
  }, 120_000);

  it('is seeded again in place when the generator fingerprint differs: the same data, the state kept', async () => {
    writeFileSync(marker, JSON.stringify({ fingerprint: 'an-older-generator', seededAt: '2026-01-01T00:00:00Z' }));
    const demo = await open();
    try {
      expect(demo.seeded).toBe(true);
      expect(await figure(demo, 'turnover katuma last-month')).toEqual(firstAnswer);
      expect(await ask(demo.deps, 'pulse list', demo.state, { who: demo.who })).toMatchObject({ text: expect.stringContaining('`turnover katuma last-week`') });
      // The billing posts are recorded again from the new data: nothing differs from the bill computed now.
      const recomputed = await ask(demo.deps, 'billing katuma 2026-10', demo.state);
      expect(recomputed).toMatchObject({ kind: 'billing' });
      expect(recomputed).not.toHaveProperty('changes');
    } finally {
      await demo.close();
    }
    expect(JSON.parse(readFileSync(marker, 'utf8'))).toMatchObject({ fingerprint: demoFingerprint('tiny') });
  }, 300_000);

  it('starts over with fresh, even when current: seeded, and the state store empty', async () => {
    const demo = await open({ fresh: true });
    try {
      expect(demo.seeded).toBe(true);
      expect(await ask(demo.deps, 'pulse list', demo.state, { who: demo.who })).toMatchObject({ text: expect.stringContaining('No pulses') });
    } finally {
      await demo.close();
    }
  }, 300_000);

  it('is seeded again when a start was interrupted before the marker was written', async () => {
    rmSync(marker);
    const demo = await open();
    try {
      expect(demo.seeded).toBe(true);
    } finally {
      await demo.close();
    }
    expect(existsSync(marker)).toBe(true);
  }, 300_000);

  it('keeps a second process out while one has it open, and takes over from one that died', async () => {
    const lock = join(dataDir, 'demo', 'lock');
    // A live process that is not us: the lock names it and the demo refuses to open.
    const sleeper: ChildProcess = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(lock, String(sleeper.pid));
      await expect(open()).rejects.toMatchObject({ code: 'BadArguments', message: expect.stringContaining(`pid ${sleeper.pid}`) });
      expect(readFileSync(lock, 'utf8')).toBe(String(sleeper.pid));
    } finally {
      sleeper.kill();
      await new Promise((resolve) => sleeper.once('exit', resolve));
    }
    // The same lock, its process gone: taken over, and released on close.
    const demo = await open();
    try {
      expect(demo.seeded).toBe(false);
      expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
    } finally {
      await demo.close();
    }
    expect(existsSync(lock)).toBe(false);
  }, 120_000);
});

describe('the shipped demo database (assets/, npm run demo:pack)', () => {
  const dirs: string[] = [];
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ofn-demo-shipped-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('is current: made by this generator, schema, PGlite and demo definition (else run npm run demo:pack)', () => {
    const manifest = JSON.parse(readFileSync(join(assetsDir(), SHIPPED_DEMO.manifest), 'utf8')) as ShippedDemoManifest;
    expect(existsSync(join(assetsDir(), SHIPPED_DEMO.archive))).toBe(true);
    expect(manifest, 'the shipped demo was made by another generator: run `npm run demo:pack` and commit assets/').toMatchObject({ fingerprint: demoFingerprint(DEMO_SCALE), scale: DEMO_SCALE });
  });

  it('is unpacked by a first start instead of seeding, answers exactly as a demo seeded now, and is reused after', async () => {
    const questions = ['turnover katuma last-month', 'new shops uk last-12-months by month', 'top-shops 3 au 2026', 'orders all last-month', 'billing katuma 2026-10 as-sent'];
    const answersOf = async (demo: Demo) => Promise.all(questions.map((q) => figure(demo, q)));
    const unpackedDir = newDir();
    const said: string[] = [];
    const unpacked = await startDemo({ dataDir: unpackedDir, log: (line) => said.push(line) });
    let fromShipped: unknown[];
    try {
      expect(unpacked.seeded).toBe(true);
      expect(said.join('\n')).toMatch(/^Unpacking three demo OFN instances into .* \(first start; done once, then reused\)…$/);
      expect(said.join('\n')).not.toContain('Seeding');
      fromShipped = await answersOf(unpacked);
    } finally {
      await unpacked.close();
    }
    expect(JSON.parse(readFileSync(join(unpackedDir, 'demo', 'seeded.json'), 'utf8'))).toMatchObject({ fingerprint: demoFingerprint(DEMO_SCALE) });
    expect(existsSync(join(unpackedDir, 'demo', 'pgdata.unpacking'))).toBe(false);
    const again = await startDemo({ dataDir: unpackedDir });
    try {
      expect(again.seeded).toBe(false);
      expect(await answersOf(again)).toEqual(fromShipped);
    } finally {
      await again.close();
    }
    // The generator, run now, makes the same data (and the same recorded billing posts).
    const seeded = await startDemo({ dataDir: newDir(), shipped: false });
    try {
      expect(seeded.seeded).toBe(true);
      expect(await answersOf(seeded)).toEqual(fromShipped);
    } finally {
      await seeded.close();
    }
  }, 600_000);
});

describe('the demo as Slack would have it', () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await open();
  }, 300_000);
  afterAll(async () => {
    await demo?.close();
  });

  it('has a stopped clock: last-month is October 2026 in each instance’s zone, whatever today is', async () => {
    expect(demo.deps.now().toISOString()).toBe(DEMO_NOW.toISOString());
    expect(await figure(demo, 'orders katuma last-month')).toMatchObject({
      period: { from: '2026-10-01T00:00:00.000+02:00', to: '2026-11-01T00:00:00.000+01:00', timezone: 'Europe/Madrid' },
    });
    expect(await figure(demo, 'orders au last-month')).toMatchObject({
      period: { from: '2026-10-01T00:00:00.000+10:00', to: '2026-11-01T00:00:00.000+11:00', timezone: 'Australia/Melbourne' },
    });
  });

  it('shows Katuma’s last billing posts as sent, on the 1st at 09:00 in Madrid, equal to the bill computed now', async () => {
    const months = recordedBillingMonths();
    expect(months).toEqual(['2026-08', '2026-09', '2026-10']);
    const sent = await ask(demo.deps, 'billing katuma as-sent', demo.state);
    expect(sent).toMatchObject({ kind: 'billing', month: '2026-10' });
    if (sent.kind !== 'billing') throw new Error('not billing');
    expect(DateTime.fromJSDate(sent.sentAt!, { zone: 'Europe/Madrid' }).toFormat('yyyy-LL-dd HH:mm')).toBe('2026-11-01 09:00');
    const now = await ask(demo.deps, 'billing katuma 2026-10', demo.state);
    if (now.kind !== 'billing') throw new Error('not billing');
    expect(now.hash).toBe(sent.hash);
    expect(now.changes).toBeUndefined();
    // A month the demo did not record is refused as in serve.
    await expect(ask(demo.deps, 'billing katuma 2026-07 as-sent', demo.state)).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('stores saved questions and pulses for its requester, as serve does', async () => {
    await expect(ask(demo.deps, 'save top turnover katuma last-week', demo.state, { who: demo.who })).resolves.toMatchObject({ kind: 'notice', action: 'save' });
    await expect(ask(demo.deps, 'saved', demo.state, { who: demo.who })).resolves.toMatchObject({ text: expect.stringContaining('`top`: `turnover katuma last-week`') });
    const added = await ask(demo.deps, 'pulse add top daily 08:00', demo.state, { who: demo.who });
    // Next slot from the demo's clock (Wednesday 18 November 2026, 12:00 in Madrid).
    expect(added).toMatchObject({ kind: 'notice', action: 'pulse-add', text: expect.stringContaining('Next: 2026-11-19 08:00') });
  });
});
