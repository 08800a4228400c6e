import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** `ofn-insights serve` in a child process, on the port it chose itself. */
export interface ServeProcess {
  child: ChildProcess;
  port: number;
  /** Its log lines so far (JSON, one per line), for a failing test to show. */
  log: string[];
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/**
 * Starts `node <cli> serve --config <config>` with PORT=0 and reads the port it bound from its
 * "serving /ofn" log line. A port picked by the parent and closed before the child binds it can be
 * taken in between by any other process of a parallel run; port 0 cannot be.
 * The child logs at info or more (the line is needed); set OFN_TEST_ECHO_SERVE_LOG=1 to see its log.
 */
export function startServeProcess(
  cli: string,
  config: string,
  env: Record<string, string>,
  options: { timeoutMs?: number; logLevel?: 'info' | 'debug' | 'trace' } = {},
): Promise<ServeProcess> {
  // Generous: on a loaded 2-core machine a serve process can take over 30 s to start (a wait for an event, not a timing assertion).
  const timeoutMs = options.timeoutMs ?? 90_000;
  const child = spawn(process.execPath, [cli, 'serve', '--config', config], {
    env: { ...process.env, ...env, LOG_LEVEL: options.logLevel ?? 'info', PORT: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise<ServeProcess>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`serve did not report its port within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n${log.slice(-20).join('\n')}`));
    };
    // Read every line to the end: a child whose stderr pipe fills up blocks on its next log write.
    createInterface({ input: child.stderr! }).on('line', (line) => {
      log.push(line);
      if (process.env.OFN_TEST_ECHO_SERVE_LOG) process.stderr.write(`[serve ${child.pid}] ${line}\n`);
      let entry: { msg?: unknown; port?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if (entry.msg === 'ofn-insights serving /ofn' && typeof entry.port === 'number' && entry.port > 0) {
        clearTimeout(timer);
        resolve({ child, port: entry.port, log, exited });
      }
    });
    child.once('exit', (code, signal) => fail(new Error(`serve exited (${code ?? signal}) before reporting its port`)));
  });
}
