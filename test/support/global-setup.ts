import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startCluster, type Cluster } from './postgres-cluster.js';
import { createOfnSchema } from '../../src/seed/generate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

let cluster: Cluster | undefined;

/**
 * One real PostgreSQL for the whole run: TEST_DATABASE_URL when set (a superuser URL), else a throwaway
 * cluster. A template database with the OFN schema lets each test file create its own database fast.
 */
export async function setup(project: TestProject) {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    cluster = await startCluster();
    adminUrl = cluster.url;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('drop database if exists ofn_template');
  await admin.query('create database ofn_template');
  await admin.end();
  const template = new pg.Client({ connectionString: withDatabase(adminUrl, 'ofn_template') });
  await template.connect();
  await createOfnSchema(template);
  await template.end();
  project.provide('pgAdminUrl', adminUrl);
}

export async function teardown() {
  cluster?.stop();
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
