// One chat's flood holds that chat only. Telegram's 429 on a send to chat A (retry_after R) holds
// A for R in the shared limiter, for every process (A's other deliveries wait without calling
// Telegram), while chat B's deliveries go at once; A's post is sent once, after R. A 429 of no chat
// (getMe, a call without chat_id) may still pause the whole bot when short: the limiter's choice.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createTelegramLimiter,
  telegramKeys,
  telegramLimiterPrefix,
} from '../../../backend/src/integrations/telegram/limiter.ts';
import { createReplyBudget } from '../../../backend/src/integrations/telegram/reply-budget.ts';
import { startTelegram, userWithDuePosts, type TelegramSetup } from '../../helpers/telegram.ts';
import { until } from '../../helpers/wait.ts';

const FLOOD_S = 5;

describe('the limiter: a chat held by its 429, the bot paused by one of no chat', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
  });
  afterAll(() => redis?.disconnect());

  it('holds only the chat a 429 on a send names; other chats get permits at once', async () => {
    const prefix = `test:${randomBytes(4).toString('hex')}:tg`;
    const limiter = createTelegramLimiter(redis, { globalPerSecond: 25, prefix });
    expect(await limiter.onRetryAfter(3, 1n)).toBe('chat');
    expect(await redis.pttl(`${prefix}:pause`)).toBeLessThan(0);
    const held = await redis.pttl(telegramKeys(prefix).hold(1n));
    expect(held).toBeGreaterThan(2_000);
    expect(held).toBeLessThanOrEqual(3_000);

    const asked = Date.now();
    expect(await limiter.permit(2n, { maxChatWaitMs: 1_000 })).toEqual({ granted: true });
    expect(Date.now() - asked).toBeLessThan(200);
    // The held chat: refused as a busy chat, told when it is free (a sender hands its delivery back).
    const refused = await limiter.permit(1n, { maxChatWaitMs: 1_000 });
    expect(refused).toMatchObject({ granted: false, chatFreeInMs: expect.any(Number) });
    expect((refused as { chatFreeInMs: number }).chatFreeInMs).toBeGreaterThan(1_000);
    // The bot's replies respect the hold too (they share the chat's keys).
    const budget = createReplyBudget(redis, { perSecond: 3, prefix });
    expect(await budget.take(1n, { unlinked: false })).toEqual({ granted: false, refusal: 'chat' });
    expect(await budget.take(3n, { unlinked: false })).toEqual({ granted: true });
  });

  it('pauses every chat for a short 429 of no chat, and ignores a long one', async () => {
    const prefix = `test:${randomBytes(4).toString('hex')}:tg`;
    const limiter = createTelegramLimiter(redis, { globalPerSecond: 25, prefix });
    expect(await limiter.onRetryAfter(120)).toBe('none');
    expect(await redis.pttl(`${prefix}:pause`)).toBeLessThan(0);
    expect(await limiter.onRetryAfter(2)).toBe('all');
    expect(await limiter.reserve(5n, 10_000)).toMatchObject({ granted: false, refusal: 'paused' });
  });
});

describe('a 429 for chat A does not delay chat B (the real worker)', () => {
  let t: TelegramSetup;
  let redis: Redis;
  beforeAll(async () => {
    t = await startTelegram({ withWorker: true, emulator: { autoCreateChats: true } });
    redis = new Redis(inject('redisUrl'));
  });
  afterAll(async () => {
    redis?.disconnect();
    await t?.close();
  });

  /** One more post of `userId` due now, to its chat. */
  async function anotherDuePost(userId: string, chatId: bigint, tag: string) {
    const dueAt = new Date();
    const post = await t.app.db.post.create({
      data: {
        userId,
        platform: 'TWITTER',
        content: `[${tag}:0] Fresh bread at seven.`,
        status: 'SCHEDULED',
        scheduledFor: dueAt,
      },
    });
    const delivery = await t.app.db.delivery.create({ data: { postId: post.id, userId, chatId, dueAt } });
    return { deliveryIds: [delivery.id] };
  }

  it('holds A for its retry_after; B is delivered at once meanwhile; A once, after it', async () => {
    const A = 9_430_001;
    const B = 9_430_002;
    const holdKey = telegramKeys(telegramLimiterPrefix(t.app.queuePrefix)).hold(BigInt(A));
    const pauseKey = telegramKeys(telegramLimiterPrefix(t.app.queuePrefix)).pause;
    // Every send to A is a 429 with retry_after = the seconds left (short: before, the whole bot
    // paused for it).
    t.telegram.flood(A, FLOOD_S);
    const a = await userWithDuePosts(t.app.db, BigInt(A), { tag: 'a' });
    const rejected = await until(
      'the 429 for A',
      () =>
        t.app.db.deliveryAttempt
          .findFirst({ where: { deliveryId: a.deliveryIds[0]!, errorCode: 429 } })
          .then((x) => x ?? undefined),
      10_000,
    );
    expect(rejected.retryAfter).toBeGreaterThanOrEqual(FLOOD_S - 1);
    const heldFor = await redis.pttl(holdKey);
    expect(heldFor).toBeGreaterThan(1_000);
    expect(await redis.pttl(pauseKey)).toBeLessThan(0);

    // A's second post, due now: held with its chat, it makes no call until the hold ends.
    const a2 = await anotherDuePost(a.userId, BigInt(A), 'a2');
    // B, due now, while A is held.
    const bDue = Date.now();
    const b = await userWithDuePosts(t.app.db, BigInt(B), { tag: 'b' });
    const sentToB = await until('B’s message', () => t.telegram.messages(B).at(0), 10_000, 10);
    const bDelayMs = sentToB.ts_ms - bDue;
    const aHeldLeft = await redis.pttl(holdKey);
    expect(aHeldLeft).toBeGreaterThan(0); // B went while A was still held
    expect(bDelayMs).toBeLessThan(2_000);
    await until('B’s delivery to be SENT', async () =>
      (await t.app.db.delivery.findUniqueOrThrow({ where: { id: b.deliveryIds[0]! } })).status === 'SENT'
        ? true
        : undefined,
    );

    // A: both posts delivered after the retry_after, each once, with one 429 between them.
    await until(
      'A’s deliveries to be SENT',
      async () =>
        (await t.app.db.delivery.count({
          where: { id: { in: [...a.deliveryIds, ...a2.deliveryIds] }, status: 'SENT' },
        })) === 2
          ? true
          : undefined,
      20_000,
      50,
    );
    const toA = t.telegram.messages(A);
    expect(toA.map((m) => m.text?.match(/\[(\w+):0\]/)?.[1]).sort()).toEqual(['a', 'a2']);
    const floodEnds = rejected.startedAt.getTime() + rejected.retryAfter! * 1000;
    for (const m of toA) expect(m.ts_ms).toBeGreaterThanOrEqual(floodEnds - 1_000);
    const fours = await t.app.db.deliveryAttempt.count({
      where: { deliveryId: { in: [...a.deliveryIds, ...a2.deliveryIds] }, errorCode: 429 },
    });
    expect(fours).toBe(1);
    console.log(
      `[chat-hold] A held ${heldFor} ms by its 429 (retry_after ${rejected.retryAfter} s); B delivered ` +
        `${bDelayMs} ms after it was due, with A still held ${aHeldLeft} ms; A's two posts sent ` +
        `${toA.map((m) => m.ts_ms - rejected.startedAt.getTime()).join(' and ')} ms after its 429; 429s for A: ${fours}`,
    );
  }, 40_000);
});
