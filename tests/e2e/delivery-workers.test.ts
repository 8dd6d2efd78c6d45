// Delivery across real worker processes (backend/dist/worker.js) against the Telegram emulator:
//   - two workers deliver 500 due posts: each exactly once, and the bot's global rate is held;
//   - a worker SIGKILLed in the middle of a batch: nothing is lost after a new worker takes over,
//     and the duplicates are at most the deliveries that were in flight (SENDING) at the kill.
//
// The compiled worker always uses the BullMQ prefix 'postaify' and the limiter keys 'postaify:tg:*';
// this file's app and workers use a Redis database of their own (/11) so that no other test file's
// workers (same prefix) can take this file's jobs or ticks, or share its limiter buckets.
// Rows are inserted directly (createMany): the same Post/Delivery rows POST /posts/:id/schedule
// writes (posts.service.ts scheduleAt), due now. The emulator creates chats on first send.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_BOT_TOKEN } from '../../backend/src/integrations/telegram/client.ts';
import { startTelegramEmulator, type SentRecord, type TelegramEmulator } from '../../emulators/src/index.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { countingSends } from '../helpers/pass-through.ts';
import { scheduleDuePosts } from '../helpers/telegram.ts';
import { until } from '../helpers/wait.ts';
import { running, spawnWorker, stopWorker, type WorkerProcess } from '../helpers/worker-process.ts';

const MAX_PER_SECOND = 25;
/** Telegram's limit for the whole bot; the emulator enforces it too. */
const TELEGRAM_LIMIT = 30;
/** A dead worker's deliveries come back after its BullMQ locks (30 s) or leases (60 s) expire. */
const TAKEOVER_MS = 120_000;
const TEST_TIMEOUT_MS = 240_000;

let telegram: TelegramEmulator;
let app: TestApp;
let redisUrl: string;
const workers: WorkerProcess[] = [];
const proxies: Array<{ close: () => Promise<void> }> = [];

beforeAll(async () => {
  telegram = await startTelegramEmulator({ token: LOCAL_BOT_TOKEN, autoCreateChats: true });
  redisUrl = `${inject('redisUrl')}/11`;
  app = await startTestApp({
    env: { REDIS_URL: redisUrl, TELEGRAM_API_ROOT: telegram.url, TELEGRAM_MAX_PER_SECOND: String(MAX_PER_SECOND) },
    queuePrefix: 'postaify',
  });
});

