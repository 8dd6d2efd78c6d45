// Rate limits shared by every web replica: express-rate-limit counting in Redis through
// rate-limit-redis. Answers 429 RATE_LIMITED with Retry-After and the IETF `RateLimit` /
// `RateLimit-Policy` headers. When Redis does not answer, requests pass (and /ready is 503):
// an outage of the counter store should not take the API down with it.
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { AppError } from '../lib/errors.js';
import type { Redis } from '../lib/redis.js';
import { remembered } from '../lib/remembered.js';

/**
 * rate-limit-redis loads its Lua scripts once (SCRIPT LOAD) and caches the promise; if Redis is
 * unreachable at that moment the rejected promise is kept and every later request fails. We answer
 * SCRIPT LOAD locally (a script's SHA-1 is what Redis would return) and run EVALSHA with a
 * fallback to EVAL, which loads the script on first use, so the store recovers with Redis.
 */
function sendCommandFor(redis: Redis) {
  const scripts = new Map<string, string>();
  return async (command: string, ...args: string[]): Promise<RedisReply> => {
    if (command === 'SCRIPT' && args[0] === 'LOAD' && args[1] !== undefined) {
      const sha = createHash('sha1').update(args[1]).digest('hex');
      scripts.set(sha, args[1]);
      return sha;
    }
    if (command === 'EVALSHA' && args[0] !== undefined) {
      const [sha, ...rest] = args;
      try {
        return (await redis.call('EVALSHA', sha, ...rest)) as RedisReply;
      } catch (err) {
        const script = scripts.get(sha);
        if (!script || !(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return (await redis.call('EVAL', script, ...rest)) as RedisReply;
      }
    }
    return (await redis.call(command, ...args)) as RedisReply;
  };
}

export interface LimiterOptions {
  redis: Redis;
  /** Distinguishes this limiter's counters in Redis. */
  name: string;
  /** Requests allowed per window. */
  limit: number;
  /** Window length in ms (default one minute). */
  windowMs?: number;
  by: 'ip' | 'user';
}

/**
 * ipKeyGenerator parses every IPv6 address (and an IPv4 one that Node reports as `::ffff:a.b.c.d`)
 * with the ip-address package: ~3% of a signed-in request's CPU. The key is a pure function of the
 * address and a client keeps its address, so keys are remembered.
 */
const ipKeys = () => remembered((ip) => `ip:${ipKeyGenerator(ip)}`, 10_000);

export function createLimiter({ redis, name, limit, windowMs = 60_000, by }: LimiterOptions): RequestHandler {
  const ipKey = ipKeys();
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: name,
    store: new RedisStore({ sendCommand: sendCommandFor(redis), prefix: `postaify:rl:${name}:` }),
    keyGenerator: (req, res) => (by === 'user' ? `u:${res.locals.user.id}` : ipKey(req.ip ?? '')),
    passOnStoreError: true,
    handler: (_req, _res, next) => {
      next(
        new AppError(
          'RATE_LIMITED',
          `Too many requests: at most ${limit} a minute here. Retry after the time in Retry-After.`,
        ),
      );
    },
    // ipKey() calls ipKeyGenerator (through its cache), which this check cannot see.
    validate: { singleCount: false, keyGeneratorIpFallback: false },
  });
}
