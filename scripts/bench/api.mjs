#!/usr/bin/env node
// `npm run bench:api`: throughput and latency of a signed-in read through the whole local stack
// (`npm start`'s compiled entry: embedded Postgres, local Redis, web + worker), against a bare
// Express 5 app answering {"hello":"world"} on the same machine and the same Node. Each is loaded
// with autocannon, 32 connections, a 2 s warm-up then 10 s measured, one after the other.
// Targets: the API serves >= 25% of the bare app's requests/s, with p99 latency <= 25 ms.
// Then two floors, to show what the list's one query costs by itself: the bare app plus that very
// query (same Postgres, same 20 rows), once through Prisma (as the API runs it) and once through
// node-postgres alone with a prepared statement. No middleware, no auth, no rate limit.
// Uses its own data folder and ports; stops everything it started (SIGINT to the stack).
import autocannon from 'autocannon';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  checkInterrupted,
  databaseUrlFromBanner,
  exePath,
  findDescendant,
  freePort,
  makeDataDir,
  root,
  runBenchmark,
  signIn,
  start,
  startStack,
  stop,
  stopStack,
  waitForStack,
  waitUntil,
} from './lib.mjs';

const CONNECTIONS = 32;
const WARMUP_S = 2;
const DURATION_S = 10;
const POSTS = 40;
const TARGET_RATIO = 0.25;
const TARGET_P99_MS = 25;

let running; // the autocannon instance under way, stopped on Ctrl-C

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
  `${r.label.padEnd(6)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50).padStart(3)} ms   p99 ${String(r.p99).padStart(3)} ms   non-2xx ${r.non2xx}   errors ${r.errors} (timeouts ${r.timeouts})   ${r.total} requests in ${DURATION_S} s`;

const BARE_APP = `
import express from 'express';
const app = express();
app.get('/', (_req, res) => { res.json({ hello: 'world' }); });
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port, node: process.version }) + '\\n');
});
process.on('SIGINT', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
`;

// The list query as PostsService runs it (newest first, one row more than the page for the cursor).
const FLOOR_APP = `
import express from 'express';
import pg from 'pg';
import { pino } from 'pino';
import { createDb } from ${JSON.stringify(join(root, 'backend', 'dist', 'lib', 'db.js'))};
const url = process.env.DATABASE_URL;
const { db } = createDb({ url, logger: pino({ level: 'warn' }) });
const pool = new pg.Pool({ connectionString: url, max: 10 });
const user = await db.user.findFirstOrThrow({ where: { email: process.env.BENCH_EMAIL } });
const app = express();
app.get('/prisma', async (_req, res) => {
  const rows = await db.post.findMany({
    where: { userId: user.id },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: 21,
  });
  res.json({ items: rows.slice(0, 20) });
});
app.get('/pg', async (_req, res) => {
  const { rows } = await pool.query({
    name: 'list',
    text: 'SELECT * FROM "Post" WHERE "userId" = $1 ORDER BY "createdAt" DESC, "id" DESC LIMIT 21',
    values: [user.id],
  });
  res.json({ items: rows.slice(0, 20) });
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n');
});
process.on('SIGINT', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
`;

/** The JSON line ({ port, … }) a small app above printed once it listened. */
const announced = (proc) =>
  JSON.parse(
    proc
      .output()
      .split('\n')
      .find((l) => l.includes('"port"')),
  );

const dataDir = makeDataDir('postaify-bench-api-');
let bare;
let floor;
let stack;
const cleanup = async () => {
  if (bare) await stop(bare, 'SIGINT', 5_000);
  if (floor) await stop(floor, 'SIGINT', 5_000);
  if (stack) await stopStack(stack);
  rmSync(dataDir, { recursive: true, force: true });
};

