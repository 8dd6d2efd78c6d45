// The Telegram limiter on a real Redis: the global rate and the per-chat rate hold for many
// concurrent callers (two limiter instances, as two processes would have), each permit costs one
// script call, a caller that cannot get a permit in time takes none, and a pause set while a caller
// waits for its reserved time holds it back.
import { randomBytes } from 'node:crypto';
import { Redis, type Command } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTelegramLimiter } from '../../../backend/src/integrations/telegram/limiter.ts';

/** A connection that counts the scripts it runs. */
class CountingRedis extends Redis {
  scripts = 0;
  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]) {
    if (command.name === 'evalsha' || command.name === 'eval') this.scripts++;
    return super.sendCommand(command, stream);
  }
}

let redis: CountingRedis;
let other: CountingRedis;
beforeAll(() => {
  redis = new CountingRedis(inject('redisUrl'));
  other = new CountingRedis(inject('redisUrl'));
});
afterAll(() => {
  redis?.disconnect();
  other?.disconnect();
});

const prefix = () => `test:${randomBytes(4).toString('hex')}:tg`;

/** The most timestamps (ms) that fall in any window of `windowMs`. */
function mostInAnyWindow(times: number[], windowMs: number) {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('the Telegram limiter', () => {
  it('holds the global rate across processes, one script call per permit', async () => {
    const p = prefix();
    const rate = 50;
    const a = createTelegramLimiter(redis, { globalPerSecond: rate, prefix: p });
    const b = createTelegramLimiter(other, { globalPerSecond: rate, prefix: p });
    // Redis learns the script on its first EVALSHA (NOSCRIPT, then EVAL): once per Redis, not counted.
    await a.reserve(1n, 0);
    await b.reserve(1n, 0);
    const granted: number[] = [];
    const before = redis.scripts + other.scripts;
    // 40 senders on 100 chats ask for 100 permits in all (as the delivery workers do).
    let next = 0;
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const limiter = i % 2 === 0 ? a : b;
        while (next < 100) {
          const chat = BigInt(1_000 + next++);
          expect(await limiter.acquire(chat)).toBe(true);
          granted.push(performance.now());
        }
      }),
    );
    const calls = redis.scripts + other.scripts - before;

    expect(granted).toHaveLength(100);
    // rate + the burst of 1.5, + 1 for timers that fire late.
    expect(mostInAnyWindow(granted, 1_000)).toBeLessThanOrEqual(rate + 2);
    const spanS = (Math.max(...granted) - Math.min(...granted)) / 1000;
    expect(spanS).toBeGreaterThanOrEqual((100 - rate - 2) / rate);
    expect(calls).toBe(100);
  });

  it('lets about one message a second into a chat, after a burst of two', async () => {
    const p = prefix();
    const limiter = createTelegramLimiter(redis, { globalPerSecond: 1_000, prefix: p });
    const granted: number[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        expect(await limiter.acquire(42n)).toBe(true);
        granted.push(performance.now());
      }),
    );
    granted.sort((x, y) => x - y);
    expect(granted[1]! - granted[0]!).toBeLessThan(200); // the burst
    expect(granted[2]! - granted[0]!).toBeGreaterThanOrEqual(900);
    expect(granted[3]! - granted[2]!).toBeGreaterThanOrEqual(900);
  });

  it('refuses a caller that would wait longer than it accepts, and that caller takes nothing', async () => {
    const p = prefix();
    const limiter = createTelegramLimiter(redis, { globalPerSecond: 1_000, prefix: p });
    expect(await limiter.acquire(7n, 100)).toBe(true);
    expect(await limiter.acquire(7n, 100)).toBe(true); // burst of two
    const started = performance.now();
    expect(await limiter.acquire(7n, 100)).toBe(false); // the next slot is ~1 s away
    expect(performance.now() - started).toBeLessThan(100);
    // Nothing was reserved by the refusal: the chat is still free about a second after the first.
    const reserved = await limiter.reserve(7n, 5_000);
    expect(reserved.granted).toBe(false); // its chat is busy: told when to ask again
    expect(reserved.waitMs).toBeGreaterThan(700);
    expect(reserved.waitMs).toBeLessThanOrEqual(1_000);
  });

  it('does not hold other chats back while one chat waits for its next slot', async () => {
    const p = prefix();
    const limiter = createTelegramLimiter(redis, { globalPerSecond: 10, prefix: p });
    await limiter.acquire(11n);
    await limiter.acquire(11n); // chat 11's next slot is about a second away
    const busy = limiter.acquire(11n);
    const started = performance.now();
    expect(await limiter.acquire(12n)).toBe(true);
    expect(performance.now() - started).toBeLessThan(300); // one global slot (100 ms), not chat 11's second
    expect(await busy).toBe(true);
  });

  it('holds back a caller whose reserved time comes during a pause', async () => {
    const p = prefix();
    const limiter = createTelegramLimiter(redis, { globalPerSecond: 1_000, prefix: p });
    await limiter.acquire(9n);
    await limiter.acquire(9n);
    const started = performance.now();
    const third = limiter.acquire(9n); // reserved about a second from now
    await limiter.pauseAll(2_000); // a 429 elsewhere, while it waits
    expect(await third).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_900);
  });
});
