// The local Redis of the zero-config default and of the tests: Debian's `redis-server` (no npm
// package ships a Redis server, and BullMQ does not run on Redis mocks). Installed with apt when
// missing on a Debian or Ubuntu machine where we are root; otherwise the exact command is printed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { startProcess, waitFor, type Managed } from './process.js';

export interface LocalRedis {
  url: string;
  port: number;
  process: Managed;
  stop: () => Promise<void>;
}

export interface LocalRedisOptions {
  dataDir: string;
  port: number;
  /** Keep data between runs (append-only file); off for tests. */
  persistent?: boolean;
  log?: (line: string) => void;
  /** More redis-server arguments (the tests' cluster nodes: `--cluster-enabled yes` …). */
  args?: string[];
}

const INSTALL_HINT = 'sudo apt-get update && sudo apt-get install -y redis-server';

export function findRedisServer(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  if (which.status === 0 && found) return found;
  return ['/usr/bin/redis-server', '/usr/sbin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
}

/** Finds redis-server, installing it with apt where that is possible without asking anyone. */
export function ensureRedisServer(log: (line: string) => void = () => {}): string {
  const found = findRedisServer();
  if (found) return found;
  const canApt = process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/etc/debian_version');
  if (!canApt) {
    throw new Error(
      `redis-server is not installed. Install it (Debian/Ubuntu: \`${INSTALL_HINT}\`; macOS: \`brew install redis\`), or set REDIS_URL.`,
    );
  }
  log('redis-server is missing: installing it with apt-get (Debian package redis-server)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env });
  const installed = findRedisServer();
  if (!installed) throw new Error(`apt-get installed redis-server but it is not on the PATH; try \`${INSTALL_HINT}\``);
  return installed;
}

export function ping(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export async function startLocalRedis({
  dataDir,
  port,
  persistent = true,
  log = () => {},
  args: extraArgs = [],
}: LocalRedisOptions): Promise<LocalRedis> {
  const bin = ensureRedisServer(log);
  mkdirSync(dataDir, { recursive: true });
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dataDir,
    '--daemonize',
    'no',
    '--save',
    '',
    '--appendonly',
    persistent ? 'yes' : 'no',
    '--logfile',
    '',
    // BullMQ requires that Redis never evicts its keys.
    '--maxmemory-policy',
    'noeviction',
    ...extraArgs,
  ];
  const proc = startProcess('redis', bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4_000);
  };
  proc.child.stdout?.on('data', collect);
  proc.child.stderr?.on('data', collect);
  let exited = false;
  void proc.exited.then(() => {
    exited = true;
  });
  await waitFor('redis-server answering PING', () => ping(port), 15_000, {
    abort: () => (exited ? new Error(`redis-server exited while starting:\n${output}`) : undefined),
  }).catch(async (err: unknown) => {
    await proc.stop('SIGKILL');
    throw err;
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: proc,
    // SIGTERM: Redis flushes its append-only file and exits.
    stop: async () => {
      await proc.stop('SIGTERM', 15_000);
    },
  };
}
