import { join } from 'node:path';
import pg from 'pg';

/** The built CLI, whether the caller runs compiled (dist/bench) or from source under vitest (bench/). */
export const BUILT_CLI = import.meta.dirname.endsWith(join('dist', 'bench'))
  ? join(import.meta.dirname, '..', 'src', 'cli.js')
  : join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');

/** The URL of database `name` on the server of `adminUrl`. */
export function databaseUrl(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops and creates database `name` (optionally from a template); returns its URL. Names are our own constants. */
export async function recreateDatabase(adminUrl: string, name: string, template?: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  } finally {
    await admin.end();
  }
  return databaseUrl(adminUrl, name);
}
