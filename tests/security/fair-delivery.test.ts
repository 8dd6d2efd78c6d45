// API4 (resource consumption), delivery: one account cannot take every sender from the others.
//   - the claim is fair across users: at most two of a user's deliveries in flight, in turns
//     (everyone's oldest first), counted from Postgres so that it holds across worker replicas;
//   - end to end: a user's post is delivered within seconds while another user has hundreds due;
//   - a delivery whose chat is busy is handed back with a delay (its job waits in BullMQ's delayed
//     set) instead of holding its sender, so a delivery to another chat goes meanwhile, and the
//     handed-back one is sent once, later, with no attempt used by the wait.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createTelegramApi } from '../../backend/src/integrations/telegram/client.ts';
import { createStorage } from '../../backend/src/integrations/storage.ts';
import type { Db } from '../../backend/src/lib/db.ts';
import { createRedis } from '../../backend/src/lib/redis.ts';
import { claimDue } from '../../backend/src/modules/delivery/claim.ts';
import { DELIVERY_QUEUE, startDeliveryWorker } from '../../backend/src/modules/delivery/delivery.jobs.ts';
import { createTelegramLimiter, telegramLimiterPrefix } from '../../backend/src/integrations/telegram/limiter.ts';
import { createDeliveryMedia } from '../../backend/src/modules/delivery/media.ts';
import { signInLocally } from '../helpers/auth.ts';
import { createTestDb } from '../helpers/db.ts';
import { client, type Client } from '../helpers/http.ts';
import { silentLogger } from '../helpers/logger.ts';
import { startTelegram, userWithDuePosts, type TelegramSetup } from '../helpers/telegram.ts';
import { until } from '../helpers/wait.ts';

/** A user with a linked chat (rows written directly) and `count` posts whose deliveries are due. */
async function userWithDue(db: Db, chatId: bigint, count: number, dueAt: Date, tag = 'p') {
  const { userId, deliveryIds } = await userWithDuePosts(db, chatId, { count, dueAt, tag });
  return { userId, ids: new Set(deliveryIds) };
}

const count = (claimed: string[], ids: Set<string>) => claimed.filter((id) => ids.has(id)).length;

describe('the claim, fair across users (Postgres, no worker)', () => {
  let db: Db;
  let other: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const a = await createTestDb();
    const b = await createTestDb(a.url);
    db = a.db;
    other = b.db;
    close = async () => {
      await a.close();
      await b.close();
    };
  });
  afterAll(() => close?.());
  // Each case starts with nothing due or in flight (the claim also bounds the total in flight).
  beforeEach(async () => {
    await db.delivery.deleteMany();
  });

  it('claims the newcomer among a backlog, at most two per user in flight, until those are done', async () => {
    const big = await userWithDue(db, 9_300_001n, 600, new Date(Date.now() - 60_000));
    const small = await userWithDue(db, 9_300_002n, 1, new Date(Date.now() - 1_000));

    const first = await claimDue(db, 'worker-a', 500);
    expect(count(first, small.ids)).toBe(1);
    expect(count(first, big.ids)).toBe(2);
    // Another tick (any replica) while those two are in flight: nothing more of the backlog.
    expect(count(await claimDue(db, 'worker-b', 500), big.ids)).toBe(0);

    // One is done: one more comes, the oldest due next.
    const done = first.find((id) => big.ids.has(id))!;
    await db.delivery.update({ where: { id: done }, data: { status: 'SENT', leaseUntil: null } });
    const next = await claimDue(db, 'worker-b', 500);
    expect(count(next, big.ids)).toBe(1);
    expect(await db.delivery.count({ where: { userId: big.userId, status: 'QUEUED' } })).toBe(2);
  });

  it('takes turns: everyone’s oldest first, within the batch', async () => {
    const old = new Date(Date.now() - 120_000);
    const users = [];
    for (let i = 0; i < 4; i++) users.push(await userWithDue(db, BigInt(9_300_100 + i), 50, old, `t${i}`));
    // A batch of 6 for 4 users: each user's first, then two users' second (never one user's 6).
    const claimed = await claimDue(db, 'worker-a', 6);
    expect(claimed).toHaveLength(6);
    const perUser = users.map((u) => count(claimed, u.ids)).sort();
    expect(perUser).toEqual([1, 1, 2, 2]);
  });

  it('holds across replicas claiming at the same moment: no delivery twice, no user past the cap', async () => {
    const users = [];
    for (let i = 0; i < 20; i++) users.push(await userWithDue(db, BigInt(9_300_200 + i), 30, new Date(), `r${i}`));
    const [a, b] = await Promise.all([claimDue(db, 'replica-a', 500), claimDue(other, 'replica-b', 500)]);
    const all = [...a, ...b];
    expect(new Set(all).size).toBe(all.length);
    for (const u of users) expect(count(all, u.ids)).toBeLessThanOrEqual(2);
    expect(users.every((u) => count(all, u.ids) >= 1)).toBe(true);
  });
});

