// Scale-out: two web and two worker processes (backend/dist/main.js and worker.js) on one Postgres
// and one Redis, and the same on a local three-master Redis Cluster (REDIS_CLUSTER_NODES):
//   - the per-IP and per-user rate limits count across both web processes, and so does the plan's
//     quota under concurrent requests;
//   - with TELEGRAM_UPDATES=webhook both web processes serve the bot behind one address (a
//     round-robin balancer in this file), each update answered once;
//   - 1,000 due posts go out exactly once from the two workers, never faster than Telegram allows.
//
// The processes see only what their environment names. On one Redis they use database /5, which
// no other test file uses (their BullMQ prefix is the fixed 'postaify'); the cluster is started
// here and stopped after. Rows for the deliveries are inserted directly (tests/helpers/telegram.ts).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_BOT_TOKEN } from '../../backend/src/integrations/telegram/client.ts';
import { createDb, type DbHandle } from '../../backend/src/lib/db.ts';
import {
  startAllEmulators,
  startTelegramEmulator,
  type AllEmulators,
  type TelegramEmulator,
} from '../../emulators/src/index.ts';
import { freePort } from '../../stack/src/ports.ts';
import { signInLocally } from '../helpers/auth.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { silentLogger } from '../helpers/logger.ts';
import { countingSends, passThrough, type PassThrough } from '../helpers/pass-through.ts';
import { startRedisCluster } from '../helpers/redis-cluster.ts';
import { scheduleDuePosts } from '../helpers/telegram.ts';
import { until } from '../helpers/wait.ts';
import { tempDataDir } from '../helpers/worker.ts';
import { running, spawnWeb, spawnWorker, stopWorker, type WorkerProcess } from '../helpers/worker-process.ts';

const PER_IP = 40;
const AI_PER_USER = 8;
const MAX_PER_SECOND = 25;
/** Telegram's limit for the whole bot; the emulator counts every second. */
const TELEGRAM_LIMIT = 30;
const DELIVERIES = 1_000;
const WEBHOOK_SECRET = 'scale-out-webhook-secret-0123456789';
const TRANSCRIPT = 'We roast on Tuesdays and ship on Wednesdays, so the beans reach you three days after roasting.';

/** One JSON call, from the client address `ip` (X-Forwarded-For; the processes trust loopback). */
async function call(base: string, path: string, { ip, token, body }: { ip: string; token?: string; body?: unknown }) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      'X-Forwarded-For': ip,
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

const variants = [
  {
    redis: 'one Redis',
    start: () => Promise.resolve({ env: { REDIS_URL: `${inject('redisUrl')}/5` }, stop: async () => {} }),
  },
  { redis: 'a three-master Redis Cluster', start: () => startRedisCluster() },
];

