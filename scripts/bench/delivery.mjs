#!/usr/bin/env node
// `npm run bench:delivery`: Telegram delivery through the whole local stack (`npm start`'s compiled
// entry: embedded Postgres, local Redis, web + worker) plus a second worker process, against the
// Telegram emulator running in this process (a real TELEGRAM_BOT_TOKEN that the emulator accepts,
// so the stack starts no Telegram emulator of its own). Needs `npm run build` first.
// Three runs, each on a fresh stack:
//   free   3,000 posts due at once across 1,000 linked chats (3 each); the emulator allows 30
//          messages/s for the bot, 1/s per chat (burst 3); the workers are set to 28/s.
//   paid   the same with paid broadcasts: TELEGRAM_PAID_BROADCAST=true and TELEGRAM_MAX_PER_SECOND=
//          950; the emulator allows 1,000/s with allow_paid_broadcast (30/s without it).
//   fair   one account with 2,000 posts due at once (one chat: Telegram lets ~1 a second into it),
//          then five other accounts with one post each, due 3 s apart while that backlog is
//          being sent: how late is each small account's post (first message - dueAt)? Free limits.
// Rows (users, chats, SCHEDULED posts, deliveries due now) are inserted straight into the stack's
// Postgres. Messages/s is measured from the first accepted message to the last; lateness is the
// first accepted message of a post minus its dueAt; duplicates and lost come from the emulator's
// records against the posts.
// Targets: free >= 93% of 30/s with 0 lost, 0 duplicates and < 1% of calls answered 429; paid >=
// 600 messages/s; fair: every small account's post within 5 s of its dueAt. Prints figures;
// asserts nothing. Stops everything it started. BENCH_DELIVERY_RUNS=free,fair picks runs.
// BENCH_DELIVERY_REDIS=cluster: each run on a three-master Redis Cluster of its own (local
// redis-servers in cluster mode, no replicas, started before the stack and stopped after it) instead
// of the stack's one local Redis; the stack and the second worker get it as REDIS_CLUSTER_NODES,
// so BullMQ's keys carry the {postaify} hash tag. Each run's label and summary line then say so.
// Default (unset, or `one`): one Redis, as `npm start` runs it.
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  checkInterrupted,
  databaseUrlFromBanner,
  freePort,
  makeDataDir,
  percentile,
  root,
  runBenchmark,
  sleep,
  start,
  startRedisCluster,
  startStack,
  stop,
  stopStack,
  waitForStack,
  waitUntil,
} from './lib.mjs';

const POSTS = 3_000;
const CHATS = 1_000;
const TOKEN = '4242424242:AAbench-delivery-emulator-token';
const FREE_LIMIT = 30;
const PAID_LIMIT = 1_000;
// The workers' rate for paid broadcasts: the same headroom under Telegram's limit as the free
// run's 28 of 30. At exactly 1,000 the jitter between a permit and its arrival put a few more than
// 1,000 sends into some second: 7-21 429s a run, each pausing every sender for a second.
const PAID_RATE = 950;
const TARGET_FREE_RATIO = 0.93;
const TARGET_PAID_PER_S = 600;
const MAX_429_SHARE = 0.01;

const RUNS = [
  {
    name: 'free',
    label: `free: ${POSTS} posts, ${CHATS} chats, emulator ${FREE_LIMIT}/s (1/s per chat, burst 3), TELEGRAM_MAX_PER_SECOND=28`,
    limit: FREE_LIMIT,
    emulator: { globalPerSecond: FREE_LIMIT, perChatPerSecond: 1, perChatBurst: 3 },
    env: { TELEGRAM_MAX_PER_SECOND: '28' },
    timeoutMs: 400_000,
  },
  {
    name: 'paid',
    label: `paid broadcast: ${POSTS} posts, ${CHATS} chats, emulator ${PAID_LIMIT}/s paid (${FREE_LIMIT}/s unpaid), TELEGRAM_PAID_BROADCAST=true, TELEGRAM_MAX_PER_SECOND=${PAID_RATE}`,
    limit: PAID_LIMIT,
    emulator: {
      globalPerSecond: FREE_LIMIT,
      paidBroadcastPerSecond: PAID_LIMIT,
      perChatPerSecond: 1,
      perChatBurst: 3,
    },
    env: { TELEGRAM_PAID_BROADCAST: 'true', TELEGRAM_MAX_PER_SECOND: String(PAID_RATE) },
    timeoutMs: 300_000,
  },
];

