// What the benchmarks in this folder (startup.mjs, api.mjs, jobs.mjs, frontend.mjs, delivery.mjs)
// share: free ports, child processes and their process groups, waiting with a deadline, the Linux
// process tree, the compiled local stack (stack/dist/main.js) in a data folder of its own, a local
// Redis Cluster, signing in, percentiles, and stopping what was started on Ctrl-C. Times are in
// milliseconds unless a name says otherwise.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository's root folder (an absolute path). */
export const root = new URL('../..', import.meta.url).pathname;

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port on 127.0.0.1 that nothing listens on (found by listening on port 0, then closing). */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });

/** A new, empty data folder under the OS temp folder, named `<prefix>XXXXXX`, mode 0711. */
export function makeDataDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o711);
  return dir;
}

// --- Ctrl-C ------------------------------------------------------------------------------------

let interrupted = false;

/** Throws 'interrupted' once SIGINT or SIGTERM has arrived, so that loops stop early. */
export const checkInterrupted = () => {
  if (interrupted) throw new Error('interrupted');
};

/**
 * Runs `main`, then `cleanup`. On SIGINT or SIGTERM: marks the run interrupted, calls `onSignal`
 * (e.g. to stop a load generator), prints what it does, awaits `cleanup` and exits with 130.
 * If `main` fails (and was not interrupted), prints `bench:<name> failed: <message>` and sets
 * exit code 1.
 */
export async function runBenchmark(name, { main, cleanup, onSignal = () => undefined }) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      interrupted = true;
      onSignal();
      console.error(`\n${signal}: stopping what the benchmark started`);
      void cleanup().then(() => process.exit(130));
    });
  }
  try {
    await main();
  } catch (err) {
    if (!interrupted) {
      console.error(`bench:${name} failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  } finally {
    if (!interrupted) await cleanup();
  }
}

// --- Child processes ---------------------------------------------------------------------------

/**
 * Spawns `command` with `args` (and spawn `options`: cwd, env, detached) with its stdout and stderr
 * kept. Returns `{ child, exited, output }`: `exited` resolves to the exit signal or code once it
 * has exited, `output()` is everything it has printed so far.
 */
export function start(command, args, options) {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  return { child, exited, output: () => output };
}

/** Whether a process from `start` has exited. */
const hasExited = (proc) => proc.child.exitCode !== null || proc.child.signalCode !== null;

/**
 * Sends `signal` to a process from `start` (to its whole process group with `group`, for one
 * started `detached`), then SIGKILL if it has not exited within `graceMs` ms; resolves once it has.
 */
export async function stop(proc, signal, graceMs, { group = false } = {}) {
  if (hasExited(proc)) return;
  const target = group ? -proc.child.pid : proc.child.pid;
  try {
    process.kill(target, signal);
  } catch {
    return;
  }
  let timer;
  const done = await Promise.race([
    proc.exited.then(() => true),
    new Promise((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
  ]);
  clearTimeout(timer);
  if (!done) {
    console.error(`(${signal} not honoured within ${graceMs / 1000} s: SIGKILL)`);
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      /* gone */
    }
    await proc.exited;
  }
}

/**
 * Calls `probe` every `intervalMs` ms (a rejection counts as false) until it resolves truthy.
 * Throws, with `proc`'s output, if `proc` exits first or `timeoutMs` ms pass; throws 'interrupted'
 * on Ctrl-C. `what` names the wait in those messages.
 */
export async function waitUntil(what, probe, proc, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited(proc)) throw new Error(`${what}: the process exited first:\n${proc.output()}`);
    checkInterrupted();
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}:\n${proc.output()}`);
    await sleep(intervalMs);
  }
}

// --- The process tree (Linux /proc) ------------------------------------------------------------

/** The ids of all descendants of `rootPid`, depth first; [] where there is no /proc. */
export function descendants(rootPid) {
  let entries;
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const children = new Map();
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)]);
    } catch {
      /* gone */
    }
  }
  const out = [];
  const walk = (pid) => (children.get(pid) ?? []).forEach((c) => (out.push(c), walk(c)));
  walk(rootPid);
  return out;
}

