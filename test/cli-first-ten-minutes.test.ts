import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The terminal as a new user meets it: `ask` from the demo (with --demo, or with no config at all) in
 * every format, charts and CSVs written as files and named, `public` noted, the demo's state store at
 * the prompt. The built CLI, run from a directory of its own; the demo at tiny scale in a data
 * directory of its own.
 */
const CLI = join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');
const home = mkdtempSync(join(tmpdir(), 'first-ten-'));
const dataDir = join(home, 'data');
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OFN_INSIGHTS_|STATE_DATABASE_URL|SLACK_)/.test(k))),
  LOG_LEVEL: 'silent',
  OFN_INSIGHTS_DATA_DIR: dataDir,
  OFN_INSIGHTS_DEMO_SCALE: 'tiny',
};

function run(args: string[], input = '', extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: home, env: { ...env, ...extraEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

let firstStart: { code: number; stdout: string };

beforeAll(async () => {
  firstStart = await run(['start'], 'quit\n');
}, 600_000);

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('the demo, started', () => {
  it('says what it does while it seeds on its first start, then shows the prompt’s banner', () => {
    expect(firstStart.code).toBe(0);
    expect(firstStart.stdout).toContain(`Opening the embedded demo (${join(dataDir, 'demo')})…`);
    expect(firstStart.stdout).toContain('Seeding three demo OFN instances');
    expect(firstStart.stdout).toMatch(/Katuma \(demo\): \d+ enterprises, [\d,]+ orders/);
    expect(firstStart.stdout).toContain('Its clock is stopped at Wed, 18 Nov 2026, 12:00 (Madrid)');
    expect(existsSync(join(dataDir, 'demo', 'seeded.json'))).toBe(true);
  });

  it('does not seed on a later start', async () => {
    const later = await run(['demo'], 'quit\n');
    expect(later.code).toBe(0);
    expect(later.stdout).toContain('Opening the embedded demo');
    expect(later.stdout).not.toContain('Seeding');
  }, 120_000);
});

describe('the demo, one process at a time', () => {
  it('seeds again with --fresh, saying why', async () => {
    const fresh = await run(['demo', '--fresh'], 'turnover katuma last-month\n');
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain('Seeding three demo OFN instances');
    expect(fresh.stdout).toContain('(--fresh; done once, then reused)');
    expect(fresh.stdout).toContain('Turnover · Katuma (demo)');
  }, 600_000);

  it('tells another process that a prompt has the demo open, and what to do', async () => {
    const prompt = spawn(process.execPath, [CLI, 'demo'], { cwd: home, env });
    let banner = '';
    await new Promise<void>((resolve, reject) => {
      prompt.stdout.on('data', (d) => {
        banner += d;
        if (banner.includes('Demo instances:')) resolve();
      });
      prompt.on('exit', () => reject(new Error(`the prompt exited: ${banner}`)));
    });
    try {
      const refused = await run(['ask', '--demo', 'turnover katuma last-month']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`is open in another ofn-insights process (pid ${prompt.pid}).`);
      expect(refused.stderr).toContain('Quit that prompt first, or give this one a directory of its own');
    } finally {
      prompt.stdin.end('quit\n');
      await new Promise((resolve) => prompt.once('close', resolve));
    }
    // Closed: the next one gets in.
    expect((await run(['ask', '--demo', 'orders katuma last-month'])).code).toBe(0);
  }, 180_000);
});

describe('ofn-insights ask from the demo', () => {
  it('answers with --demo in text, JSON and CSV', async () => {
    const text = await run(['ask', '--demo', 'turnover katuma last-month']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Turnover · Katuma \(demo\)\nlast-month: 1 Oct 2026 – 31 Oct 2026 \(Europe\/Madrid\)/);
    expect(text.stderr).toContain('Opening the embedded demo');
    const json = await run(['ask', '--demo', '--format', 'json', 'orders au last-month']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ unit: 'count', instance: 'au', period: { timezone: 'Australia/Melbourne', label: 'last-month' } });
    const csv = await run(['ask', '--demo', '--format', 'csv', 'top-shops 3 uk 2026']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toBe('enterprise_id,name,value,orders');
  }, 180_000);

  it('answers from the demo when there is no config, and says so on stderr, not in the answer', async () => {
    const result = await run(['ask', '--format', 'json', 'orders katuma last-month']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('No configuration: answering from the embedded demo');
    expect(JSON.parse(result.stdout)).toMatchObject({ instance: 'katuma', unit: 'count' });
  }, 120_000);

  it('uses the config when one is given, and never the demo', async () => {
    const config = join(home, 'missing.yml');
    const result = await run(['ask', '--config', config, 'orders katuma last-month']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Cannot read configuration file ${config}`);
    expect(result.stderr).not.toContain('demo');
  }, 60_000);

  it('writes a chart as a PNG to --out and says where; a single figure says it has no chart', async () => {
    const chart = await run(['ask', '--out', 'charts', 'new shops katuma last-12-months by month chart']);
    expect(chart.code).toBe(0);
    expect(chart.stderr).toContain('Chart: ./charts/new-shops-katuma-last-12-months-by-month.png');
    const png = readFileSync(join(home, 'charts', 'new-shops-katuma-last-12-months-by-month.png'));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const single = await run(['ask', 'turnover katuma last-month chart']);
    expect(single.code).toBe(0);
    expect(single.stderr).toContain('A single figure has no chart: add a breakdown such as `by month` or `by shop`.');
  }, 180_000);
});

describe('the prompt', () => {
  it('writes CSVs and charts as files, for a question or the previous answer, and notes public', async () => {
    const out = join(home, 'prompt-files');
    const session = await run(
      ['demo', '--out', out],
      ['csv', 'orders uk last-quarter by month csv', 'chart', 'top-shops 3 au last-month public'].join('\n'),
    );
    expect(session.code).toBe(0);
    const [beforeAnything, csvAnswer, chartAgain, publicAnswer] = session.stdout.split(/^ofn> /m).slice(1);
    expect(beforeAnything).toContain('Ask a question first; `csv` then writes its CSV to a file.');
    // Paths as typed from the current directory.
    expect(csvAnswer).toContain('CSV: ./prompt-files/orders-uk-last-quarter-by-month.csv');
    const csv = await run(['ask', '--demo', '--format', 'csv', 'orders uk last-quarter by month']);
    expect(readFileSync(join(out, 'orders-uk-last-quarter-by-month.csv'), 'utf8')).toBe(csv.stdout.replace(/\n$/, ''));
    // `chart` alone: the previous question again, drawn.
    expect(chartAgain).toMatch(/^chart\nSales orders · OFN UK \(demo\)/);
    expect(chartAgain).toContain('Chart: ./prompt-files/orders-uk-last-quarter-by-month.png');
    expect(existsSync(join(out, 'orders-uk-last-quarter-by-month.png'))).toBe(true);
    expect(publicAnswer).toContain('Top shops by turnover · OFN Australia (demo)');
    expect(publicAnswer).toContain('`public` only matters in Slack');
  }, 180_000);

  it('keeps the demo’s state: pulses stored and noted as never posted, billing as sent', async () => {
    const session = await run(['demo'], ['pulse add turnover katuma last-week weekly mon 09:00', 'pulse list', 'billing katuma as-sent', 'billing katuma 2026-07 as-sent'].join('\n'));
    expect(session.code).toBe(0);
    const [added, listed, sent, notSent] = session.stdout.split(/^ofn> /m).slice(1);
    expect(added).toContain('Pulse #1: `turnover katuma last-week` weekly mon 09:00 (Europe/Madrid) in #demo. Next: 2026-11-23 09:00.');
    expect(added).toContain('The demo stores pulses and watches but posts nothing');
    expect(listed).toContain('#1 `turnover katuma last-week` weekly mon 09:00 (Europe/Madrid) → #demo · active');
    expect(sent).toMatch(/^billing katuma as-sent\nBilling · Katuma \(demo\) · October 2026/);
    expect(notSent).toContain('No billing for Katuma (demo) 2026-07 has been sent yet.\n`billing katuma 2026-07` (without as-sent) computes it from the replica now.');
  }, 180_000);
});

describe('as-sent with a config and no state store', () => {
  it('says what to do instead', async () => {
    const config = join(home, 'ofn-insights.yml');
    writeFileSync(
      config,
      'instances:\n  katuma:\n    name: Katuma\n    replica: postgres://nobody@127.0.0.1:1/none\n    timezone: Europe/Madrid\n    currency: EUR\n    billing:\n      minimumTurnover: 100\n      fixed: 5\n      rate: 0.02\n      taxRate: 0.21\n',
    );
    const result = await run(['ask', '--config', config, 'billing katuma 2026-10 as-sent'], '', { OFN_INSIGHTS_DATA_DIR: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('as-sent shows what the monthly post stored, and the state store is not available here.');
    expect(result.stderr).toContain('`billing katuma 2026-10` (without as-sent) computes it from the replica now.');
  }, 60_000);
});
