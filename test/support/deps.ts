import { parseConfig, type Config } from '../../src/installation.js';
import type { Deps } from '../../src/commands/types.js';
import { ReplicaSet } from '../../src/queries/replica-set.js';

export interface TestInstance {
  id: string;
  url: string;
  timezone: string;
  currency?: string;
  name?: string;
  locale?: string;
  statementTimeoutSeconds?: number;
}

export function testConfig(instances: TestInstance[], access: unknown[] = []): Config {
  return parseConfig(
    {
      access,
      instances: Object.fromEntries(
        instances.map((i) => [
          i.id,
          {
            name: i.name ?? i.id[0]!.toUpperCase() + i.id.slice(1),
            replica: i.url,
            timezone: i.timezone,
            currency: i.currency ?? 'EUR',
            locale: i.locale ?? 'en-GB',
            ...(i.statementTimeoutSeconds ? { statementTimeoutSeconds: i.statementTimeoutSeconds } : {}),
          },
        ]),
      ),
    },
    {},
    'test',
  );
}

/** Deps on real replicas with a fixed clock. Call close() in afterAll. */
export function testDeps(instances: TestInstance[], now: Date, access: unknown[] = []): Deps & { close(): Promise<void> } {
  const config = testConfig(instances, access);
  const replicas = new ReplicaSet(config);
  return { config, replica: (id) => replicas.get(id), now: () => now, close: () => replicas.closeAll() };
}
