import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, chownSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** A throwaway PostgreSQL cluster for tests and benchmarks: initdb + pg_ctl in a temp dir, on a free port. */
export interface Cluster {
  url: string; // superuser connection to database "postgres"
  port: number;
  stop(): void;
  /** Stops the server without removing its data (to simulate an outage), and starts it again. */
  pause(): void;
  resume(): void;
}

function findBinDir(): string {
  const fromPath = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' }).stdout.trim();
  if (fromPath) {
    // Follow Debian's wrappers/links to the real directory holding initdb and pg_ctl.
    const real = spawnSync('readlink', ['-f', fromPath], { encoding: 'utf8' }).stdout.trim();
    const dir = real.replace(/\/pg_ctl$/, '');
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  }
  throw new Error('PostgreSQL server binaries not found (initdb/pg_ctl). Install them (apt-get install -y postgresql) or set TEST_DATABASE_URL.');
}

/**
 * A port nothing listens on right now. It is closed before it is handed out, so another process can take
 * it in between: servers we start ourselves bind port 0 instead (test/support/serve-process.ts), and
 * startCluster, which cannot (PostgreSQL has no port 0), retries on another port when it lost the race.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** PostgreSQL's log lines when its port was taken between freePort() and the server's bind. */
const PORT_TAKEN = /could not bind IPv[46] address .*Address already in use|could not create any TCP\/IP sockets/;

export interface ClusterOptions {
  /** fsync and friends on: for drills that stop the server and need commits to survive. */
  durable?: boolean;
  /** Where ports come from (tests of the retry give a taken one first). */
  choosePort?: () => Promise<number>;
  /** Ports to try before giving up. */
  attempts?: number;
}

export async function startCluster(standbyOf?: Cluster, options: ClusterOptions = {}): Promise<Cluster> {
  const bin = findBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'ofn-insights-pg-'));
  const asRoot = userInfo().uid === 0;
  // initdb and pg_ctl refuse to run as root: run them as the postgres user in a directory it owns.
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
  const run = (command: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]] : [join(bin, command), args];
    execFileSync(file as string, argv as string[], { stdio: ['ignore', 'pipe', 'pipe'] });
  };
  const data = join(dir, 'data');
  if (standbyOf) {
    // A streaming standby of another throwaway cluster: a real read-only replica.
    run('pg_basebackup', ['-D', data, '-R', '-c', 'fast', '-X', 'stream', '-h', '127.0.0.1', '-p', String(standbyOf.port), '-U', 'postgres']);
  } else {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  }
  // Tests trade durability for speed; a drill that restarts the server needs commits to survive it.
  const speed = options.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
  const log = join(dir, 'server.log');
  const logLength = () => (existsSync(log) ? readFileSync(log, 'utf8').length : 0);
  let port = 0;
  const start = () => {
    const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${speed} -c max_connections=200 -c shared_buffers=256MB`;
    run('pg_ctl', ['-D', data, '-o', serverOptions, '-l', log, '-w', '-t', '60', 'start']);
  };
  const stop = (mode: string) => run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    port = await (options.choosePort ?? freePort)();
    const seen = logLength();
    try {
      start();
      break;
    } catch (error) {
      const taken = PORT_TAKEN.test(existsSync(log) ? readFileSync(log, 'utf8').slice(seen) : '');
      if (!taken || attempt >= attempts) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
      // Another process bound the port after freePort() closed it: try another one.
    }
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop() {
      try {
        stop('immediate');
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
    },
    pause: () => stop('immediate'),
    resume: start,
  };
}
