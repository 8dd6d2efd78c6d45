#!/usr/bin/env node
// `npm run bench:api`: throughput and latency of a signed-in read through the whole local stack
// (`npm start`'s compiled entry: embedded Postgres, local Redis, web + worker), against a bare
// Express 5 app answering {"hello":"world"} on the same machine and the same Node. Each is loaded
// with autocannon, 32 connections, a 2 s warm-up then 10 s measured, one after the other.
// Targets: the API serves >= 25% of the bare app's requests/s, with p99 latency <= 25 ms.
// Uses its own data folder and ports; stops everything it started (SIGINT to the stack).
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const CONNECTIONS = 32;
const WARMUP_S = 2;
const DURATION_S = 10;
const POSTS = 40;
const TARGET_RATIO = 0.25;
const TARGET_P99_MS = 25;

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A child process whose output is kept, and a promise of its exit. */
function start(args, options) {
  const child = spawn(process.execPath, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  return { child, exited, output: () => output };
}

/** Stops a child with `signal`, then SIGKILL (its process group when detached) after `graceMs`. */
async function stop(proc, signal, graceMs, group = false) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
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

async function waitUntil(what, probe, proc, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`${what}: the process exited first:\n${proc.output()}`);
    }
    checkInterrupted();
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}:\n${proc.output()}`);
    await sleep(100);
  }
}

/** The binary a running process executes (Linux), to show both sides run the same Node. */
function exeOf(pid) {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

/** The web process (backend/dist/main.js) among the stack's descendants (Linux). */
function webPidUnder(rootPid) {
  const children = new Map();
  let entries = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)]);
    } catch {
      /* gone */
    }
  }
  const queue = [...(children.get(rootPid) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift();
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (cmd.at(-1)?.endsWith(join('dist', 'main.js'))) return pid;
    } catch {
      /* gone */
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return undefined;
}

let interrupted = false;
let running; // the autocannon instance under way, stopped on Ctrl-C
const checkInterrupted = () => {
  if (interrupted) throw new Error('interrupted');
};

function cannon(options) {
  return new Promise((resolve, reject) => {
    running = autocannon(options, (err, result) => {
      running = undefined;
      if (err) reject(err);
      else resolve(result);
    });
  });
}

async function load(label, url, headers = {}) {
  const options = { url, connections: CONNECTIONS, headers };
  await cannon({ ...options, duration: WARMUP_S });
  checkInterrupted();
  const r = await cannon({ ...options, duration: DURATION_S });
  checkInterrupted();
  return {
    label,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    total: r.requests.total,
  };
}

const line = (r) =>
  `${r.label.padEnd(5)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50).padStart(3)} ms   p99 ${String(r.p99).padStart(3)} ms   non-2xx ${r.non2xx}   errors ${r.errors} (timeouts ${r.timeouts})   ${r.total} requests in ${DURATION_S} s`;

const BARE_APP = `
import express from 'express';
const app = express();
app.get('/', (_req, res) => { res.json({ hello: 'world' }); });
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port, node: process.version }) + '\\n');
});
process.on('SIGINT', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
`;

const dataDir = mkdtempSync(join(tmpdir(), 'postaify-bench-api-'));
chmodSync(dataDir, 0o711);
let bare;
let stack;
const cleanup = async () => {
  if (bare) await stop(bare, 'SIGINT', 5_000);
  if (stack) {
    const stopping = performance.now();
    await stop(stack, 'SIGINT', 30_000, true);
    console.log(`stack stopped (SIGINT) in ${((performance.now() - stopping) / 1000).toFixed(1)} s`);
  }
  rmSync(dataDir, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted = true;
    running?.stop();
    console.error(`\n${signal}: stopping what the benchmark started`);
    void cleanup().then(() => process.exit(130));
  });
}

try {
  const expressVersion = createRequire(join(root, 'package.json'))('express/package.json').version;
  console.log(`node ${process.version} (${process.execPath})`);
  console.log(`${availableParallelism()} CPUs, shared by autocannon, the server under test, Postgres and Redis`);
  console.log(
    `autocannon: ${CONNECTIONS} connections, ${WARMUP_S} s warm-up then ${DURATION_S} s, one target at a time`,
  );

  // (a) The bare app, alone on the machine.
  bare = start(['--input-type=module', '-e', BARE_APP], { cwd: root });
  await waitUntil('the bare app to listen', async () => bare.output().includes('"port"'), bare, 10_000);
  const bareInfo = JSON.parse(
    bare
      .output()
      .split('\n')
      .find((l) => l.includes('"port"')),
  );
  const bareExe = exeOf(bare.child.pid);
  const hello = await fetch(`http://127.0.0.1:${bareInfo.port}/`).then((r) => r.text());
  if (hello !== '{"hello":"world"}') throw new Error(`the bare app answered ${hello}`);
  const bareResult = await load('bare', `http://127.0.0.1:${bareInfo.port}/`);
  await stop(bare, 'SIGINT', 5_000);
  bare = undefined;

  // (b) The whole system, as `npm start` runs it.
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  stack = start([join(root, 'backend', 'dist', 'stack', 'main.js')], {
    cwd: root,
    detached: true, // its own process group: a Ctrl-C here reaches it only through cleanup()
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      POSTAIFY_ENV_FILE: '',
      POSTAIFY_DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_IP: '100000000', // the per-IP limit would otherwise cut the benchmark short
    },
  });
  await waitUntil(
    'the stack to be ready',
    async () => stack.output().includes('Postaify is running') && (await fetch(`${base}/ready`)).status === 200,
    stack,
    180_000,
  );
  const readyS = (performance.now() - startedAt) / 1000;

  const session = await fetch(`${base}/api/v1/dev/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.com' }),
  });
  if (session.status !== 201) throw new Error(`sign-in failed: ${session.status} ${await session.text()}`);
  const { token } = await session.json();
  const auth = { Authorization: `Bearer ${token}` };
  for (let i = 1; i <= POSTS; i++) {
    const res = await fetch(`${base}/api/v1/posts`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        platform: 'LINKEDIN',
        content: `Benchmark post ${i}: a short line of hand-written text.`,
      }),
    });
    if (res.status !== 201) throw new Error(`creating post ${i} failed: ${res.status} ${await res.text()}`);
  }
  const listUrl = `${base}/api/v1/posts?limit=20`;
  const probe = await fetch(listUrl, { headers: auth });
  const page = await probe.json();
  if (probe.status !== 200 || page.items?.length !== 20 || !page.nextCursor) {
    throw new Error(
      `GET /api/v1/posts?limit=20 is not a full page: ${probe.status} ${JSON.stringify(page).slice(0, 300)}`,
    );
  }

  const webPid = webPidUnder(stack.child.pid);
  const webExe = webPid ? exeOf(webPid) : undefined;
  const apiResult = await load('api', listUrl, auth);

  const ratio = apiResult.rps / bareResult.rps;
  const ratioOk = ratio >= TARGET_RATIO;
  const p99Ok = apiResult.p99 <= TARGET_P99_MS;
  console.log(
    `same Node for both: ${
      bareExe && webExe
        ? `${bareExe === webExe ? 'yes' : 'NO'} (bare app ${bareInfo.node} at ${bareExe}; web process at ${webExe})`
        : `bare app ${bareInfo.node} at ${process.execPath}; web process started by the stack with the same binary (no /proc to check)`
    }`,
  );
  console.log(`stack ready in ${readyS.toFixed(1)} s; ${POSTS} posts created; express ${expressVersion}`);
  console.log(`bare: GET / -> {"hello":"world"}`);
  console.log(`api:  GET /api/v1/posts?limit=20 (signed in, 20 posts a page)`);
  console.log(line(bareResult));
  console.log(line(apiResult));
  console.log(
    `api/bare: ${(ratio * 100).toFixed(1)}% of the bare app's requests/s (target >= ${TARGET_RATIO * 100}%): ${ratioOk ? 'met' : 'MISSED'}`,
  );
  console.log(`api p99: ${apiResult.p99} ms (target <= ${TARGET_P99_MS} ms): ${p99Ok ? 'met' : 'MISSED'}`);
  if (apiResult.non2xx > 0 || apiResult.errors > 0 || bareResult.non2xx > 0 || bareResult.errors > 0) {
    console.log('warning: some requests failed (non-2xx or errors above); the figures do not measure successes only');
  }
  console.log(ratioOk && p99Ok ? 'targets: met' : 'targets: MISSED');
} catch (err) {
  if (!interrupted) {
    console.error(`bench:api failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
} finally {
  if (!interrupted) await cleanup();
}
