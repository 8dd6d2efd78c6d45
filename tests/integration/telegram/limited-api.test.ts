// The web process's bot (command replies, the test message) has a reply budget of its own that
// drops rather than waits (tests/security/bot-replies.test.ts), but a 429 it is answered holds
// that chat for every process, the delivery senders too, as a sender's 429 would.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { telegramKeys, telegramLimiterPrefix } from '../../../backend/src/integrations/telegram/limiter.ts';
import { startTelegram, type TelegramSetup } from '../../helpers/telegram.ts';
import { until } from '../../helpers/wait.ts';

let t: TelegramSetup;
let redis: Redis;
let prefix: string;
beforeAll(async () => {
  t = await startTelegram();
  redis = new Redis(inject('redisUrl'));
  prefix = telegramLimiterPrefix(t.app.queuePrefix);
});
afterAll(async () => {
  redis?.disconnect();
  await t?.close();
});

describe('the web bot and the shared chat hold', () => {
  it('holds the chat for every process when one of its sends is answered 429', async () => {
    const chat = 8_100_002;
    t.telegram.faults.add({ status: 429, retryAfter: 3, path: 'sendMessage', count: 1 });
    t.telegram.userMessage(chat, { text: '/help' });
    const ttl = await until('the chat hold', async () => {
      const ms = await redis.pttl(telegramKeys(prefix).hold(BigInt(chat)));
      return ms > 0 ? ms : undefined;
    });
    expect(ttl).toBeGreaterThan(2_000);
    expect(ttl).toBeLessThanOrEqual(3_000);
    expect(await redis.pttl(`${prefix}:pause`)).toBeLessThan(0);
  });
});
