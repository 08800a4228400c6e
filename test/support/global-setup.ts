import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startCluster, type Cluster } from './postgres-cluster.js';
import { createOfnSchema } from '../../src/seed/generate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    /** This run's template database (OFN schema, no rows): each test file copies it. */
    ofnTemplate: string;
  }
}

let cluster: Cluster | undefined;
let adminUrl: string | undefined;
let templateName: string | undefined;

/**
 * One real PostgreSQL for the whole run: TEST_DATABASE_URL when set (a superuser URL), else a throwaway
 * cluster. A template database with the OFN schema lets each test file create its own database fast.
 * Its name is this run's own, so two runs sharing TEST_DATABASE_URL never drop each other's template.
 */
export async function setup(project: TestProject) {
  adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    cluster = await startCluster();
    adminUrl = cluster.url;
  }
  const name = `ofn_template_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  templateName = name;
  const template = new pg.Client({ connectionString: withDatabase(adminUrl, name) });
  await template.connect();
  await createOfnSchema(template);
  await template.end();
  project.provide('pgAdminUrl', adminUrl);
  project.provide('ofnTemplate', name);
}

export async function teardown() {
  if (templateName && adminUrl && !cluster) {
    // On a shared server: leave nothing behind (a throwaway cluster goes as a whole).
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${templateName} with (force)`);
    await admin.end();
  }
  cluster?.stop();
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
