import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { createTestDatabase, OfnFixture, utc, type TestDatabase } from './support/database.js';
import { tempDir } from './support/temp-dir.js';

/** The built CLI, as a user runs it (`npm test` builds first). */
const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');

function run(args: string[], input = '', env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

let db: TestDatabase;
let config: string;

beforeAll(async () => {
  db = await createTestDatabase('cli');
  const f = new OfnFixture(db.client);
  const shop = await f.enterprise({ name: 'Mercat Verd', sells: 'any' });
  // Last month relative to the real clock, in Madrid as the CLI reckons it (it has no clock override).
  // Computed in UTC this would be the month before during the first hours of a month in Madrid.
  const lastMonth = DateTime.now().setZone('Europe/Madrid').startOf('month').minus({ months: 1 });
  await f.order(shop, { total: '1850.75', completed_at: utc(lastMonth.set({ day: 15, hour: 12 }).toFormat('yyyy-MM-dd HH:mm'), 'Europe/Madrid') });
  const dir = tempDir('cli');
  config = join(dir, 'ofn-insights.yml');
  writeFileSync(config, `instances:\n  katuma:\n    name: Katuma\n    replica: \${KATUMA_URL}\n    timezone: Europe/Madrid\n    currency: EUR\n`);
});

afterAll(async () => {
  await db?.drop();
});

describe('ofn-insights ask', () => {
  const env = () => ({ KATUMA_URL: db.url });

  it('prints an answer in text, JSON and CSV with exit code 0', async () => {
    const text = await run(['ask', '--config', config, 'turnover katuma last-month'], '', env());
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('€1,850.75');
    const json = await run(['ask', '--config', config, '--format', 'json', 'turnover', 'katuma', 'last-month'], '', env());
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ value: 1850.75, unit: 'EUR', instance: 'katuma', period: { timezone: 'Europe/Madrid' } });
    const csv = await run(['ask', '--config', config, '--format=csv', 'top-shops katuma last-month'], '', env());
    expect(csv.stdout.split('\r\n').slice(0, 2)).toEqual(['enterprise_id,name,value,orders', expect.stringMatching(/^\d+,Mercat Verd,1850\.75,1$/)]);
  });

  it('writes CSV headers in the answer’s language with --headers localized, machine names otherwise, and tells errors in --lang', async () => {
    const spanish = await run(['ask', '--config', config, '--format', 'csv', '--headers', 'localized', '--lang', 'es', 'top-shops katuma last-month'], '', env());
    expect(spanish.code).toBe(0);
    expect(spanish.stdout.split('\r\n').slice(0, 2)).toEqual(['ID de organización,Nombre,Valor,Pedidos', expect.stringMatching(/^\d+,Mercat Verd,1850\.75,1$/)]);
    const english = await run(['ask', '--config', config, '--format', 'csv', '--headers', 'localized', 'turnover katuma last-month'], '', env());
    expect(english.stdout.split('\r\n')[0]).toBe('Question,Instance,From,To,Time zone,Unit,Value');
    const machine = await run(['ask', '--config', config, '--format', 'csv', '--headers', 'machine', 'turnover katuma last-month'], '', env());
    expect(machine.stdout.split('\r\n')[0]).toBe('question,instance,from,to,timezone,unit,value');
    const wrong = await run(['ask', '--config', config, '--format', 'csv', '--headers', 'local', 'turnover katuma last-month'], '', env());
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--headers is localized or machine (got local).');
    const mistyped = await run(['ask', '--config', config, '--lang', 'fr', 'turnover katumaa last-month'], '', env());
    expect(mistyped.code).toBe(2);
    expect(mistyped.stderr).toContain("Il n'y a pas d'instance `katumaa`. Vouliez-vous dire `katuma`\u00a0? Instances\u00a0: katuma.");
  });

  it('exits 2 on bad input with the message on stderr and a JSON error on stdout', async () => {
    const bad = await run(['ask', '--config', config, '--format', 'json', 'turnover katuma 2026-13'], '', env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('`2026-13` is not a period I understand');
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: 'BadPeriod' } });
    const typo = await run(['ask', '--config', config, 'turnovr katuma'], '', env());
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Did you mean `turnover`?');
    const command = await run(['srve', '--config', config]);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/^Unknown command `srve`\. Did you mean `serve`\?\n/);
  });

  it('refuses a bad config with the path of the field', async () => {
    const dir = tempDir('cli-bad');
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'instances:\n  katuma:\n    name: Katuma\n    replica: postgres://x@y/z\n    timezone: Mars/Olympus\n    currency: EUR\n');
    const result = await run(['ask', '--config', bad, 'turnover katuma']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('instances.katuma.timezone');
  });

  it('writes the PNG and the CSV of a growth-story answer under names from its question', async () => {
    const out = tempDir('cli-out');
    const result = await run(['ask', '--config', config, '--out', out, 'funnel katuma last-12-months csv'], '', env());
    expect(result.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['funnel-katuma-last-12-months.csv', 'funnel-katuma-last-12-months.png']);
    expect(readFileSync(join(out, 'funnel-katuma-last-12-months.png')).subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('tells the user when the replica is down, with exit code 1 and no stack trace', async () => {
    const result = await run(['ask', '--config', config, 'turnover katuma last-month'], '', { KATUMA_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Katuma's replica is not answering right now");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('the prompt in another language', () => {
  it('answers and refuses in the language of --lang, as ask does', async () => {
    const result = await run(['start', '--config', config, '--lang', 'es'], 'facturación katuma el mes pasado\nturnovr katuma\n', { KATUMA_URL: db.url, SLACK_BOT_TOKEN: '' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Facturación · Katuma');
    expect(result.stdout).toMatch(/1\.850,75\s€/);
    expect(result.stdout).toContain('¿Querías decir `turnover`?');
    const bad = await run(['start', '--config', config, '--lang', 'xx'], '', { KATUMA_URL: db.url, SLACK_BOT_TOKEN: '' });
    expect(bad.stderr).toContain('--lang is one of en, es, ca, fr, de');
  });
});

describe('ofn-insights demo', () => {
  it('answers questions on embedded data with no PostgreSQL server', async () => {
    // Its own data directory: the demo keeps its database there (never the repository's ./data).
    const dataDir = tempDir('cli-demo');
    const result = await run(['demo'], 'turnover katuma last-month\nnew shops uk last-12-months by month\nturnovr au\n', { OFN_INSIGHTS_DEMO_SCALE: 'tiny', OFN_INSIGHTS_DATA_DIR: dataDir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Turnover · Katuma (demo)');
    expect(result.stdout).toMatch(/€|EUR/);
    expect(result.stdout).toContain('New shops · OFN UK (demo)');
    expect(result.stdout).toContain('Did you mean `turnover`?');
  });
});
