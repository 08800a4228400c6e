import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drillClockJump, drillKillMidDelivery, drillSlackErrors } from '../bench/drills.js';
import { startCluster, type Cluster } from './support/postgres-cluster.js';

/** The fast fault drills (the whole set: `npm run drills`). Each must lose nothing and duplicate nothing. */
let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster?.stop());

describe('fault drills', () => {
  it('Slack answering 500 then 200, and 429 for a few seconds: nothing lost, nothing twice', async () => {
    const results = await drillSlackErrors(cluster, 3);
    for (const r of results) expect(r, r.name).toMatchObject({ lost: 0, duplicated: 0, passed: true });
  });

  it('a clock jump across DST: every slot once', async () => {
    expect(await drillClockJump(cluster)).toMatchObject({ expected: 24, delivered: 24, lost: 0, duplicated: 0 });
  });

  it('kill -9 after Slack took the message: delivered once after restart', async () => {
    const r = await drillKillMidDelivery(cluster);
    expect(r).toMatchObject({ delivered: 1, lost: 0, duplicated: 0 });
    expect(r.note).toContain('already in the channel');
  });
});
