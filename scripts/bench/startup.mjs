#!/usr/bin/env node
// `npm run bench:startup`: how long `npm start` takes from the command to /ready = 200, cold (an
// empty data folder: initdb, first migration) and warm (the data exists), and the resident memory
// of the web and worker processes at idle. Targets (issue 2): warm start <= 10 s, each process
// <= 150 MB resident at idle. Uses its own data folder and port; stops everything it started.
import { readFileSync, rmSync } from 'node:fs';
import { descendants, findDescendant, freePort, makeDataDir, root, sleep, stackEnv, start, waitUntil } from './lib.mjs';

const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 5000);

/** Resident memory of a process, in MB (Linux /proc). */
const rssMb = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

/** Whether a process still runs (exists and is not a zombie). */
const isRunning = (pid) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

async function run(label, env, port, measureMemory) {
  const started = performance.now();
  // Its own process group, so a signal to the group is what Ctrl-C in a terminal does.
  const npm = start('npm', ['start', '--silent'], { cwd: root, env, detached: true });
  await waitUntil(
    'npm start to answer /ready',
    async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok,
    npm,
    120_000,
    20,
  );
  const readyMs = performance.now() - started;
  let memory;
  if (measureMemory) {
    const web = findDescendant(npm.child.pid, 'dist/main.js');
    const worker = findDescendant(npm.child.pid, 'dist/worker.js');
    // Idle: let start-up garbage settle, then take the highest of a few samples.
    await sleep(IDLE_MS);
    const samples = { web: [], worker: [] };
    for (let i = 0; i < 5; i++) {
      samples.web.push(rssMb(web));
      samples.worker.push(rssMb(worker));
      await sleep(200);
    }
    memory = { web: Math.max(...samples.web), worker: Math.max(...samples.worker) };
  }
  const tree = descendants(npm.child.pid);
  process.kill(-npm.child.pid, 'SIGINT');
  const stopStarted = performance.now();
  await npm.exited;
  const stopMs = performance.now() - stopStarted;
  return { label, readyMs, stopMs, memory, left: tree.filter(isRunning).length };
}

const dataDir = makeDataDir('postaify-bench-');
try {
  const port = await freePort();
  const env = stackEnv(dataDir, port);
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
