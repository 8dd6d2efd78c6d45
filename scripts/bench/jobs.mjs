#!/usr/bin/env node
// `npm run bench:jobs`: how fast generation jobs go through the whole local stack (`npm start`'s
// compiled entry: embedded Postgres, local Redis, web + worker, the provider emulators answering
// at once). Two figures:
//   latency    200 POSTS jobs ({ numberOfPosts: 1 }) from 8 concurrent clients; for each, the time
//              from its 202 Accepted to its SUCCEEDED event on GET /api/v1/jobs/:id/events (the
//              stream is opened right after the 202, so its opening is part of the figure).
//   throughput 1,000 jobs submitted as fast as 32 concurrent clients can; jobs/s from the first 202
//              until every one of them is final (counted in Postgres every 20 ms).
// Targets: p50 <= 50 ms, p99 <= 200 ms, >= 200 jobs/s. Prints figures; asserts nothing.
// Uses its own data folder and ports; stops everything it started (SIGINT to the stack).
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TextDecoder } from 'node:util';
import pg from 'pg';

const root = new URL('../..', import.meta.url).pathname;
const WARMUP_JOBS = 20;
const LATENCY_JOBS = 200;
const LATENCY_CLIENTS = 8;
const THROUGHPUT_JOBS = 1_000;
const THROUGHPUT_CLIENTS = 32;
const THROUGHPUT_TIMEOUT_MS = 120_000;
const TARGET_P50_MS = 50;
const TARGET_P99_MS = 200;
const TARGET_JOBS_PER_S = 200;
const EMAIL = 'bench-jobs@example.com';
const BODY = JSON.stringify({
  transcript:
    'This week we compared three pour-over grind sizes; medium-fine gave the sweetest cup with the least bitterness.',
  platform: 'TWITTER',
  numberOfPosts: 1,
  style: 'CASUAL',
});
const FINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });

/** A child process whose output is kept, and a promise of its exit. */
function start(args, options) {
  const child = spawn(process.execPath, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  return { child, exited, output: () => output };
}

/** Stops a child's process group with `signal`, then SIGKILL after `graceMs`. */
async function stop(proc, signal, graceMs) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  try {
    process.kill(-proc.child.pid, signal);
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
      process.kill(-proc.child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    await proc.exited;
  }
}

let interrupted = false;
const checkInterrupted = () => {
  if (interrupted) throw new Error('interrupted');
};

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

/** The stack's Postgres URL, from its banner (the password of the embedded server is 'postgres'). */
function databaseUrlFromBanner(output) {
  const port = /Postgres\s+postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:(\d+)\/postaify/.exec(output)?.[1];
  if (!port) throw new Error(`no Postgres URL in the banner:\n${output}`);
  return `postgresql://postgres:postgres@127.0.0.1:${port}/postaify`;
}

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
const ms = (v) => `${v.toFixed(1)} ms`;

/** Runs `total` tasks over `clients` concurrent loops. */
async function pool(total, clients, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        checkInterrupted();
        const i = next++;
        await task(i);
      }
    }),
  );
}

