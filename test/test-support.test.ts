import { afterAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import pg from 'pg';
import { freePort, startCluster, type Cluster } from './support/postgres-cluster.js';

/** The test harness's own guarantees, where a harness bug would make other tests flaky rather than fail. */
const clusters: Cluster[] = [];
afterAll(() => {
  for (const cluster of clusters) cluster.stop();
});

describe('startCluster', () => {
  it('starts on another port when the one it picked was taken before PostgreSQL could bind it', async () => {
    // What a parallel run can do between freePort() and pg_ctl start: bind the same port first.
    const squatter = createServer(() => {});
    squatter.listen(0, '127.0.0.1');
    await once(squatter, 'listening');
    const taken = (squatter.address() as AddressInfo).port;
    const offered: number[] = [];
    try {
      const cluster = await startCluster(undefined, {
        choosePort: async () => {
          const port = offered.length === 0 ? taken : await freePort();
          offered.push(port);
          return port;
        },
      });
      clusters.push(cluster);
      expect(offered).toHaveLength(2);
      expect(offered[0]).toBe(taken);
      expect(cluster.port).toBe(offered[1]);
      const client = new pg.Client({ connectionString: cluster.url });
      await client.connect();
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      await client.end();
    } finally {
      squatter.close();
    }
  });
});
