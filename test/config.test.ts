import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadConfig, parseConfig } from '../src/installation.js';
import { OfnError } from '../src/core/errors.js';

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
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const good = join(dir, 'good.yml');
    writeFileSync(good, 'instances:\n  katuma:\n    name: Katuma\n    replica: postgres://r@h/k\n    timezone: Europe/Madrid\n    currency: EUR\n');
    expect(loadConfig(good, {}).instances.get('katuma')!.name).toBe('Katuma');
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'instances: [unclosed');
    expect(() => loadConfig(bad, {})).toThrow(/not valid YAML/);
    expect(() => loadConfig(join(dir, 'missing.yml'), {})).toThrow(/Cannot read configuration file .*ENOENT/);
  });
});