describe('delivery under another user’s backlog (worker, Telegram emulator)', () => {
  let t: TelegramSetup;
  beforeAll(async () => {
    t = await startTelegram({ withWorker: true });
  });
  afterAll(() => t?.close());

  let nextChat = 9_310_001;
  async function linkedUser(): Promise<{ c: Client; chat: number; userId: string }> {
    const c = client(t.app.api, await signInLocally(t.app.api));
    const chat = nextChat++;
    const { code } = (await c.post('/telegram/link')).body;
    t.telegram.userMessage(chat, { text: `/start ${code}`, username: `u${chat}`, first_name: 'Test' });
    await until('the chat to be linked', async () => ((await c.get('/telegram')).body.linked ? true : undefined));
    return { c, chat, userId: (await c.get('/me')).body.id };
  }

  it('delivers a second user’s post within seconds while the first has 600 due', async () => {
    const big = await linkedUser();
    const small = await linkedUser();
    const now = new Date();
    const posts = Array.from({ length: 600 }, (_, i) => ({
      id: randomUUID(),
      userId: big.userId,
      platform: 'TWITTER' as const,
      content: `[big:${i}] Backlog.`,
      status: 'SCHEDULED' as const,
      scheduledFor: now,
    }));
    await t.app.db.post.createMany({ data: posts });
    await t.app.db.delivery.createMany({
      data: posts.map((p) => ({ postId: p.id, userId: big.userId, chatId: BigInt(big.chat), dueAt: now })),
    });
    await until('the backlog to be sending', () =>
      t.telegram.messages(big.chat).some((m) => m.text?.includes('[big:')),
    );

    const post = (await small.c.post('/posts', { platform: 'THREADS', content: 'Not behind the backlog.' })).body;
    const asked = Date.now();
    await small.c.post(`/posts/${post.id}/send-now`);
    const sent = await until(
      'the small user’s message',
      () => t.telegram.messages(small.chat).find((m) => m.text?.includes('Not behind the backlog.')),
      30_000,
    );
    expect(sent.ts_ms - asked).toBeLessThan(5_000);

    // The backlog goes on at its chat's pace, none of it failed or sent twice meanwhile.
    const bigTexts = t.telegram.messages(big.chat).map((m) => m.text);
    expect(new Set(bigTexts).size).toBe(bigTexts.length);
    expect(await t.app.db.delivery.count({ where: { userId: big.userId, status: 'FAILED' } })).toBe(0);
    expect(
      await t.app.db.delivery.count({ where: { userId: big.userId, status: { in: ['QUEUED', 'SENDING'] } } }),
    ).toBeLessThanOrEqual(2);
  }, 60_000);
});

describe('a busy chat does not hold a sender (one sender slot)', () => {
  let t: TelegramSetup;
  let worker: Awaited<ReturnType<typeof startDeliveryWorker>>;
  let queue: Queue;
  const connection = createRedis(inject('redisUrl'), silentLogger, 'worker', 'fair-delivery-worker');
  const redis = createRedis(inject('redisUrl'), silentLogger, 'producer', 'fair-delivery-limiter');
  beforeAll(async () => {
    t = await startTelegram({ emulator: { autoCreateChats: true } });
    const prefix = t.app.queuePrefix;
    // A chat that takes one message in 10 s (as a group's 20 a minute, stricter): its second
    // message waits for the chat, while the bot as a whole is free.
    const limiter = createTelegramLimiter(redis, {
      globalPerSecond: 25,
      chatPerSecond: 0.1,
      chatBurst: 1,
      prefix: telegramLimiterPrefix(prefix),
    });
    worker = await startDeliveryWorker({
      db: t.app.db,
      api: createTelegramApi(t.app.config.telegram),
      limiter,
      connection,
      prefix,
      logger: silentLogger,
      media: createDeliveryMedia({ db: t.app.db, storage: createStorage(t.app.config) }),
      paidBroadcast: false,
      concurrency: 1,
      maxPerSecond: 25,
    });
    queue = new Queue(DELIVERY_QUEUE, { connection: redis, prefix });
  });
  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    await t?.close();
    connection.disconnect();
    redis.disconnect();
  });

  it('hands the waiting delivery back; another chat’s goes at once; the first is sent once, later', async () => {
    const busy = await userWithDue(t.app.db, 9_320_001n, 2, new Date(), 'busy');
    const sent = (status: 'SENT') => t.app.db.delivery.count({ where: { userId: busy.userId, status } });
    await until('the first delivery to the busy chat', async () => ((await sent('SENT')) === 1 ? true : undefined));
    const [second] = await t.app.db.delivery.findMany({ where: { userId: busy.userId, status: { not: 'SENT' } } });
    expect(second).toBeDefined();

    // The second waits for its chat: its job leaves the only sender slot for the delayed set.
    await until(
      'the waiting delivery to be handed back',
      async () => ((await queue.getJobState(`delivery-${second!.id}`)) === 'delayed' ? true : undefined),
      5_000,
    );
    const due = new Date();
    await userWithDue(t.app.db, 9_320_002n, 1, due, 'free');
    const other = await until('the other chat’s message', () => t.telegram.messages(9_320_002).at(0), 15_000);
    expect(other.ts_ms - due.getTime()).toBeLessThan(3_000);

    // The handed-back delivery: sent once when its chat is free, the wait using no attempt.
    await until(
      'the handed-back delivery to be sent',
      async () =>
        (await t.app.db.delivery.findUniqueOrThrow({ where: { id: second!.id } })).status === 'SENT' ? true : undefined,
      20_000,
    );
    const messages = t.telegram.messages(9_320_001);
    expect(messages).toHaveLength(2);
    expect(messages[1]!.ts_ms - messages[0]!.ts_ms).toBeGreaterThanOrEqual(9_000);
    expect(await t.app.db.delivery.findUniqueOrThrow({ where: { id: second!.id } })).toMatchObject({ attempts: 1 });
    const attempts = await t.app.db.deliveryAttempt.findMany({ where: { deliveryId: second!.id } });
    expect(attempts.map((a) => a.ok)).toEqual([true]);
  }, 60_000);
});
