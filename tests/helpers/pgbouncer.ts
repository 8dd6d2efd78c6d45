// A real connection pooler in front of the test Postgres: Debian's pgbouncer as a child process,
// in the pool mode a test asks for. Debian ships 1.18, which has no protocol-level prepared
// statements (that came in 1.21): exactly the pooler that named statements cannot go through.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { freePort } from '../../stack/src/ports.ts';
import { startProcess, waitFor } from '../../stack/src/process.ts';

const INSTALL = 'apt-get install -y -qq pgbouncer';

export interface PgBouncerOptions {
  poolMode: 'session' | 'transaction' | 'statement';
  /** Server connections per database and user: smaller than the app's pool, so they are shared. */
  defaultPoolSize?: number;
}

export interface PgBouncer {
  port: number;
  /** `database` of the test Postgres, through the pooler, with these URL parameters. */
  url: (database: string, params?: Record<string, string>) => string;
  /** A statement on pgbouncer's admin console (SHOW POOLS, SHOW STATS …), rows as objects. */
  admin: (command: string) => Promise<Array<Record<string, unknown>>>;
  /** Everything pgbouncer has logged so far. */
  log: () => string;
  stop: () => Promise<void>;
}

function findPgBouncer(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v pgbouncer'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  return existsSync('/usr/sbin/pgbouncer') ? '/usr/sbin/pgbouncer' : undefined;
}

/** Finds pgbouncer, installing it with apt where we may (root on Debian), as the stack does for Redis. */
function ensurePgBouncer(): string {
  const found = findPgBouncer();
  if (found) return found;
  if (process.platform !== 'linux' || process.getuid?.() !== 0 || !existsSync('/etc/debian_version')) {
    throw new Error(`pgbouncer is not installed; the pooler tests need it: \`sudo ${INSTALL}\` (Debian/Ubuntu)`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', INSTALL.split(' ').slice(1), { stdio: 'inherit', env });
  const installed = findPgBouncer();
  if (!installed) throw new Error(`apt-get installed pgbouncer but it is not on the PATH; try \`${INSTALL}\``);
  return installed;
}

/**
 * pgbouncer refuses to run as root ("PgBouncer should not run as root"); then it drops to the
 * `postgres` user with -u, which the embedded test Postgres has already created for the same reason.
 */
function runAsArgs(): string[] {
  if (process.getuid?.() !== 0) return [];
  if (spawnSync('id', ['-u', 'postgres']).status !== 0) {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  }
  return ['-u', 'postgres'];
}

export async function startPgBouncer({ poolMode, defaultPoolSize = 2 }: PgBouncerOptions): Promise<PgBouncer> {
  const bin = ensurePgBouncer();
  const target = new URL(inject('pgAdminUrl'));
  const user = decodeURIComponent(target.username);
  const password = decodeURIComponent(target.password);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'postaify-pgbouncer-'));
  // Readable by the `postgres` user that pgbouncer runs as under root; only the test password inside.
  chmodSync(dir, 0o711);
  const users = join(dir, 'userlist.txt');
  const ini = join(dir, 'pgbouncer.ini');
  // The plain password lets pgbouncer answer Postgres's SCRAM challenge as well as check clients'.
  writeFileSync(users, `"${user}" "${password}"\n`, { mode: 0o644 });
  writeFileSync(
    ini,
    [
      '[databases]',
      // Any database name is passed through: each test file's database is reachable by its name.
      `* = host=${target.hostname} port=${target.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = scram-sha-256',
      `auth_file = ${users}`,
      `admin_users = ${user}`,
      `pool_mode = ${poolMode}`,
      `default_pool_size = ${defaultPoolSize}`,
      'max_client_conn = 500',
      'logfile =',
      'pidfile =',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const proc = startProcess('pgbouncer', bin, [...runAsArgs(), ini], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-200_000);
  };
  proc.child.stdout?.on('data', collect);
  proc.child.stderr?.on('data', collect);
  let exited = false;
  void proc.exited.then(() => {
    exited = true;
  });

  const at = (database: string, params: Record<string, string> = {}) => {
    const url = new URL(target);
    url.port = String(port);
    url.pathname = `/${database}`;
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.toString();
  };
  const admin = async (command: string) => {
    const client = new pg.Client({ connectionString: at('pgbouncer'), connectionTimeoutMillis: 2_000 });
    await client.connect();
    try {
      // The admin console speaks the simple query protocol only: no parameters.
      return (await client.query(command)).rows as Array<Record<string, unknown>>;
    } finally {
      await client.end();
    }
  };
  const stop = async () => {
    await proc.stop('SIGTERM', 5_000);
    rmSync(dir, { recursive: true, force: true });
  };
  await waitFor('pgbouncer accepting connections', () => admin('SHOW VERSION').then(() => true), 15_000, {
    abort: () => (exited ? new Error(`pgbouncer exited while starting:\n${output}`) : undefined),
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { port, url: at, admin, log: () => output, stop };
}
