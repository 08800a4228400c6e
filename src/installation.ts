import { parseSettings, readConfigDocument, type Settings } from './config/config.js';
import { OfnError } from './core/errors.js';
import { buildRegistry, type Registry } from './queries/registry.js';

/**
 * An installation: its validated configuration and the registry of segments and metrics built from
 * it (built-ins plus the custom ones, from a closed vocabulary). Built here, above config/ and queries/,
 * so neither imports the other.
 */
export interface Config extends Settings {
  readonly registry: Registry;
}

/** Validates a config document and builds its registry. Throws ConfigInvalid naming each bad field. */
export function parseConfig(document: unknown, env: NodeJS.ProcessEnv = process.env, source = 'configuration'): Config {
  const settings = parseSettings(document, env, source);
  try {
    return Object.freeze({ ...settings, registry: buildRegistry({ ...settings.definitions.segments }, { ...settings.definitions.metrics }) });
  } catch (error) {
    if (error instanceof OfnError) throw new OfnError('ConfigInvalid', error.message.replace('Invalid configuration:', `Invalid configuration in ${source}:`));
    throw error;
  }
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  return parseConfig(readConfigDocument(file), env, file);
}