describe.each(variants)('two web and two worker processes on $redis', ({ redis: label, start }) => {
  let stopRedis: () => Promise<void> = async () => {};
  let telegram: TelegramEmulator;
  let emulators: AllEmulators;
  let database: DbHandle;
  let balancer: PassThrough;
  const webs: Array<{ url: string; process: WorkerProcess }> = [];
  const workers: WorkerProcess[] = [];
  const proxies: Array<Awaited<ReturnType<typeof countingSends>>> = [];
  const output = () =>
    [
      ...webs.map((w, i) => `--- web ${i}\n${w.process.output()}`),
      ...workers.map((w, i) => `--- worker ${i}\n${w.output()}`),
    ].join('\n');

  beforeAll(async () => {
    const redis = await start();
    stopRedis = redis.stop;
    telegram = await startTelegramEmulator({ token: LOCAL_BOT_TOKEN, autoCreateChats: true });
    emulators = await startAllEmulators();
    const databaseUrl = await createTestDatabase();
    database = createDb({ url: databaseUrl, logger: silentLogger });
    const ports = [await freePort(), await freePort()];
    balancer = await passThrough(ports.map((p) => `http://127.0.0.1:${p}`));
    const shared = {
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      ...redis.env,
      // One data folder: the local sign-in's keys and the media files are the same for all four.
      POSTAIFY_DATA_DIR: tempDataDir(),
      API_URL: balancer.url,
      OPENROUTER_BASE_URL: emulators.openrouter.url,
      FAL_BASE_URL: emulators.fal.url,
      ELEVENLABS_BASE_URL: emulators.elevenlabs.url,
      TELEGRAM_MAX_PER_SECOND: String(MAX_PER_SECOND),
    };
    for (const port of ports) {
      const web = spawnWeb({
        ...shared,
        PORT: String(port),
        TELEGRAM_API_ROOT: telegram.url,
        TELEGRAM_UPDATES: 'webhook',
        TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
        TELEGRAM_REPLIES_PER_SECOND: '30',
        TRUST_PROXY: 'loopback',
        RATE_LIMIT_PER_IP: String(PER_IP),
        RATE_LIMIT_AI_PER_USER: String(AI_PER_USER),
      });
      const url = `http://127.0.0.1:${port}`;
      webs.push({ url, process: web });
      // One after the other: the first writes the local sign-in's keys, the second reads them.
      await until(
        `web ${port} to be ready`,
        async () => {
          if (!running(web)) throw new Error(`web exited:\n${web.output()}`);
          return (await fetch(`${url}/ready`)).ok;
        },
        30_000,
        50,
      );
    }
    for (let i = 0; i < 2; i++) {
      const proxy = await countingSends(telegram.url);
      proxies.push(proxy);
      const worker = spawnWorker({ ...shared, TELEGRAM_API_ROOT: proxy.url });
      workers.push(worker);
      await until(
        `worker ${i} to start`,
        () => {
          if (!running(worker)) throw new Error(`worker exited:\n${worker.output()}`);
          return worker.output().includes('"worker started"');
        },
        30_000,
      );
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...webs.map((w) => stopWorker(w.process)), ...workers.map((w) => stopWorker(w))]);
    await Promise.all(proxies.map((p) => p.close()));
    await balancer?.close();
    await database?.close();
    await emulators?.close();
    await telegram?.close();
    await stopRedis();
  });

  it('holds the per-IP limit across both web processes', async () => {
    const ip = '198.51.100.7';
    const statuses: number[] = [];
    for (let i = 0; i < PER_IP + 20; i++) statuses.push((await call(webs[i % 2]!.url, '/plans', { ip })).status);
    expect({ ok: count(statuses, 200), limited: count(statuses, 429) }).toEqual({ ok: PER_IP, limited: 20 });
    // The first refusal came once both processes together had served the limit.
    expect(statuses.indexOf(429)).toBe(PER_IP);
  });

  it('holds the per-user limit and the plan quota across both web processes', async () => {
    const ip = '198.51.100.8';
    const token = await signInLocally(`${webs[0]!.url}/api/v1`, `limits-${label.length}@example.com`);
    const generate = (i: number, numberOfPosts: number) =>
      call(webs[i % 2]!.url, '/ai/generate', {
        ip,
        token,
        body: { transcript: TRANSCRIPT, platform: 'LINKEDIN', numberOfPosts, style: 'PROFESSIONAL' },
      });
    // The plan's quota (FREE: 20 posts a month): 15 spent by three jobs of 5, one after the other
    // (FREE runs two jobs at once) on alternate processes; then 5 requests of 5 at once, on both.
    const plans = (await call(webs[0]!.url, '/plans', { ip })).body.items as Array<{
      id: string;
      limits: { posts: number };
    }>;
    const quota = plans.find((p) => p.id === 'FREE')!.limits.posts;
    expect(quota).toBe(20);
    for (let i = 0; i < 3; i++) {
      const accepted = await generate(i, 5);
      expect(accepted.status).toBe(202);
      await until(
        `job ${i} to succeed`,
        async () => (await database.db.job.findUnique({ where: { id: accepted.body.id } }))?.status === 'SUCCEEDED',
        30_000,
        50,
      );
    }
    const racing = await Promise.all(Array.from({ length: AI_PER_USER - 3 }, (_, i) => generate(i, 5)));
    const statuses = racing.map((r) => r.status);
    expect({ accepted: count(statuses, 202), refused: count(statuses, 402) }).toEqual({ accepted: 1, refused: 4 });
    for (const refused of racing.filter((r) => r.status === 402)) {
      expect(refused.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { metric: 'posts', limit: quota } });
    }
    // The per-user limit: those 8 requests were all it allows in a minute, from either process.
    const more = await Promise.all([generate(0, 1), generate(1, 1)]);
    expect(more.map((r) => r.body.error?.code)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    // The accepted jobs run on the workers and charge exactly the quota.
    const me = (await call(webs[1]!.url, '/me', { ip, token })).body;
    await until(
      'the accepted jobs to succeed',
      async () =>
        (await database.db.job.count({ where: { userId: me.id, status: 'SUCCEEDED' } })) === quota / 5
          ? true
          : undefined,
      60_000,
      100,
    );
    expect(await database.db.post.count({ where: { userId: me.id } })).toBe(quota);
    expect((await call(webs[0]!.url, '/me', { ip, token })).body.usage.posts).toEqual({ used: quota, limit: quota });
    expect(await database.db.job.count({ where: { userId: me.id, status: { not: 'SUCCEEDED' } } })).toBe(0);
  });

  it('serves the bot from both web processes by webhook, each update answered once', async () => {
    expect(telegram.state.webhook.config).toMatchObject({
      url: `${balancer.url}/api/v1/webhooks/telegram`,
      secretToken: WEBHOOK_SECRET,
    });
    const before = [...balancer.served];
    const chats = Array.from({ length: 20 }, (_, i) => 9_300_001 + i);
    for (const chat of chats) telegram.userMessage(chat, { text: '/help', first_name: 'Scale' });
    await until(
      'every chat to get its answer',
      () => chats.every((chat) => telegram.messages(chat).length > 0),
      30_000,
      50,
    );
    // Each update answered once, by whichever process the balancer chose.
    expect(chats.map((chat) => telegram.messages(chat).length)).toEqual(chats.map(() => 1));
    const served = balancer.served.map((n, i) => n - before[i]!);
    expect(served[0]! + served[1]!).toBe(chats.length);
    expect(Math.min(...served)).toBeGreaterThanOrEqual(chats.length / 2 - 1);
  });

  it(`delivers ${DELIVERIES} posts exactly once from both workers, under Telegram's rate`, async () => {
    const tag = label.includes('Cluster') ? 'soC' : 'soR';
    const keys = await scheduleDuePosts(database.db, { tag, count: DELIVERIES, firstChatId: 9_500_001 });
    const startedAt = Date.now();
    await until(
      `all ${DELIVERIES} deliveries to be SENT`,
      async () => {
        const failed = await database.db.delivery.count({ where: { status: 'FAILED' } });
        if (failed > 0) throw new Error(`${failed} deliveries FAILED\n${output()}`);
        return (await database.db.delivery.count({ where: { status: 'SENT', chatId: { gte: 9_500_001 } } })) ===
          DELIVERIES
          ? true
          : undefined;
      },
      120_000,
      200,
    );
    const seconds = (Date.now() - startedAt) / 1000;
    const sent = new Map<string, number>();
    for (const m of telegram.messages()) {
      const key = new RegExp(`\\[(${tag}:\\d+)\\]`).exec(m.text ?? '')?.[1];
      if (key) sent.set(key, (sent.get(key) ?? 0) + 1);
    }
    const missing = keys.filter((k) => !sent.has(k));
    const twice = keys.filter((k) => (sent.get(k) ?? 0) > 1);
    expect({ missing, twice }).toEqual({ missing: [], twice: [] });
    const stats = telegram.stats();
    console.log(
      `[scale-out] ${label}: ${DELIVERIES} posts by 2 workers in ${seconds.toFixed(1)} s ` +
        `(TELEGRAM_MAX_PER_SECOND ${MAX_PER_SECOND}); max in any 1 s ${stats.maxPerSecondObserved}; ` +
        `429s ${stats.rejected429}; sent by worker A ${proxies[0]!.sends()}, B ${proxies[1]!.sends()}`,
    );
    expect(stats.maxPerSecondObserved).toBeLessThanOrEqual(TELEGRAM_LIMIT);
    expect(stats.rejected429).toBeLessThanOrEqual(Math.floor(stats.accepted * 0.01));
    expect(Math.min(proxies[0]!.sends(), proxies[1]!.sends())).toBeGreaterThan(0);
    expect(proxies[0]!.sends() + proxies[1]!.sends()).toBe(DELIVERIES);
  }, 180_000);
});
