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
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { TextDecoder } from 'node:util';
import pg from 'pg';
import {
  checkInterrupted,
  databaseUrlFromBanner,
  freePort,
  makeDataDir,
  percentile,
  runBenchmark,
  signIn,
  sleep,
  startStack,
  stopStack,
  waitForStack,
} from './lib.mjs';

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

const dataDir = makeDataDir('postaify-bench-jobs-');
let stack;
let db;
const cleanup = async () => {
  await db?.end().catch(() => undefined);
  db = undefined;
  if (stack) {
    await stopStack(stack);
    stack = undefined;
  }
  rmSync(dataDir, { recursive: true, force: true });
};

async function main() {
  console.log(`node ${process.version} (${process.execPath})`);
  console.log(
    `${availableParallelism()} CPUs, shared by this client, the web and worker processes, Postgres and Redis`,
  );

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const api = `${base}/api/v1`;
  const startedAt = performance.now();
  // The limits would otherwise cut the benchmark short.
  stack = startStack(dataDir, port, { RATE_LIMIT_PER_IP: '100000000', RATE_LIMIT_AI_PER_USER: '100000000' });
  await waitForStack(stack, base);
  console.log(`stack ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);

  // Sign in, make the user exist, and give it a plan whose quota the benchmark cannot use up.
  const token = await signIn(api, EMAIL);
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
}

await runBenchmark('jobs', { main, cleanup });
