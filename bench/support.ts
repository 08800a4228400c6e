import { readFileSync, readdirSync } from 'node:fs';
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

/** A /proc/<pid>/stat line's command name and CPU time (user + system, ms; clock ticks of USER_HZ 100). */
function parseStat(stat: string): { comm: string; cpuMs: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 };
}

/** CPU time (ms, user + system) all of a process's threads have used so far (Linux; 0 elsewhere or once it is gone). */
export function processCpuMs(pid: number): number {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).cpuMs;
  } catch {
    return 0;
  }
}

/** CPU time (ms) of every process named `comm` on this machine (`postgres`: the replica's share of the cores, when it is local). */
export function commandCpuMs(comm: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (stat.comm === comm) total += stat.cpuMs;
    } catch {
      /* gone meanwhile */
    }
  }
  return total;
}
