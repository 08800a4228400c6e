import { connect, type Socket } from 'node:net';

/** What a closed loop measured: each call's latency in ms, how many failed, and why. */
export interface LoadResult {
  times: number[];
  failed: number;
  reasons: Set<string>;
  /** The calling process's own CPU per call, in ms, when the calls were made over HTTP from a process of their own. */
  clientCpuMs?: number;
}

/** Runs `total` calls of `work`, `concurrency` at a time (closed loop): each call's latency in ms, and how many failed. */
export async function closedLoop(concurrency: number, total: number, work: () => Promise<unknown>): Promise<LoadResult> {
  const times: number[] = [];
  let started = 0;
  let failed = 0;
  const reasons = new Set<string>();
  const client = async () => {
    while (started < total) {
      started++;
      const t = performance.now();
      try {
        await work();
        times.push(performance.now() - t);
      } catch (error) {
        failed++;
        reasons.add((error as Error).message.slice(0, 120));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { times, failed, reasons };
}

/**
 * One keep-alive connection to a process under test, speaking just enough HTTP/1.1 for the benches: it
 * writes a request built before the run and reads the status line and a `Content-Length` or chunked body.
 * Not `node:http` nor `fetch`: the client is Slack's side, or Zapier's, on their machines, yet here it
 * shares the two cores. As the load bench's sender, `fetch` cost 1.75 ms of CPU per request, `node:http`
 * 0.35–0.55 ms, this 0.15–0.2 ms.
 */
export class Connection {
  private readonly socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: ((status: number) => void) | undefined;
  private status = 0;
  /** Body bytes still to come, once the head is read (`Content-Length`); undefined before, and for a chunked body. */
  private remaining: number | undefined;
  private chunked = false;
  /** The last response's body as received, in bytes (a chunked body with its framing). */
  bodyBytes = 0;
  readonly connected: Promise<void>;
  constructor(port: number) {
    this.socket = connect({ host: '127.0.0.1', port, noDelay: true });
    this.connected = new Promise((resolve) => this.socket.once('connect', resolve).once('error', resolve));
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', () => this.settle(0));
    this.socket.on('close', () => this.settle(0));
  }
  send(request: Buffer): Promise<number> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.socket.write(request);
    });
  }
  close(): void {
    this.socket.destroy();
  }
  private settle(status: number): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.(status);
  }
  /**
   * Settles the request in flight once its whole response has arrived. The head is kept until it is parsed;
   * the body is only counted (a `Content-Length`), or scanned for the last chunk: a 343 KB body arrives in
   * many reads, and copying it each time cost the client 9–10 ms per request.
   */
  private read(chunk: Buffer): void {
    if (this.remaining === undefined && !this.chunked) {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      const headEnd = this.buffer.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = this.buffer.toString('latin1', 0, headEnd);
      this.status = Number(head.slice(9, 12));
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      this.chunked = !length && /\r\ntransfer-encoding: *chunked/i.test(head);
      this.remaining = length ? Number(length[1]) : this.chunked ? undefined : 0;
      // Keep the blank line's "\r\n" so that an empty chunked body's "0\r\n\r\n" is found as "\r\n0\r\n\r\n".
      chunk = this.buffer.subarray(this.chunked ? headEnd + 2 : headEnd + 4);
      this.buffer = Buffer.alloc(0);
      this.bodyBytes = 0;
    }
    this.bodyBytes += chunk.length;
    if (this.chunked) {
      // The last chunk, looked for across the boundary between two reads. (Bodies here end with it; none follows.)
      const tail = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      if (tail.indexOf('\r\n0\r\n\r\n') < 0) {
        this.buffer = tail.subarray(Math.max(0, tail.length - 6));
        return;
      }
    } else {
      this.remaining! -= chunk.length;
      if (this.remaining! > 0) return;
    }
    const status = this.status;
    this.buffer = Buffer.alloc(0);
    this.remaining = undefined;
    this.chunked = false;
    this.settle(status);
  }
}

/**
 * Opens `count` connections to `port` and waits until the process has accepted them, so that none is opened
 * while requests are timed: as a reverse proxy keeps upstream keep-alive connections. Node 20's libuv
 * accepts one connection per turn of the event loop (libuv#3696); a busy process turns every 10–15 ms here,
 * so connections opened in the middle of a run waited 100–500 ms to be accepted, and that was the p99.
 */
export async function openConnections(port: number, count: number): Promise<Connection[]> {
  const connections = Array.from({ length: count }, () => new Connection(port));
  await Promise.all(connections.map((connection) => connection.connected));
  await new Promise((resolve) => setTimeout(resolve, 200)); // accepted one per turn, by a process that is idle now
  return connections;
}

/** A request written out as HTTP/1.1 bytes once, before it is sent many times. */
export function requestBytes(method: 'GET' | 'POST', port: number, path: string, headers: Record<string, string>, body = ''): Buffer {
  const head = [`${method} ${path} HTTP/1.1`, `host: 127.0.0.1:${port}`, 'connection: keep-alive', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  if (body) head.push(`content-length: ${Buffer.byteLength(body)}`);
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/** The size of one GET's body as the server sends it (gzipped, with `accept-encoding: gzip`, when it chooses to). */
export async function bodySize(port: number, path: string, headers: Record<string, string>): Promise<number> {
  const [connection] = await openConnections(port, 1);
  const status = await connection!.send(requestBytes('GET', port, path, headers));
  connection!.close();
  if (status !== 200) throw new Error(`HTTP ${status}`);
  return connection!.bodyBytes;
}
