// One Redis-side limiter for every Bot API call of every worker process: a global token bucket
// (TELEGRAM_MAX_PER_SECOND, no burst), a bucket per chat (about one message a second), and a
// global pause that a 429 sets. It counts calls, not jobs, so a post sent in three parts takes
// three permits. Redis's own clock decides, so processes on different machines agree.
import type { Redis } from '../../lib/redis.js';

const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[3])
if paused > 0 then return paused end
local function take(key, rate, burst)
  local b = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(b[1]) or burst
  local ts = tonumber(b[2]) or now
  tokens = math.min(burst, tokens + (now - ts) * rate / 1000)
  if tokens < 1 then return math.ceil((1 - tokens) * 1000 / rate), tokens end
  return 0, tokens
end
local gWait, gTokens = take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
local cWait, cTokens = take(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]))
local wait = math.max(gWait, cWait)
if wait > 0 then return wait end
redis.call('HSET', KEYS[1], 'tokens', gTokens - 1, 'ts', now)
redis.call('PEXPIRE', KEYS[1], 60000)
redis.call('HSET', KEYS[2], 'tokens', cTokens - 1, 'ts', now)
redis.call('PEXPIRE', KEYS[2], 60000)
return 0
`;

const COMMAND = 'postaifyTelegramPermit';
type Take = (...args: Array<string | number>) => Promise<number>;

/**
 * The script as a command of the connection (ioredis sends EVALSHA, and the script itself only
 * when Redis answers NOSCRIPT), rather than EVAL with the whole script on every permit.
 */
function scriptOn(redis: Redis): Take {
  const commands = redis as unknown as Record<string, Take | undefined>;
  if (!commands[COMMAND]) redis.defineCommand(COMMAND, { numberOfKeys: 3, lua: SCRIPT });
  return (...args) => commands[COMMAND]!.call(redis, ...args);
}

/** A retry_after up to this long pauses every sender; a longer one only its own chat. */
const SHORT_RETRY_AFTER_S = 60;

export interface LimiterOptions {
  /** Calls a second for the whole bot. */
  globalPerSecond: number;
  /** Calls a second per chat (default 1). */
  chatPerSecond?: number;
  /** Burst per chat (default 2). */
  chatBurst?: number;
  prefix?: string;
}

/** The limiter's Redis keys live beside the queues' (`postaify:tg:*` in production), so every
 * process on one queue prefix shares one budget. */
export const telegramLimiterPrefix = (queuePrefix: string) => `${queuePrefix}:tg`;

export function createTelegramLimiter(
  redis: Redis,
  { globalPerSecond, chatPerSecond = 1, chatBurst = 2, prefix = 'postaify:tg' }: LimiterOptions,
) {
  // Almost no burst for the whole bot: a bucket of capacity b lets rate + b calls into one second,
  // and Telegram counts any second. Capacity 1.5 keeps every second under rate + 2 (28 set, 30
  // allowed), while the half token absorbs the gaps between a permit coming due and a sender
  // asking for it. (bench:delivery: capacity rate/5 had 3% of calls answered 429, each pausing
  // every sender; capacity 1 reached only 27.5 of 28 a second.)
  const globalBurst = 1.5;
  const take = scriptOn(redis);
  const keys = (chatId: bigint) => [`${prefix}:bucket:global`, `${prefix}:bucket:chat:${chatId}`, `${prefix}:pause`];
  return {
    /** 0 when the call may go now, else how many ms to wait before asking again. */
    async tryAcquire(chatId: bigint): Promise<number> {
      return await take(...keys(chatId), globalPerSecond, globalBurst, chatPerSecond, chatBurst);
    },
    /** Waits for a permit (at most `maxWaitMs`, default 60 s); false if it did not come in time. */
    async acquire(chatId: bigint, maxWaitMs = 60_000): Promise<boolean> {
      const deadline = Date.now() + maxWaitMs;
      for (;;) {
        const wait = await this.tryAcquire(chatId);
        if (wait === 0) return true;
        if (Date.now() + wait > deadline) return false;
        await new Promise((r) => setTimeout(r, Math.min(wait, 1_000)));
      }
    },
    /** After a 429: every process pauses for `ms`. */
    async pauseAll(ms: number): Promise<void> {
      await redis.set(`${prefix}:pause`, '1', 'PX', Math.max(1, ms));
    },
    /**
     * After a 429 with `retry_after` seconds: a short one (up to a minute) is the bot's budget, so
     * every process pauses; a longer one is one chat's flood, for the caller to wait out alone.
     * True when everyone was paused.
     */
    async onRetryAfter(seconds: number): Promise<boolean> {
      if (seconds > SHORT_RETRY_AFTER_S) return false;
      await this.pauseAll(seconds * 1000);
      return true;
    },
  };
}

export type TelegramLimiter = ReturnType<typeof createTelegramLimiter>;
