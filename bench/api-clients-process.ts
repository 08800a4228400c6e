import { closedLoop, Connection, openConnections, requestBytes } from './http-clients.js';

/**
 * The HTTP API bench's clients, in a process of their own (`npm run bench -- api`). The bench process also
 * computes billing in process for its own rows (fifty at a time, seconds of allocation): with the clients
 * there, its garbage collection and event loop were in every API latency. Driven over IPC, one job at a
 * time. Each job opens one keep-alive connection per client before it starts timing (as a polling client
 * that has polled before holds one), sends `Accept-Encoding: gzip` and reads each body to its last byte,
 * neither unzipped nor parsed: that is the caller's CPU, on the caller's machine. It answers with every
 * request's time and its own CPU per request.
 */
interface Job {
  port: number;
  path: string;
  headers: Record<string, string>;
  concurrency: number;
  total: number;
}

process.on('message', (job: Job) => {
  void (async () => {
    const free = await openConnections(job.port, job.concurrency);
    const request = requestBytes('GET', job.port, job.path, { ...job.headers, 'accept-encoding': 'gzip' });
    const cpu = process.cpuUsage();
    const result = await closedLoop(job.concurrency, job.total, async () => {
      const connection = free.pop() ?? new Connection(job.port); // only if the API closed one
      const status = await connection.send(request);
      if (status !== 0) free.push(connection);
      if (status !== 200) throw new Error(status ? `HTTP ${status}` : 'connection closed');
    });
    const used = process.cpuUsage(cpu);
    for (const connection of free) connection.close();
    process.send!({ times: result.times, failed: result.failed, reasons: [...result.reasons], clientCpuMs: (used.user + used.system) / 1000 / job.total });
  })();
});
process.on('disconnect', () => process.exit(0));
