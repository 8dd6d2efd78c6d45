// Telegram away: the Bot API answers 502 to every call for 60 s (the issue's measurement: before,
// five BullMQ attempts spent about 15 s and every due post failed for good) while 20 posts are
// due. The real worker (its default window, TELEGRAM_OUTAGE_RETRY_SECONDS = 600) keeps every
// delivery pending, says in its lastError and its post's that it is retrying and when, and once
// Telegram answers again delivers each post exactly once. A second worker with a window of a few
// seconds fails a post for good once its window is spent (Telegram answering an HTML error page,
// as the proxy in front of the Bot API does, which grammY sees as no answer at all).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTelegramApi } from '../../../backend/src/integrations/telegram/client.ts';
import { createTelegramLimiter, telegramLimiterPrefix } from '../../../backend/src/integrations/telegram/limiter.ts';
import { createStorage } from '../../../backend/src/integrations/storage.ts';
import { createRedis } from '../../../backend/src/lib/redis.ts';
import { startDeliveryWorker } from '../../../backend/src/modules/delivery/delivery.jobs.ts';
import { createDeliveryMedia } from '../../../backend/src/modules/delivery/media.ts';
import { silentLogger } from '../../helpers/logger.ts';
import { startTelegram, userWithDuePosts, type TelegramSetup } from '../../helpers/telegram.ts';
import { until } from '../../helpers/wait.ts';

const OUTAGE_S = 60;
const POSTS = 20;
const RETRYING = /^Telegram is not answering \(502 Bad Gateway\); retrying, next attempt at \d\d:\d\d:\d\d UTC/;

describe('Telegram answering 502 for 60 s with 20 posts due (the real worker)', () => {
  let t: TelegramSetup;
  beforeAll(async () => {
    t = await startTelegram({ withWorker: true, emulator: { autoCreateChats: true } });
  });
  afterAll(() => t?.close());

  it('keeps every post pending and says it is retrying, then delivers each exactly once', async () => {
    t.telegram.outage({ status: 502, seconds: OUTAGE_S });
    const outageEnds = t.telegram.state.outage!.untilMs;
    const dueAt = new Date();
    const chats = Array.from({ length: POSTS }, (_, i) => BigInt(9_410_001 + i));
    const users = await Promise.all(chats.map((chat, i) => userWithDuePosts(t.app.db, chat, { dueAt, tag: `o${i}` })));
    const deliveryIds = users.flatMap((u) => u.deliveryIds);
    const postIds = users.flatMap((u) => u.postIds);

    // While it lasts: every delivery is being retried, says so, and none has failed.
    await until(
      'every delivery to say it is retrying',
      async () => {
        const rows = await t.app.db.delivery.findMany({ where: { id: { in: deliveryIds } } });
        return rows.every((d) => d.status === 'SENDING' && RETRYING.test(d.lastError ?? '')) ? true : undefined;
      },
      20_000,
      200,
    );
    // Probed every half second (a failing expect inside `until` would only be retried).
    let polls = 0;
    let sample = '';
    const problems = new Set<string>();
    await until(
      'the outage to end',
      async () => {
        polls++;
        const deliveries = await t.app.db.delivery.findMany({ where: { id: { in: deliveryIds } } });
        const posts = await t.app.db.post.findMany({ where: { id: { in: postIds } } });
        // Rows read across the outage's end may show the first sends after it: only a read that
        // finished before the end must find every delivery pending.
        if (Date.now() >= outageEnds) return true;
        for (const d of deliveries) if (d.status !== 'SENDING') problems.add(`delivery ${d.status}`);
        for (const p of posts) if (p.status !== 'DELIVERING') problems.add(`post ${p.status}`);
        // Until the last second of the outage: still retrying, each post saying so too.
        if (Date.now() < outageEnds - 1_000) {
          for (const p of posts) if (!RETRYING.test(p.lastError ?? '')) problems.add(`post lastError ${p.lastError}`);
          sample = posts[0]!.lastError!;
        }
        return undefined;
      },
      OUTAGE_S * 1000 + 5_000,
      500,
    );
    expect([...problems]).toEqual([]);
    expect(polls).toBeGreaterThan(50);
    expect(t.telegram.messages()).toEqual([]);
    const refused = t.telegram.state.outage?.answered ?? 0;

    await until(
      'every delivery to be sent',
      async () =>
        (await t.app.db.delivery.count({ where: { id: { in: deliveryIds }, status: 'SENT' } })) === POSTS
          ? true
          : undefined,
      45_000,
      200,
    );
    const deliveries = await t.app.db.delivery.findMany({ where: { id: { in: deliveryIds } } });
    expect(deliveries.every((d) => d.lastError === null && d.status === 'SENT')).toBe(true);
    const posts = await t.app.db.post.findMany({ where: { id: { in: postIds } } });
    expect(posts.every((p) => p.status === 'DELIVERED' && p.lastError === null)).toBe(true);
    // Exactly once: one message per chat, one accepted attempt per delivery.
    for (const [i, chat] of chats.entries()) {
      const sent = t.telegram.messages(Number(chat));
      expect(sent.map((m) => m.text?.includes(`[o${i}:0]`))).toEqual([true]);
    }
    const accepted = await t.app.db.deliveryAttempt.groupBy({
      by: ['deliveryId'],
      where: { deliveryId: { in: deliveryIds }, ok: true },
      _count: true,
    });
    expect(accepted.map((a) => a._count)).toEqual(Array.from({ length: POSTS }, () => 1));
    const failedTries = await t.app.db.deliveryAttempt.count({
      where: { deliveryId: { in: deliveryIds }, ok: false, errorCode: 502 },
    });

    const sentAt = t.telegram.messages().map((m) => m.ts_ms);
    const waited = sentAt.map((ms) => (ms - dueAt.getTime()) / 1000);
    const afterEnd = sentAt.map((ms) => (ms - outageEnds) / 1000);
    console.log(
      `[outage] ${POSTS} posts due through a ${OUTAGE_S} s 502 outage: waited ${Math.min(...waited).toFixed(1)}–` +
        `${Math.max(...waited).toFixed(1)} s from due; sent ${Math.min(...afterEnd).toFixed(1)}–` +
        `${Math.max(...afterEnd).toFixed(1)} s after the outage ended; ${refused} calls answered 502 ` +
        `(${failedTries} recorded attempts, ${(failedTries / POSTS).toFixed(1)} a post); lastError meanwhile: "${sample}"`,
    );
    // The longest wait between tries is 30 s (and its jitter): every post goes within it.
    expect(Math.max(...afterEnd)).toBeLessThan(32);
  }, 150_000);
});

