import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { withDatabase } from './global-setup.js';
import { openStateStore, type StateStore } from '../../src/state/store.js';

/** A fresh, migrated state database on the test cluster (real PostgreSQL, like production with several processes). */
export async function createStateStore(): Promise<StateStore & { url: string; drop(): Promise<void> }> {
  const adminUrl = inject('pgAdminUrl');
  const name = `state_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const store = await openStateStore({ url });
  return {
    ...store,
    url,
    async drop() {
      await store.close();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** Polls an async condition until it holds or the deadline passes (no fixed sleeps). */
export async function eventually<T>(check: () => Promise<T | undefined | false | null>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
