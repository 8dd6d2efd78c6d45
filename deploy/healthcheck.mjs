#!/usr/bin/env node
// The images' HEALTHCHECK (Dockerfile) and anyone's probe on a VM: `node deploy/healthcheck.mjs
// web|worker|frontend`, exit 0 when healthy, 1 otherwise, one line saying why.
//   web       GET /health on PORT (default 3001) answers 200 {"status":"ok"}
//   frontend  GET /sign-in on FRONTEND_PORT, else PORT, else 3000 (the image's start command's
//             port) answers 2xx or 3xx
//   worker    the worker has no HTTP port: a process-level check that a node process running
//             backend/dist/worker.js is alive and not a zombie (it says nothing about its jobs)
/* global AbortSignal */
import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const TIMEOUT_MS = 4_000;
const role = process.argv[2];
const set = (v) => (v && v.trim() !== '' ? v.trim() : undefined);

async function probe(url, accept) {
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = await res.text();
    return accept(res, body) ? { ok: true, why: `${url} ${res.status}` } : { ok: false, why: `${url} ${res.status}` };
  } catch (err) {
    return { ok: false, why: `${url}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** PIDs of live (not zombie) processes whose command line contains `needle`, this one excluded. */
export function processesRunning(needle, proc = '/proc') {
  const found = [];
  for (const entry of readdirSync(proc)) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`${proc}/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (!cmdline.includes(needle)) continue;
      // /proc/<pid>/stat: "pid (comm) S ...": the state follows the last ')'.
      const stat = readFileSync(`${proc}/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state !== 'Z' && state !== 'X') found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

async function check() {
  if (role === 'web') {
    const port = set(process.env.PORT) ?? '3001';
    return probe(`http://127.0.0.1:${port}/health`, (res, body) => res.status === 200 && body.includes('"ok"'));
  }
  if (role === 'frontend') {
    const port = set(process.env.FRONTEND_PORT) ?? set(process.env.PORT) ?? '3000';
    return probe(`http://127.0.0.1:${port}/sign-in`, (res) => res.status >= 200 && res.status < 400);
  }
  if (role === 'worker') {
    const pids = processesRunning('backend/dist/worker.js');
    return pids.length > 0
      ? { ok: true, why: `worker process alive (pid ${pids.join(', ')})` }
      : { ok: false, why: 'no live process runs backend/dist/worker.js' };
  }
  return { ok: false, why: `usage: node deploy/healthcheck.mjs web|worker|frontend (got ${role ?? 'nothing'})` };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { ok, why } = await check();
  process.stdout.write(`${ok ? 'healthy' : 'unhealthy'}: ${why}\n`);
  process.exit(ok ? 0 : 1);
}