describe('a window spent (a worker with TELEGRAM_OUTAGE_RETRY_SECONDS of 4 s)', () => {
  let t: TelegramSetup;
  let worker: Awaited<ReturnType<typeof startDeliveryWorker>>;
  const connection = createRedis(inject('redisUrl'), silentLogger, 'worker', 'outage-worker');
  const redis = createRedis(inject('redisUrl'), silentLogger, 'producer', 'outage-limiter');
  beforeAll(async () => {
    t = await startTelegram({ emulator: { autoCreateChats: true } });
    const prefix = t.app.queuePrefix;
    worker = await startDeliveryWorker({
      db: t.app.db,
      api: createTelegramApi(t.app.config.telegram),
      limiter: createTelegramLimiter(redis, { globalPerSecond: 25, prefix: telegramLimiterPrefix(prefix) }),
      connection,
      prefix,
      logger: silentLogger,
      media: createDeliveryMedia({ db: t.app.db, storage: createStorage(t.app.config) }),
      paidBroadcast: false,
      maxPerSecond: 25,
      outage: { windowMs: 4_000 },
    });
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    connection.disconnect();
    redis.disconnect();
  });

  it('fails the post for good, saying why, once the window is spent; nothing is sent', async () => {
    t.telegram.outage({ status: 502, seconds: 30, html: true, path: 'sendMessage' });
    const started = Date.now();
    const { deliveryIds, postIds } = await userWithDuePosts(t.app.db, 9_420_001n, { tag: 'w' });
    const retrying = await until(
      'the delivery to say it is retrying',
      async () => {
        const d = await t.app.db.delivery.findUniqueOrThrow({ where: { id: deliveryIds[0]! } });
        return d.status === 'SENDING' && d.lastError ? d.lastError : undefined;
      },
      10_000,
    );
    // An HTML page is no Bot API answer: grammY sees a network failure.
    expect(retrying).toMatch(/^Telegram is not answering \(an answer that is not the Bot API's\); retrying/);
    const failed = await until(
      'the delivery to fail',
      async () => {
        const d = await t.app.db.delivery.findUniqueOrThrow({ where: { id: deliveryIds[0]! } });
        return d.status === 'FAILED' ? d : undefined;
      },
      15_000,
      100,
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(4_000);
    expect(failed.lastError).toMatch(
      /^Telegram did not answer for 4 seconds \(an answer that is not the Bot API's; \d+ attempts since \d\d:\d\d:\d\d UTC\): not delivered\. Schedule it again\.$/,
    );
    const post = await t.app.db.post.findUniqueOrThrow({ where: { id: postIds[0]! } });
    expect(post).toMatchObject({ status: 'FAILED', lastError: failed.lastError });
    const attempts = await t.app.db.deliveryAttempt.findMany({ where: { deliveryId: deliveryIds[0]! } });
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts.every((a) => !a.ok)).toBe(true);
    expect(t.telegram.messages(9_420_001)).toEqual([]);
    console.log(
      `[outage] window of 4 s: failed after ${elapsed} ms and ${attempts.length} tries: "${failed.lastError}"`,
    );
  }, 30_000);
});