afterEach(async () => {
  // Each test stops its own workers; anything left (a failed test) is stopped here.
  await Promise.all(workers.splice(0).map(stopWorker));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

afterAll(async () => {
  for (const w of workers.splice(0)) if (running(w)) w.child.kill('SIGKILL');
  await app?.close();
  await telegram?.close();
});

/** The real worker process, with only the environment it needs; info logs, to see it start. */
function startWorker(telegramApiRoot = telegram.url): WorkerProcess {
  const worker = spawnWorker({
    LOG_LEVEL: 'info',
    DATABASE_URL: app.databaseUrl,
    REDIS_URL: redisUrl,
    POSTAIFY_DATA_DIR: app.config.dataDir,
    API_URL: app.url,
    TELEGRAM_API_ROOT: telegramApiRoot,
    TELEGRAM_MAX_PER_SECOND: String(MAX_PER_SECOND),
  });
  workers.push(worker);
  return worker;
}

const started = (w: WorkerProcess) =>
  until(
    `worker ${w.child.pid} to start`,
    () => {
      if (!running(w)) throw new Error(`worker exited:\n${w.output()}`);
      return w.output().includes('"worker started"');
    },
    30_000,
  );

/**
 * Each worker sends through a pass-through of its own that counts its accepted sends, so the test
 * knows which process sent what (Delivery.leaseOwner names the worker whose scheduler tick claimed
 * a row, not the one that sent it).
 */
async function countingProxy(target: string) {
  const proxy = await countingSends(target);
  proxies.push(proxy);
  return proxy;
}

let nextChat = 7_000_001;
/** `count` users with a linked chat and one post due now, each carrying `[tag:i]` (the keys). */
function schedulePosts(tag: string, count: number): Promise<string[]> {
  const firstChatId = nextChat;
  nextChat += count;
  return scheduleDuePosts(app.db, { tag, count, firstChatId });
}

/** Messages recorded by the emulator per post key (`[tag:i]` in the text). */
function messagesByKey(tag: string): Map<string, SentRecord[]> {
  const byKey = new Map<string, SentRecord[]>();
  for (const m of telegram.messages()) {
    const key = new RegExp(`\\[(${tag}:\\d+)\\]`).exec(m.text ?? m.caption ?? '')?.[1];
    if (!key) continue;
    byKey.set(key, [...(byKey.get(key) ?? []), m]);
  }
  return byKey;
}

/** Delivery rows by status for the posts of `tag`. */
async function statuses(tag: string): Promise<Record<string, number>> {
  const rows = await app.db.delivery.groupBy({
    by: ['status'],
    where: { post: { content: { startsWith: `[${tag}:` } } },
    _count: { _all: true },
  });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
}

/** Waits until every delivery of `tag` is SENT; fails at once if one FAILED. */
async function allSent(tag: string, count: number, timeoutMs: number, output: () => string) {
  await until(
    `all ${count} deliveries of ${tag} to be SENT`,
    async () => {
      const s = await statuses(tag);
      if (s.FAILED) {
        const failed = await app.db.delivery.findMany({
          where: { status: 'FAILED', post: { content: { startsWith: `[${tag}:` } } },
          select: { lastError: true },
          take: 3,
        });
        throw new Error(`${s.FAILED} deliveries FAILED: ${JSON.stringify(failed)}\n${output()}`);
      }
      return s.SENT === count;
    },
    timeoutMs,
    100,
  );
}

/** Accepted sends a second from the first accepted message to the last. */
function achievedRate(messages: SentRecord[]): number {
  const ts = messages.map((m) => m.ts_ms).sort((a, b) => a - b);
  return (ts.length - 1) / ((ts.at(-1)! - ts[0]!) / 1000);
}

describe('delivery by real worker processes', () => {
  it(
    'two worker processes deliver 500 posts: each exactly once, and the global rate is held',
    async () => {
      telegram.reset();
      const tag = 'dwA';
      const keys = await schedulePosts(tag, 500);

      const proxyA = await countingProxy(telegram.url);
      const proxyB = await countingProxy(telegram.url);
      const a = startWorker(proxyA.url);
      const b = startWorker(proxyB.url);
      await Promise.all([started(a), started(b)]);
      const output = () => `--- worker A\n${a.output()}\n--- worker B\n${b.output()}`;

      await allSent(tag, 500, 90_000, output);

      // Every post DELIVERED.
      const posts = await app.db.post.groupBy({
        by: ['status'],
        where: { content: { startsWith: `[${tag}:` } },
        _count: { _all: true },
      });
      expect(Object.fromEntries(posts.map((p) => [p.status, p._count._all]))).toEqual({ DELIVERED: 500 });

      // Exactly one message per post, and nothing else.
      const byKey = messagesByKey(tag);
      const counts = keys.map((k) => byKey.get(k)?.length ?? 0);
      const missing = keys.filter((_, i) => counts[i] === 0);
      const twice = keys.filter((_, i) => counts[i]! > 1);
      expect({ missing, twice }).toEqual({ missing: [], twice: [] });
      expect(byKey.size).toBe(500);
      const all = [...byKey.values()].flat();
      expect(all).toHaveLength(500);
      expect(telegram.messages()).toHaveLength(500);

      // The global rate is held: (almost) no 429s, never more than Telegram's 30 a second.
      const stats = telegram.stats();
      const calls = stats.accepted + stats.rejected;
      const rate = achievedRate(all);
      const owners = await app.db.delivery.groupBy({
        by: ['leaseOwner'],
        where: { post: { content: { startsWith: `[${tag}:` } } },
        _count: { _all: true },
      });
      console.log(
        `[delivery-workers] 500 posts, 2 workers, TELEGRAM_MAX_PER_SECOND ${MAX_PER_SECOND}: ${rate.toFixed(1)} messages/s; ` +
          `max in any 1 s ${stats.maxPerSecondObserved}; calls ${calls}, 429s ${stats.rejected429}; ` +
          `sent by worker A ${proxyA.sends()}, worker B ${proxyB.sends()}; ` +
          `claimed (leaseOwner) ${owners.map((o) => `${o.leaseOwner}: ${o._count._all}`).join(', ')}`,
      );
      expect(stats.accepted).toBe(500);
      expect(stats.rejected429).toBeLessThanOrEqual(Math.floor(calls * 0.01));
      expect(stats.maxPerSecondObserved).toBeLessThanOrEqual(TELEGRAM_LIMIT);

      // Both processes sent (each through its own pass-through), and between them everything.
      expect(proxyA.sends()).toBeGreaterThan(0);
      expect(proxyB.sends()).toBeGreaterThan(0);
      expect(proxyA.sends() + proxyB.sends()).toBe(500);

      await Promise.all([stopWorker(a), stopWorker(b)]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a worker SIGKILLed in the middle of a batch: nothing is lost after restart, duplicates at most the parts in flight',
    async () => {
      telegram.reset();
      const tag = 'dwK';
      const keys = await schedulePosts(tag, 300);

      const first = startWorker();
      await started(first);
      await until(
        'about 100 deliveries to be SENT',
        async () => {
          if (!running(first)) throw new Error(`worker exited:\n${first.output()}`);
          return ((await statuses(tag)).SENT ?? 0) >= 100;
        },
        60_000,
        20,
      );
      first.child.kill('SIGKILL');
      expect(await first.exit).toBe('SIGKILL');
      const killedAt = Date.now();
      const atKill = await statuses(tag);
      const sendingAtKill = atKill.SENDING ?? 0;
      const acceptedAtKill = telegram.stats().accepted;

      const second = startWorker();
      await started(second);
      await allSent(tag, 300, TAKEOVER_MS, second.output);
      const recoveryS = (Date.now() - killedAt) / 1000;

      // No post lost: every one DELIVERED and in the chat.
      const posts = await app.db.post.groupBy({
        by: ['status'],
        where: { content: { startsWith: `[${tag}:` } },
        _count: { _all: true },
      });
      expect(Object.fromEntries(posts.map((p) => [p.status, p._count._all]))).toEqual({ DELIVERED: 300 });
      const byKey = messagesByKey(tag);
      const missing = keys.filter((k) => !byKey.has(k));
      expect(missing).toEqual([]);

      // Duplicates: only posts whose one part was in flight at the kill, each sent at most twice.
      const duplicated = keys.filter((k) => byKey.get(k)!.length > 1);
      const maxCopies = Math.max(...keys.map((k) => byKey.get(k)!.length));
      console.log(
        `[delivery-workers] SIGKILL after ${atKill.SENT ?? 0}/300 SENT (${JSON.stringify(atKill)} at the kill, ` +
          `${acceptedAtKill} messages accepted); all 300 SENT ${recoveryS.toFixed(1)} s after the kill; ` +
          `duplicates ${duplicated.length} (bound: ${sendingAtKill} SENDING at the kill); ` +
          `messages ${telegram.messages().length}; 429s ${telegram.stats().rejected429}`,
      );
      expect(duplicated.length).toBeLessThanOrEqual(sendingAtKill);
      expect(maxCopies).toBeLessThanOrEqual(2);
      expect(telegram.messages()).toHaveLength(300 + duplicated.length);

      await stopWorker(second);
    },
    TEST_TIMEOUT_MS,
  );
});