const BACKLOG = 2_000;
const SMALL_ACCOUNTS = 5;
const SMALL_EVERY_MS = 3_000;
const SMALL_TIMEOUT_MS = 120_000;
const TARGET_SMALL_LATENESS_S = 5;
const FAIR_RUN = {
  name: 'fair',
  label: `fair: one account with ${BACKLOG} posts due at once (one chat), then ${SMALL_ACCOUNTS} accounts with one post each, ${SMALL_EVERY_MS / 1000} s apart; emulator ${FREE_LIMIT}/s (1/s per chat, burst 3), TELEGRAM_MAX_PER_SECOND=28`,
  emulator: { globalPerSecond: FREE_LIMIT, perChatPerSecond: 1, perChatBurst: 3 },
  env: { TELEGRAM_MAX_PER_SECOND: '28' },
};

// Checked before anything starts: a typo should not cost a run on the wrong Redis.
const REDIS_MODE = process.env.BENCH_DELIVERY_REDIS || 'one';
if (!['one', 'cluster'].includes(REDIS_MODE)) {
  console.error(`BENCH_DELIVERY_REDIS: cluster, or one (the default), not ${REDIS_MODE}`);
  process.exit(1);
}
const CLUSTER = REDIS_MODE === 'cluster';
const CLUSTER_MASTERS = 3;
// Which Redis a run used, for its label and its summary line; empty on one Redis, whose output
// stays as it was before the option existed.
const onRedis = CLUSTER ? ` (Redis Cluster, ${CLUSTER_MASTERS} masters)` : '';

const emulatorsEntry = join(root, 'emulators', 'dist', 'index.js');
if (!existsSync(emulatorsEntry)) {
  console.error('bench:delivery needs the compiled emulators: run `npm run build` first');
  process.exit(1);
}
const { startTelegramEmulator } = await import(emulatorsEntry);

/** What a run has started, stopped by `stopRun` (also on Ctrl-C or failure). */
let current = {};