const dataDir = mkdtempSync(join(tmpdir(), 'postaify-bench-jobs-'));
chmodSync(dataDir, 0o711);
let stack;
let db;
const cleanup = async () => {
  await db?.end().catch(() => undefined);
  db = undefined;
  if (stack) {
    const stopping = performance.now();
    await stop(stack, 'SIGINT', 30_000);
    console.log(`stack stopped (SIGINT) in ${((performance.now() - stopping) / 1000).toFixed(1)} s`);
    stack = undefined;
  }
  rmSync(dataDir, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping what the benchmark started`);
    void cleanup().then(() => process.exit(130));
  });
}

try {
  console.log(`node ${process.version} (${process.execPath})`);
  console.log(
    `${availableParallelism()} CPUs, shared by this client, the web and worker processes, Postgres and Redis`,
  );

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const api = `${base}/api/v1`;
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
      // The limits would otherwise cut the benchmark short.
      RATE_LIMIT_PER_IP: '100000000',
      RATE_LIMIT_AI_PER_USER: '100000000',
    },
  });
  await waitUntil(
    'the stack to be ready',
    async () => stack.output().includes('Postaify is running') && (await fetch(`${base}/ready`)).status === 200,
    stack,
    180_000,
  );
  console.log(`stack ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);

  // Sign in, make the user exist, and give it a plan whose quota the benchmark cannot use up.
  const session = await fetch(`${api}/dev/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: EMAIL }),
  });
  if (session.status !== 201) throw new Error(`sign-in failed: ${session.status} ${await session.text()}`);
  const { token } = await session.json();
  const auth = { Authorization: `Bearer ${token}` };
  const usage = await fetch(`${api}/usage`, { headers: auth });
  if (usage.status !== 200) throw new Error(`GET /usage failed: ${usage.status} ${await usage.text()}`);
  await usage.arrayBuffer();
  const sub = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).sub;
  db = new pg.Client({ connectionString: databaseUrlFromBanner(stack.output()) });
  await db.connect();
  const upgraded = await db.query(`UPDATE "User" SET plan = 'BUSINESS' WHERE "clerkId" = $1 RETURNING id`, [sub]);
  if (upgraded.rowCount !== 1) throw new Error(`no user ${sub} to upgrade`);
  const userId = upgraded.rows[0].id;

  /** POST /ai/generate; the 202's arrival time and the job id. */
  const submit = async () => {
    const res = await fetch(`${api}/ai/generate`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: BODY,
    });
    const at = performance.now();
    const body = await res.json();
    if (res.status !== 202) throw new Error(`POST /ai/generate answered ${res.status}: ${JSON.stringify(body)}`);
    return { at, id: body.id };
  };

  /** Reads the job's event stream until a final status; its arrival time and the status. */
  const finalEvent = async (id) => {
    const res = await fetch(`${api}/jobs/${id}/events`, { headers: auth });
    if (res.status !== 200) throw new Error(`GET /jobs/${id}/events answered ${res.status}`);
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of res.body) {
      text += decoder.decode(chunk, { stream: true });
      for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
        const data = /^data: (.*)$/m.exec(text.slice(0, end))?.[1];
        text = text.slice(end + 2);
        const status = data ? JSON.parse(data).status : undefined;
        if (FINAL.includes(status)) {
          const at = performance.now();
          await res.body.cancel().catch(() => undefined);
          return { at, status };
        }
      }
    }
    throw new Error(`the event stream of job ${id} ended without a final status`);
  };

  const timed = async () => {
    const accepted = await submit();
    const final = await finalEvent(accepted.id);
    return { ms: final.at - accepted.at, status: final.status, id: accepted.id };
  };

  // Latency.
  await pool(WARMUP_JOBS, LATENCY_CLIENTS, timed);
  const samples = [];
  await pool(LATENCY_JOBS, LATENCY_CLIENTS, async () => samples.push(await timed()));
  const succeeded = samples.filter((s) => s.status === 'SUCCEEDED').map((s) => s.ms);
  succeeded.sort((a, b) => a - b);
  const p50 = percentile(succeeded, 50);
  const p99 = percentile(succeeded, 99);
  const server = await db.query(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY total) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY total) AS p99,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY waited) AS waited, percentile_cont(0.5) WITHIN GROUP (ORDER BY ran) AS ran
     FROM (SELECT EXTRACT(EPOCH FROM ("finishedAt" - "createdAt")) * 1000 AS total,
             EXTRACT(EPOCH FROM ("startedAt" - "createdAt")) * 1000 AS waited,
             EXTRACT(EPOCH FROM ("finishedAt" - "startedAt")) * 1000 AS ran
           FROM "Job" WHERE id = ANY($1::uuid[])) t`,
    [samples.map((s) => s.id)],
  );

  // Throughput.
  const [{ now: phaseStart }] = (await db.query('SELECT now()')).rows;
  let firstAccepted;
  let rejected = 0;
  const submitting = pool(THROUGHPUT_JOBS, THROUGHPUT_CLIENTS, async () => {
    try {
      const { at } = await submit();
      firstAccepted ??= at;
    } catch (err) {
      rejected++;
      if (rejected === 1) console.error(`a submission failed: ${err.message}`);
    }
  });
  let submittedAt;
  void submitting.then(() => (submittedAt = performance.now()));
  let counts = { succeeded: 0, failed: 0, other: 0 };
  const deadline = Date.now() + THROUGHPUT_TIMEOUT_MS;
  for (;;) {
    checkInterrupted();
    const { rows } = await db.query(
      `SELECT count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS succeeded,
              count(*) FILTER (WHERE status IN ('FAILED', 'CANCELLED'))::int AS failed,
              count(*) FILTER (WHERE status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED'))::int AS other
       FROM "Job" WHERE "userId" = $1 AND "createdAt" >= $2`,
      [userId, phaseStart],
    );
    counts = rows[0];
    if (
      submittedAt !== undefined &&
      counts.other === 0 &&
      counts.succeeded + counts.failed >= THROUGHPUT_JOBS - rejected
    )
      break;
    if (Date.now() > deadline) break;
    await sleep(20);
  }
  const finishedAt = performance.now();
  await submitting;
  const elapsedS = (finishedAt - firstAccepted) / 1000;
  const jobsPerS = counts.succeeded / elapsedS;
  const submitRate = (THROUGHPUT_JOBS - rejected) / ((submittedAt - firstAccepted) / 1000);

  const met = (ok) => (ok ? 'met' : 'MISSED');
  const p50Ok = p50 <= TARGET_P50_MS;
  const p99Ok = p99 <= TARGET_P99_MS;
  const rateOk = jobsPerS >= TARGET_JOBS_PER_S && counts.failed === 0 && counts.other === 0;
  console.log(
    `latency: ${LATENCY_JOBS} POSTS jobs (numberOfPosts 1), ${LATENCY_CLIENTS} concurrent clients, after ${WARMUP_JOBS} warm-up jobs`,
  );
  console.log(
    `  202 -> SUCCEEDED event (client): p50 ${ms(p50)}   p99 ${ms(p99)}   max ${ms(succeeded.at(-1))}   (${succeeded.length} succeeded, ${samples.length - succeeded.length} failed)`,
  );
  console.log(
    `  createdAt -> finishedAt (Postgres): p50 ${ms(Number(server.rows[0].p50))}   p99 ${ms(Number(server.rows[0].p99))}   (p50 of createdAt -> startedAt ${ms(Number(server.rows[0].waited))}, startedAt -> finishedAt ${ms(Number(server.rows[0].ran))})`,
  );
  console.log(`throughput: ${THROUGHPUT_JOBS} jobs, ${THROUGHPUT_CLIENTS} concurrent clients`);
  console.log(
    `  accepted at ${submitRate.toFixed(0)} jobs/s; ${counts.succeeded} SUCCEEDED, ${counts.failed} FAILED, ${counts.other} not final, ${rejected} not accepted`,
  );
  console.log(`  first 202 -> all final: ${elapsedS.toFixed(2)} s = ${jobsPerS.toFixed(0)} jobs/s`);
  console.log(`p50 ${ms(p50)} (target <= ${TARGET_P50_MS} ms): ${met(p50Ok)}`);
  console.log(`p99 ${ms(p99)} (target <= ${TARGET_P99_MS} ms): ${met(p99Ok)}`);
  console.log(`throughput ${jobsPerS.toFixed(0)} jobs/s (target >= ${TARGET_JOBS_PER_S} jobs/s): ${met(rateOk)}`);
  console.log(p50Ok && p99Ok && rateOk ? 'targets: met' : 'targets: MISSED');
} catch (err) {
  if (!interrupted) {
    console.error(`bench:jobs failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
} finally {
  if (!interrupted) await cleanup();
}
