#!/usr/bin/env node
// `npm run bench:startup`: how long `npm start` takes from the command to /ready = 200, cold (an
// empty data folder: initdb, first migration) and warm (the data exists), and the resident memory
// of the web and worker processes at idle. Targets (issue 2): warm start <= 10 s, each process
// <= 150 MB resident at idle. Uses its own data folder and port; stops everything it started.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 5000);

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

function descendants(rootPid) {
  const kids = new Map();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(e)]);
    } catch {
      /* gone */
    }
  }
  const out = [];
  const walk = (p) => (kids.get(p) ?? []).forEach((c) => (out.push(c), walk(c)));
  walk(rootPid);
  return out;
}
const cmdline = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
};
const rssMb = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

async function run(label, env, port, measureMemory) {
  const started = performance.now();
  // Its own process group, so a signal to the group is what Ctrl-C in a terminal does.
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => child.once('exit', r));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`not ready after 120 s:\n${out}`);
    const ok = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const readyMs = performance.now() - started;
  let memory;
  if (measureMemory) {
    const tree = descendants(child.pid);
    const web = tree.find((p) => cmdline(p).endsWith('dist/main.js'));
    const worker = tree.find((p) => cmdline(p).endsWith('dist/worker.js'));
    // Idle: let start-up garbage settle, then take the highest of a few samples.
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const samples = { web: [], worker: [] };
    for (let i = 0; i < 5; i++) {
      samples.web.push(rssMb(web));
      samples.worker.push(rssMb(worker));
      await new Promise((r) => setTimeout(r, 200));
    }
    memory = { web: Math.max(...samples.web), worker: Math.max(...samples.worker) };
  }
  const tree = descendants(child.pid);
  process.kill(-child.pid, 'SIGINT');
  const stopStarted = performance.now();
  await exited;
  const stopMs = performance.now() - stopStarted;
  const left = tree.filter((p) => {
    try {
      process.kill(p, 0);
      return !readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z ');
    } catch {
      return false;
    }
  });
  return { label, readyMs, stopMs, memory, left: left.length };
}

const dataDir = mkdtempSync(join(tmpdir(), 'postaify-bench-'));
chmodSync(dataDir, 0o711);
try {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    POSTAIFY_DATA_DIR: dataDir,
    POSTAIFY_ENV_FILE: '',
    PORT: String(port),
    LOG_LEVEL: 'warn',
  };
  const cold = await run('cold', env, port, false);
  const warm = [];
  for (let i = 0; i < 3; i++) warm.push(await run(`warm ${i + 1}`, env, port, i === 2));
  const median = [...warm.map((w) => w.readyMs)].sort((a, b) => a - b)[1];
  const mem = warm[2].memory;
  console.log(`node ${process.version} (npm start runs the project's Node from node_modules/.bin)`);
  console.log(`cold start (empty data folder) to /ready: ${(cold.readyMs / 1000).toFixed(2)} s`);
  console.log(
    `warm start to /ready: ${warm.map((w) => (w.readyMs / 1000).toFixed(2)).join(' s, ')} s (median ${(median / 1000).toFixed(2)} s; target <= 10 s)`,
  );
  console.log(
    `idle resident memory after ${IDLE_MS / 1000} s: web ${mem.web.toFixed(1)} MB, worker ${mem.worker.toFixed(1)} MB (target <= 150 MB each)`,
  );
  console.log(
    `stop on SIGINT: ${[cold, ...warm].map((r) => (r.stopMs / 1000).toFixed(2)).join(' s, ')} s; processes left behind: ${[cold, ...warm].reduce((n, r) => n + r.left, 0)}`,
  );
  const ok = median <= 10_000 && mem.web <= 150 && mem.worker <= 150;
  console.log(ok ? 'targets: met' : 'targets: MISSED');
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