async function stopRun() {
  const { db, worker, stack, cluster, telegram, dataDir } = current;
  current = {};
  await db?.end().catch(() => undefined);
  if (worker) await stop(worker, 'SIGTERM', 15_000);
  if (stack) await stopStack(stack);
  // After the processes that use it: a worker that loses Redis while stopping logs errors.
  await cluster?.stop();
  await telegram?.close().catch(() => undefined);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

/** Users, linked chats, SCHEDULED posts and their deliveries due now. Returns dueAt (ms) and the post keys. */
async function insertDue(db, tag) {
  const users = Array.from({ length: CHATS }, () => randomUUID());
  const chatIds = users.map((_, i) => String(8_000_001 + i));
  await db.query(
    `INSERT INTO "User" (id, "clerkId", email, "updatedAt")
     SELECT u, 'local_bench_' || u, 'bench-' || u || '@example.com', now() FROM unnest($1::uuid[]) AS u`,
    [users],
  );
  await db.query(
    `INSERT INTO "TelegramChat" ("userId", "chatId", username, "firstName", "updatedAt")
     SELECT u, c, 'u' || c, 'Bench', now() FROM unnest($1::uuid[], $2::bigint[]) AS t(u, c)`,
    [users, chatIds],
  );
  const posts = Array.from({ length: POSTS }, (_, i) => ({
    id: randomUUID(),
    key: `${tag}:${i}`,
    user: users[i % CHATS],
    chat: chatIds[i % CHATS],
  }));
  const due = new Date();
  await db.query(
    `INSERT INTO "Post" (id, "userId", platform, content, status, "scheduledFor", "updatedAt")
     SELECT p, u, 'TWITTER', '[' || k || '] Fresh bread at seven, coffee at eight. See you at the bakery!', 'SCHEDULED', $4, now()
     FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS t(p, u, k)`,
    [posts.map((p) => p.id), posts.map((p) => p.user), posts.map((p) => p.key), due],
  );
  // Due now: the workers' next tick claims them.
  const dueAt = new Date();
  await db.query(
    `INSERT INTO "Delivery" ("postId", "userId", "chatId", "dueAt", "updatedAt")
     SELECT p, u, c, $4, now() FROM unnest($1::uuid[], $2::uuid[], $3::bigint[]) AS t(p, u, c)`,
    [posts.map((p) => p.id), posts.map((p) => p.user), posts.map((p) => p.chat), dueAt],
  );
  return { dueAt: dueAt.getTime(), keys: posts.map((p) => p.key) };
}

/** One account with a linked chat and `count` SCHEDULED posts, their deliveries due now. */
async function insertAccount(db, tag, chatId, count) {
  const user = randomUUID();
  await db.query(
    `INSERT INTO "User" (id, "clerkId", email, "updatedAt") VALUES ($1::uuid, 'local_bench_' || $1::text, 'bench-' || $1::text || '@example.com', now())`,
    [user],
  );
  await db.query(
    `INSERT INTO "TelegramChat" ("userId", "chatId", username, "firstName", "updatedAt") VALUES ($1::uuid, $2::bigint, 'u' || $2::text, 'Bench', now())`,
    [user, chatId],
  );
  const posts = Array.from({ length: count }, (_, i) => ({ id: randomUUID(), key: `${tag}:${i}` }));
  const due = new Date();
  await db.query(
    `INSERT INTO "Post" (id, "userId", platform, content, status, "scheduledFor", "updatedAt")
     SELECT p, $1, 'TWITTER', '[' || k || '] Fresh bread at seven, coffee at eight.', 'SCHEDULED', $4, now()
     FROM unnest($2::uuid[], $3::text[]) AS t(p, k)`,
    [user, posts.map((p) => p.id), posts.map((p) => p.key), due],
  );
  const dueAt = new Date();
  await db.query(
    `INSERT INTO "Delivery" ("postId", "userId", "chatId", "dueAt", "updatedAt")
     SELECT p, $1, $2, $4, now() FROM unnest($3::uuid[]) AS p`,
    [user, chatId, posts.map((p) => p.id), dueAt],
  );
  return { user, dueAt: dueAt.getTime(), keys: posts.map((p) => p.key) };
}

/** The emulator's accepted messages of one tag, by post key: their times (ms). */
function acceptedByKey(telegram) {
  const byKey = new Map();
  for (const m of telegram.messages()) {
    const key = /\[([a-z0-9]+:\d+)\]/.exec(m.text ?? m.caption ?? '')?.[1];
    if (key) byKey.set(key, [...(byKey.get(key) ?? []), m.ts_ms]);
  }
  return byKey;
}

/**
 * The fair run: a backlog of one account, then small accounts' posts while it is being sent. The
 * figure is each small post's lateness; also what the big account got meanwhile.
 */
async function fairRun(spec) {
  const { telegram, db } = await startRun(spec);
  const big = await insertAccount(db, 'big', '7000001', BACKLOG);
  console.log(`  ${BACKLOG} posts of one account due now`);
  await waitUntil("the big account's first message", async () => telegram.messages().length > 0, current.stack, 60_000);
  const small = [];
  for (let i = 0; i < SMALL_ACCOUNTS; i++) {
    checkInterrupted();
    small.push(await insertAccount(db, `small${i}`, String(7000101 + i), 1));
    await sleep(SMALL_EVERY_MS);
  }
  const deadline = Date.now() + SMALL_TIMEOUT_MS;
  for (;;) {
    checkInterrupted();
    const byKey = acceptedByKey(telegram);
    if (small.every((a) => byKey.has(a.keys[0])) || Date.now() > deadline) break;
    await sleep(250);
  }
  const byKey = acceptedByKey(telegram);
  const lateness = small.map((a) => {
    const at = byKey.get(a.keys[0]);
    return at ? (Math.min(...at) - a.dueAt) / 1000 : undefined;
  });
  const bigSent = big.keys.filter((k) => byKey.has(k)).length;
  const elapsedS = (Date.now() - big.dueAt) / 1000;
  const { rows: bigStatus } = await db.query(
    `SELECT status, count(*)::int AS n FROM "Delivery" WHERE "userId" = $1 GROUP BY status ORDER BY status`,
    [big.user],
  );
  const { rows: bigFailures } = await db.query(
    `SELECT "lastError" AS reason, count(*)::int AS n FROM "Delivery" WHERE "userId" = $1 AND status = 'FAILED' GROUP BY 1 ORDER BY 2 DESC LIMIT 3`,
    [big.user],
  );
  const stats = telegram.stats();
  const shown = (s) => (s === undefined ? `not delivered within ${SMALL_TIMEOUT_MS / 1000} s` : `${s.toFixed(2)} s`);
  console.log(`  small accounts' lateness (first message - dueAt): ${lateness.map(shown).join(', ')}`);
  console.log(
    `  big account after ${elapsedS.toFixed(0)} s: ${bigSent} messages accepted (${(bigSent / elapsedS).toFixed(2)}/s into its one chat); deliveries: ${bigStatus
      .map((r) => `${r.n} ${r.status}`)
      .join(', ')}`,
  );
  for (const f of bigFailures) console.log(`  big account FAILED ${f.n}: ${f.reason}`);
  console.log(
    `  calls answered 429: ${stats.rejected429}; duplicates of small posts: ${small.filter((a) => (byKey.get(a.keys[0])?.length ?? 0) > 1).length}`,
  );
  await stopRun();
  return { lateness };
}

async function statusCounts(db) {
  const { rows } = await db.query(`SELECT status, count(*)::int AS n FROM "Delivery" GROUP BY status`);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** A fresh emulator, stack and second worker for `spec`; a client of the stack's Postgres. */
async function startRun(spec) {
  console.log(`\n${spec.label}${onRedis}`);
  const telegram = await startTelegramEmulator({ token: TOKEN, autoCreateChats: true, ...spec.emulator });
  current.telegram = telegram;
  const dataDir = makeDataDir(`postaify-bench-delivery-${spec.name}-`);
  current.dataDir = dataDir;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const telegramEnv = { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: telegram.url, ...spec.env };
  // A fresh cluster per run, as each run has a fresh stack: no keys left by the run before.
  let clusterNodes;
  if (CLUSTER) {
    // Registered before its first server starts: a Ctrl-C meanwhile stops the servers started so far.
    const cluster = await startRedisCluster(
      CLUSTER_MASTERS,
      (stopCluster) => (current.cluster = { stop: stopCluster }),
    );
    clusterNodes = cluster.nodes.join(',');
  }
  // On a cluster the stack starts no redis-server; stackEnv passes no REDIS_URL of ours.
  const redisEnv = CLUSTER ? { REDIS_CLUSTER_NODES: clusterNodes } : {};
  // info: to see each worker's "worker started".
  const stack = startStack(dataDir, port, { ...telegramEnv, ...redisEnv, LOG_LEVEL: 'info' });
  current.stack = stack;
  await waitForStack(stack, base);
  const output = stack.output();
  const databaseUrl = databaseUrlFromBanner(output);
  let workerRedisEnv;
  if (CLUSTER) {
    // The banner names the Redis the stack's processes got: ours, or the figures are not the cluster's.
    const bannerNodes = /Redis\s+cluster (redis:\/\/[^\s,]+(?:, redis:\/\/[^\s,]+)*)/.exec(output)?.[1];
    if (bannerNodes?.split(', ').join(',') !== clusterNodes)
      throw new Error(`the banner does not name the cluster ${clusterNodes}:\n${output}`);
    workerRedisEnv = { REDIS_CLUSTER_NODES: clusterNodes };
  } else {
    const redisUrl = /Redis\s+(redis:\/\/\S+)/.exec(output)?.[1];
    if (!redisUrl) throw new Error(`no Redis URL in the banner:\n${output}`);
    workerRedisEnv = { REDIS_URL: redisUrl };
  }
  await waitUntil('the stack worker to start', async () => stack.output().includes('worker started'), stack, 30_000);

  // The second worker process, as `npm run start:worker` runs it, over the stack's Postgres and Redis.
  // Its environment is built from nothing: on a cluster it has no REDIS_URL (both set is refused at boot).
  const worker = start(process.execPath, ['--max-semi-space-size=4', join(root, 'backend', 'dist', 'worker.js')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      POSTAIFY_ENV_FILE: '',
      POSTAIFY_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      ...workerRedisEnv,
      ...telegramEnv,
    },
  });
  current.worker = worker;
  await waitUntil('the second worker to start', async () => worker.output().includes('worker started'), worker, 30_000);

  const db = new pg.Client({ connectionString: databaseUrl });
  current.db = db;
  // Postgres going away (the stack stopped) is reported by the waits, with the stack's output.
  db.on('error', (err) => console.error(`  Postgres connection lost: ${err.message}`));
  await db.connect();
  return { telegram, db };
}

async function run(spec) {
  const { telegram, db } = await startRun(spec);
  const { dueAt, keys } = await insertDue(db, spec.name);
  console.log(`  ${POSTS} posts due now`);

  const deadline = Date.now() + spec.timeoutMs;
  let counts = {};
  for (;;) {
    checkInterrupted();
    counts = await statusCounts(db);
    if ((counts.SENT ?? 0) + (counts.FAILED ?? 0) + (counts.CANCELLED ?? 0) >= POSTS) break;
    if (Date.now() > deadline) break;
    await sleep(250);
  }
  const finishedAt = Date.now();

  // The emulator's records against the posts.
  const byKey = acceptedByKey(telegram);
  const lost = keys.filter((k) => !byKey.has(k)).length;
  const duplicatePosts = keys.filter((k) => (byKey.get(k)?.length ?? 0) > 1).length;
  const duplicates = keys.reduce((sum, k) => sum + Math.max(0, (byKey.get(k)?.length ?? 0) - 1), 0);
  const times = [...byKey.values()].flat().sort((a, b) => a - b);
  const elapsedS = (times.at(-1) - times[0]) / 1000;
  const rate = (times.length - 1) / elapsedS;
  const lateness = keys
    .filter((k) => byKey.has(k))
    .map((k) => (Math.min(...byKey.get(k)) - dueAt) / 1000)
    .sort((a, b) => a - b);
  const stats = telegram.stats();
  const calls = stats.accepted + stats.rejected;
  const share429 = calls > 0 ? stats.rejected429 / calls : 0;
  const { rows: posts } = await db.query(
    `SELECT status, count(*)::int AS n FROM "Post" GROUP BY status ORDER BY status`,
  );
  const { rows: failures } = await db.query(
    `SELECT "lastError" AS reason, count(*)::int AS n FROM "Delivery" WHERE status = 'FAILED' GROUP BY 1 ORDER BY 2 DESC LIMIT 5`,
  );

  console.log(
    `  deliveries: ${Object.entries(counts)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ')}${finishedAt > deadline ? ` (timed out after ${spec.timeoutMs / 1000} s)` : ''}; posts: ${posts
      .map((r) => `${r.n} ${r.status}`)
      .join(', ')}`,
  );
  for (const f of failures) console.log(`  FAILED ${f.n}: ${f.reason}`);
  console.log(
    `  messages: ${times.length} accepted in ${elapsedS.toFixed(1)} s (first to last) = ${rate.toFixed(1)} messages/s = ${(
      (100 * rate) /
      spec.limit
    ).toFixed(1)}% of ${spec.limit}/s; most in any 1 s: ${stats.maxPerSecondObserved}`,
  );
  console.log(
    `  calls: ${calls}; answered 429: ${stats.rejected429} (${(100 * share429).toFixed(2)}%); other errors: ${stats.rejected - stats.rejected429}`,
  );
  console.log(`  lost: ${lost}; duplicates: ${duplicates} extra messages over ${duplicatePosts} posts`);
  console.log(
    `  lateness (first message - dueAt): p50 ${percentile(lateness, 50)?.toFixed(2)} s   p99 ${percentile(lateness, 99)?.toFixed(2)} s   max ${lateness.at(-1)?.toFixed(2)} s`,
  );
  await stopRun();
  return { rate, lost, duplicates, share429 };
}

async function main() {
  console.log(`node ${process.version} (${process.execPath})`);
  console.log(
    `${availableParallelism()} CPUs, shared by this process (with the emulator), the web process, two workers, Postgres and ${CLUSTER ? `a Redis Cluster (${CLUSTER_MASTERS} redis-servers)` : 'Redis'}`,
  );
  // BENCH_DELIVERY_RUNS=paid (or free,fair, ...) runs those; the summary then covers them.
  const names = (process.env.BENCH_DELIVERY_RUNS || 'free,paid,fair').split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !['free', 'paid', 'fair'].includes(n));
  if (unknown.length > 0) throw new Error(`BENCH_DELIVERY_RUNS: free, paid or fair, not ${unknown.join(', ')}`);
  const free = names.includes('free') ? await run(RUNS[0]) : undefined;
  const paid = names.includes('paid') ? await run(RUNS[1]) : undefined;
  const fair = names.includes('fair') ? await fairRun(FAIR_RUN) : undefined;

  const met = (ok) => (ok ? 'met' : 'MISSED');
  const freeOk =
    !free ||
    (free.rate >= TARGET_FREE_RATIO * FREE_LIMIT &&
      free.lost === 0 &&
      free.duplicates === 0 &&
      free.share429 < MAX_429_SHARE);
  const paidOk = !paid || (paid.rate >= TARGET_PAID_PER_S && paid.lost === 0);
  console.log('');
  if (free)
    console.log(
      `free${onRedis}: ${free.rate.toFixed(1)} messages/s = ${((100 * free.rate) / FREE_LIMIT).toFixed(1)}% of ${FREE_LIMIT}/s, ${free.lost} lost, ${free.duplicates} duplicates, ${(100 * free.share429).toFixed(2)}% 429 (target >= ${TARGET_FREE_RATIO * 100}%, 0 lost, 0 duplicates, < ${MAX_429_SHARE * 100}% 429): ${met(freeOk)}`,
    );
  if (paid)
    console.log(
      `paid${onRedis}: ${paid.rate.toFixed(0)} messages/s, ${paid.lost} lost, ${paid.duplicates} duplicates, ${(100 * paid.share429).toFixed(2)}% 429 (target >= ${TARGET_PAID_PER_S} messages/s against ${PAID_LIMIT}/s): ${met(paidOk)}`,
    );
  const fairOk = !fair || fair.lateness.every((s) => s !== undefined && s <= TARGET_SMALL_LATENESS_S);
  if (fair)
    console.log(
      `fair${onRedis}: small accounts' posts ${fair.lateness.map((s) => (s === undefined ? 'never' : `${s.toFixed(2)} s`)).join(', ')} late behind another account's ${BACKLOG} (target <= ${TARGET_SMALL_LATENESS_S} s each): ${met(fairOk)}`,
    );
  console.log(freeOk && paidOk && fairOk ? 'targets: met' : 'targets: MISSED');
}

await runBenchmark('delivery', { main, cleanup: stopRun });
