import { Agent } from 'node:http';
import { closedLoop, get } from './http-clients.js';

/**
 * The HTTP API bench's clients, in a process of their own (`npm run bench -- api`). The bench process also
 * computes billing in process for its own rows (fifty at a time, seconds of allocation): with the clients
 * there, its garbage collection and event loop were in every API latency. Driven over IPC, one job at a
 * time; each job answers with every request's time. Keep-alive connections stay open between jobs, as a
 * polling client keeps them.
 */
interface Job {
  port: number;
  path: string;
  headers: Record<string, string>;
  concurrency: number;
  total: number;
}

const agents = new Map<number, Agent>();
process.on('message', (job: Job) => {
  let agent = agents.get(job.port);
  if (!agent) agents.set(job.port, (agent = new Agent({ keepAlive: true, maxSockets: 64 })));
  const at = agent;
  void closedLoop(job.concurrency, job.total, () => get(at, job.port, job.path, job.headers)).then((result) => process.send!({ times: result.times, failed: result.failed, reasons: [...result.reasons] }));
});
process.on('disconnect', () => {
  for (const agent of agents.values()) agent.destroy();
  process.exit(0);
});