/** A process's arguments, the program first; [] once it is gone. */
export function commandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** The first descendant of `rootPid` whose last argument ends with `suffix` (e.g. 'dist/main.js'). */
export const findDescendant = (rootPid, suffix) =>
  descendants(rootPid).find((pid) => commandLine(pid).at(-1)?.endsWith(suffix));

/** The path of the binary a process runs; undefined if it cannot be read. */
export function exePath(pid) {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

// --- The local stack ---------------------------------------------------------------------------

/**
 * The environment for the stack: PATH and HOME from ours and nothing else of it, no env file, data
 * in `dataDir`, the web server on `port`, warn-level logs; then `extra` (e.g. higher rate limits).
 */
export const stackEnv = (dataDir, port, extra = {}) => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  POSTAIFY_ENV_FILE: '',
  POSTAIFY_DATA_DIR: dataDir,
  PORT: String(port),
  LOG_LEVEL: 'warn',
  ...extra,
});

/**
 * Starts the compiled stack (`node stack/dist/main.js`, as `npm start` runs it after its
 * build) with `stackEnv(dataDir, port, extraEnv)`, in its own process group: a Ctrl-C here reaches
 * it only through the benchmark's cleanup. Returns the process from `start`.
 */
export const startStack = (dataDir, port, extraEnv) =>
  start(process.execPath, [join(root, 'stack', 'dist', 'main.js')], {
    cwd: root,
    detached: true,
    env: stackEnv(dataDir, port, extraEnv),
  });

/** Waits, up to 180 s, until the stack has printed its banner and `${base}/ready` answers 200. */
export const waitForStack = (stack, base) =>
  waitUntil(
    'the stack to be ready',
    async () => stack.output().includes('Postaify is running') && (await fetch(`${base}/ready`)).status === 200,
    stack,
    180_000,
  );

/** Stops the stack with SIGINT to its process group (SIGKILL after 30 s) and prints how long it took. */
export async function stopStack(stack) {
  const stopping = performance.now();
  await stop(stack, 'SIGINT', 30_000, { group: true });
  console.log(`stack stopped (SIGINT) in ${((performance.now() - stopping) / 1000).toFixed(1)} s`);
}

/** The stack's Postgres URL, from its banner (the password of the embedded server is 'postgres'). */
export function databaseUrlFromBanner(output) {
  const port = /Postgres\s+postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:(\d+)\/postaify/.exec(output)?.[1];
  if (!port) throw new Error(`no Postgres URL in the banner:\n${output}`);
  return `postgresql://postgres:postgres@127.0.0.1:${port}/postaify`;
}

/** Signs `email` in with POST `${api}/dev/session` (api: e.g. http://127.0.0.1:3000/api/v1); its bearer token. */
export async function signIn(api, email) {
  const session = await fetch(`${api}/dev/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  if (session.status !== 201) throw new Error(`sign-in failed: ${session.status} ${await session.text()}`);
  const { token } = await session.json();
  return token;
}

// --- A local Redis Cluster --------------------------------------------------------------------

/**
 * A Redis Cluster of `masters` masters and no replicas, as the tests build theirs (the compiled
 * stack's startLocalRedisCluster: needs `npm run build`), in a data folder of its own. Resolves to
 * `{ nodes, ports, stop }` once every node reports cluster_state:ok. `register` gets that stop before
 * the first server starts, so that a Ctrl-C's cleanup can stop the servers of a cluster still
 * being built.
 */
export async function startRedisCluster(masters = 3, register = () => undefined) {
  // Imported here, not at the top: the other benchmarks need no compiled stack for this file.
  const { startLocalRedisCluster } = await import(join(root, 'stack', 'dist', 'redis-cluster.js'));
  return startLocalRedisCluster({
    dataDir: makeDataDir('postaify-bench-cluster-'),
    masters,
    register,
    abort: () => (interrupted ? new Error('interrupted') : undefined),
  });
}

// --- Figures -----------------------------------------------------------------------------------

/** The nearest-rank `p`th percentile (p from 0 to 100) of values sorted in ascending order. */
export const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
