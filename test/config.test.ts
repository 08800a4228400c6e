import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../src/installation.js';
import { OfnError } from '../src/core/errors.js';
import { checkConfigDashboards } from '../src/commands/check-dashboards.js';
import { tempDir } from './support/temp-dir.js';

function failure(document: unknown, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseConfig(document, env, 'ofn-insights.yml');
  } catch (e) {
    expect(e).toBeInstanceOf(OfnError);
    return (e as OfnError).message;
  }
  throw new Error('expected the config to be refused');
}

const katuma = { name: 'Katuma', replica: 'postgres://reader@db/katuma', timezone: 'Europe/Madrid', currency: 'EUR' };

describe('configuration', () => {
  it('resolves defaults and expands ${VAR} from the environment', () => {
    const config = parseConfig({ instances: { katuma: { ...katuma, replica: '${KATUMA_REPLICA_URL}' } } }, { KATUMA_REPLICA_URL: 'postgres://r@h/k' });
    const instance = config.instances.get('katuma')!;
    expect(instance).toMatchObject({ id: 'katuma', replica: 'postgres://r@h/k', statementTimeoutSeconds: 25, poolSize: 4, schema: 'public', locale: 'en-GB' });
    expect(Object.isFrozen(instance)).toBe(true);
  });

  it('names the path of each bad field and what was expected', () => {
    const message = failure({ instances: { katuma: { ...katuma, timezone: 'Madrid', currency: 'euro' } } });
    expect(message).toContain('instances.katuma.timezone: an IANA time zone such as Europe/Madrid');
    expect(message).toContain('instances.katuma.currency: a three-letter ISO 4217 code');
  });

  it('refuses unknown keys, missing env vars, reserved ids and empty configs', () => {
    expect(failure({ instances: { katuma: { ...katuma, timezon: 'x' } } })).toContain('instances.katuma');
    expect(failure({ instances: { katuma: { ...katuma, replica: '${NOPE}' } } })).toContain('instances.katuma.replica: environment variable NOPE is not set');
    expect(failure({ instances: { all: katuma } })).toContain('instances.all');
    expect(failure({ instances: {} })).toContain('at least one instance');
    expect(failure(null)).toContain('instances');
  });

  it('loads YAML files and reports unreadable or malformed ones', () => {
    const dir = tempDir('cfg');
    const good = join(dir, 'good.yml');
    writeFileSync(good, 'instances:\n  katuma:\n    name: Katuma\n    replica: postgres://r@h/k\n    timezone: Europe/Madrid\n    currency: EUR\n');
    expect(loadConfig(good, {}).instances.get('katuma')!.name).toBe('Katuma');
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'instances: [unclosed');
    expect(() => loadConfig(bad, {})).toThrow(/not valid YAML/);
    expect(() => loadConfig(join(dir, 'missing.yml'), {})).toThrow(/Cannot read configuration file .*ENOENT/);
  });
});

describe('dashboards in the config', () => {
  const france = { ...katuma, name: 'OFN France', timezone: 'Europe/Paris' };
  const withDashboard = (questions: string[]) =>
    parseConfig({ instances: { katuma, france }, dashboards: { 'katuma-monthly': { title: 'Katuma, monthly', questions } } }, {}, 'ofn-insights.yml');
  function refusal(questions: string[]): string {
    try {
      checkConfigDashboards(withDashboard(questions));
    } catch (e) {
      expect(e).toBeInstanceOf(OfnError);
      expect((e as OfnError).code).toBe('ConfigInvalid');
      return (e as OfnError).message;
    }
    throw new Error('expected the dashboard to be refused');
  }

  it('accepts questions that parse against the route table, on known instances or all', () => {
    expect(() =>
      checkConfigDashboards(withDashboard(['turnover katuma last-month by shop', 'new-shops katuma last-month', 'active-shops katuma last-month', 'funnel katuma last-12-months', 'turnover all last-3-months by month chart', 'billing katuma 2026-10'])),
    ).not.toThrow();
  });

  it('refuses a question that does not parse, naming its field path and a suggestion', () => {
    const message = refusal(['turnover katuma last-month', 'new-shops katuma last-month', 'turnovr katuma last-month']);
    expect(message).toContain('Invalid configuration in ofn-insights.yml:');
    expect(message).toContain('dashboards.katuma-monthly.questions.2: `turnovr katuma last-month`: I don\'t know the question `turnovr`. Did you mean `turnover`?');
    // Only the bad one is named.
    expect(message).not.toContain('questions.0');
    expect(message).not.toContain('questions.1');
  });

  it('refuses an unknown instance with the closest known one, and names every bad question at once', () => {
    const message = refusal(['turnover katumaa last-month', 'orders spain last-month']);
    expect(message).toContain('dashboards.katuma-monthly.questions.0: `turnover katumaa last-month`: There is no instance `katumaa`. Did you mean `katuma`?');
    expect(message).toMatch(/dashboards\.katuma-monthly\.questions\.1: `orders spain last-month`: .*`spain`.*katuma, france/);
  });

  it('refuses management commands, help and a dashboard inside a dashboard', () => {
    const message = refusal(['pulse list', 'help', 'dashboard other', 'save monthly turnover katuma last-month', 'turnover katuma last-month']);
    expect(message).toContain('dashboards.katuma-monthly.questions.0: `pulse list`: not a question');
    expect(message).toContain('dashboards.katuma-monthly.questions.1: `help`: not a question');
    expect(message).toContain('dashboards.katuma-monthly.questions.2: `dashboard other`: a dashboard can’t hold another dashboard');
    expect(message).toContain('dashboards.katuma-monthly.questions.3: `save monthly turnover katuma last-month`: not a question');
    expect(message).not.toContain('questions.4');
  });

  it('stops serve before it starts anything', async () => {
    const { serve } = await import('../src/slack/serve.js');
    // No Slack token at all: the config is refused first, by its path.
    await expect(serve(withDashboard(['turnover katuma last-month', 'turnover katuma last-mont']), {})).rejects.toThrow(/dashboards\.katuma-monthly\.questions\.1: `turnover katuma last-mont`: .*last-mont/);
  });
});