async function main() {
  const expressVersion = createRequire(join(root, 'package.json'))('express/package.json').version;
  console.log(`node ${process.version} (${process.execPath})`);
  console.log(`${availableParallelism()} CPUs, shared by autocannon, the server under test, Postgres and Redis`);
  console.log(
    `autocannon: ${CONNECTIONS} connections, ${WARMUP_S} s warm-up then ${DURATION_S} s, one target at a time`,
  );

  // (a) The bare app, alone on the machine.
  bare = start(process.execPath, ['--input-type=module', '-e', BARE_APP], { cwd: root });
  await waitUntil('the bare app to listen', async () => bare.output().includes('"port"'), bare, 10_000);
  const bareInfo = announced(bare);
  const bareExe = exePath(bare.child.pid);
  const hello = await fetch(`http://127.0.0.1:${bareInfo.port}/`).then((r) => r.text());
  if (hello !== '{"hello":"world"}') throw new Error(`the bare app answered ${hello}`);
  const bareResult = await load('bare', `http://127.0.0.1:${bareInfo.port}/`);
  await stop(bare, 'SIGINT', 5_000);
  bare = undefined;

  // (b) The whole system, as `npm start` runs it.
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  // The per-IP limit would otherwise cut the benchmark short.
  stack = startStack(dataDir, port, { RATE_LIMIT_PER_IP: '100000000' });
  await waitForStack(stack, base);
  const readyS = (performance.now() - startedAt) / 1000;

  const auth = { Authorization: `Bearer ${await signIn(`${base}/api/v1`, 'bench@example.com')}` };
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

  const webPid = findDescendant(stack.child.pid, join('dist', 'main.js'));
  const webExe = webPid ? exePath(webPid) : undefined;
  const apiResult = await load('api', listUrl, auth);

  // (c) The floors: the list's query alone behind a bare Express app, on the stack's Postgres.
  floor = start(process.execPath, ['--input-type=module', '-e', FLOOR_APP], {
    cwd: join(root, 'backend'),
    env: { ...process.env, DATABASE_URL: databaseUrlFromBanner(stack.output()), BENCH_EMAIL: 'bench@example.com' },
  });
  await waitUntil('the floor app to listen', async () => floor.output().includes('"port"'), floor, 30_000);
  const floorPort = announced(floor).port;
  const prismaFloor = await load('prisma', `http://127.0.0.1:${floorPort}/prisma`);
  const pgFloor = await load('pg', `http://127.0.0.1:${floorPort}/pg`);
  await stop(floor, 'SIGINT', 5_000);
  floor = undefined;

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
  console.log(`prisma: bare Express + the list's query through Prisma (no middleware, no auth)`);
  console.log(`pg:   bare Express + the same query through node-postgres, prepared`);
  console.log(line(bareResult));
  console.log(line(apiResult));
  console.log(line(prismaFloor));
  console.log(line(pgFloor));
  console.log(
    `api/bare: ${(ratio * 100).toFixed(1)}% of the bare app's requests/s (target >= ${TARGET_RATIO * 100}%): ${ratioOk ? 'met' : 'MISSED'}`,
  );
  const pct = (r) => `${((r.rps / bareResult.rps) * 100).toFixed(1)}%`;
  console.log(
    `floors: the query alone serves ${pct(prismaFloor)} of the bare app's requests/s through Prisma, ${pct(pgFloor)} through node-postgres; the API serves ${((apiResult.rps / prismaFloor.rps) * 100).toFixed(0)}% of the Prisma floor`,
  );
  console.log(`api p99: ${apiResult.p99} ms (target <= ${TARGET_P99_MS} ms): ${p99Ok ? 'met' : 'MISSED'}`);
  if (apiResult.non2xx > 0 || apiResult.errors > 0 || bareResult.non2xx > 0 || bareResult.errors > 0) {
    console.log('warning: some requests failed (non-2xx or errors above); the figures do not measure successes only');
  }
  console.log(ratioOk && p99Ok ? 'targets: met' : 'targets: MISSED');
}

await runBenchmark('api', { main, cleanup, onSignal: () => running?.stop() });
