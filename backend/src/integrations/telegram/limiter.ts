// One Redis-side limiter for every Bot API call of every worker process: a global rate
// (TELEGRAM_MAX_PER_SECOND, almost no burst), a rate per chat (about one message a second), a hold
// per chat that a 429 on a send to that chat sets (its retry_after), and a global pause that a 429
// of no chat sets. It counts calls, not jobs, so a post sent in three parts takes
// three permits. Redis's own clock decides, so processes on different machines agree.
import type { Redis } from '../../lib/redis.js';

// GCRA (the "virtual scheduling" form of a token bucket): each bucket keeps the theoretical
// arrival time (TAT, in microseconds) of its next call. A caller asks once and is given the next
// free slot of the whole bot's bucket to send at, and both TATs move past it. When its chat's
// bucket is not free by then, it is refused and told when the chat is (a slot far ahead for one
// chat would otherwise push the whole bot's TAT there and idle every other chat meanwhile). A
// caller that would have to wait longer than it is willing to is refused too. Refusals take
// nothing. One call per permit: the earlier try-and-ask-again bucket made ~14 calls per permit at
// 1,000/s with a hundred senders (bench:delivery, Redis commandstats), most of a sender's cost.
// KEYS: global TAT, chat TAT, pause, chat hold. ARGV: global rate/s, global burst, chat rate/s,
// chat burst, the longest wait the caller accepts (ms). Returns { 1, ms to wait before sending, 0 }
// when granted, { 0, ms to wait before asking again, why } when refused: why is 1 (paused), 2 (its
// chat is busy or held) or 3 (the wait is too long). Every key is the chat's or the bot's under one
// prefix (telegramKeys), so a hash tag in the prefix puts a call's keys in one cluster slot.
const SCRIPT = `
local paused = redis.call('PTTL', KEYS[3])
if paused > 0 then return {0, paused, 1} end
local held = redis.call('PTTL', KEYS[4])
if held > 0 then return {0, held, 2} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local gT = 1000000 / tonumber(ARGV[1])
local gTau = (tonumber(ARGV[2]) - 1) * gT
local cT = 1000000 / tonumber(ARGV[3])
local cTau = (tonumber(ARGV[4]) - 1) * cT
local gTat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
local cTat = math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), now)
local at = math.max(gTat - gTau, now)
local chatAt = cTat - cTau
if chatAt > at then return {0, math.ceil((chatAt - now) / 1000), 2} end
local waitUs = at - now
if waitUs > tonumber(ARGV[5]) * 1000 then return {0, math.ceil(waitUs / 1000), 3} end
local gNext = math.max(gTat, at) + gT
local cNext = math.max(cTat, at) + cT
redis.call('SET', KEYS[1], string.format('%.0f', gNext), 'PX', math.ceil((gNext - now) / 1000) + 60000)
redis.call('SET', KEYS[2], string.format('%.0f', cNext), 'PX', math.ceil((cNext - now) / 1000) + 60000)
return {1, math.ceil(waitUs / 1000), 0}
`;

// Named for its keys: a process of the earlier version (three keys) may share the connection's
// script cache during a deploy, never this command's name.
const COMMAND = 'postaifyTelegramPermitHeld';
type Take = (...args: Array<string | number>) => Promise<[granted: 0 | 1, ms: number, why: 0 | 1 | 2 | 3]>;
const REFUSALS = { 1: 'paused', 2: 'chat', 3: 'global' } as const;
/** Why a permit was refused: a 429 paused every sender, the chat is busy, or the bot is. */
export type Refusal = (typeof REFUSALS)[keyof typeof REFUSALS];

/**
 * What asking for a permit came to. Refused with `chatFreeInMs` when the caller gave up because
 * its own chat stayed busy (the rest of the bot may be free): it may come back after that long.
 */
export type Permit = { granted: true } | { granted: false; chatFreeInMs?: number };

/**
 * The script as a command of the connection (ioredis sends EVALSHA, and the script itself only
 * when Redis answers NOSCRIPT), rather than EVAL with the whole script on every permit.
 */
function scriptOn(redis: Redis): Take {
  const commands = redis as unknown as Record<string, Take | undefined>;
  if (!commands[COMMAND]) redis.defineCommand(COMMAND, { numberOfKeys: 4, lua: SCRIPT });
  return (...args) => commands[COMMAND]!.call(redis, ...args);
}

/**
 * A caller that waited this long (ms) for its reserved time checks for a pause before sending.
 * Shorter waits skip the check: at 1,000 calls a second nearly every permit waits a little, and
 * the check was one more round trip per message (bench:delivery).
 */
const RECHECK_AFTER_MS = 100;

/**
 * A 429 of no chat (getMe, a call without chat_id): a retry_after up to this long pauses every
 * sender; a longer one is ignored here (the caller waits it out alone). A 429 on a send to a chat
 * holds that chat only, however long (see onRetryAfter).
 */
export const SHORT_RETRY_AFTER_S = 60;

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

/**
 * The limiter's keys under `prefix`, shared with the bot's reply budget (which takes the same
 * chat buckets and respects the same pause). `tat:` keys (strings), not the earlier `bucket:`
 * hashes: a process of the earlier version running beside this one during a deploy must not meet
 * a value of the wrong type.
 */
export const telegramKeys = (prefix: string) => ({
  global: `${prefix}:tat:global`,
  chat: (chatId: bigint) => `${prefix}:tat:chat:${chatId}`,
  /** Set for a chat's retry_after by a 429 on a send to it: no call to that chat until it expires. */
  hold: (chatId: bigint) => `${prefix}:hold:chat:${chatId}`,
  pause: `${prefix}:pause`,
});

export function createTelegramLimiter(
  redis: Redis,
  { globalPerSecond, chatPerSecond = 1, chatBurst = 2, prefix = 'postaify:tg' }: LimiterOptions,
) {
  // Almost no burst for the whole bot: a burst of b lets rate + b calls into one second, and
  // Telegram counts any second. 1.5 keeps every second under rate + 2 (28 set, 30 allowed), while
  // the half call of slack absorbs timers that fire late. (bench:delivery with the earlier
  // bucket: a burst of rate/5 had 3% of calls answered 429, each pausing every sender.)
  const globalBurst = 1.5;
  const take = scriptOn(redis);
  const keys = (chatId: bigint) => {
    const k = telegramKeys(prefix);
    return [k.global, k.chat(chatId), k.pause, k.hold(chatId)];
  };
  /** Whether a pause or a hold of `chatId` was set (one round trip). */
  const stopped = async (chatId: bigint) => {
    const k = telegramKeys(prefix);
    const answers = (await redis.pipeline().pttl(k.pause).pttl(k.hold(chatId)).exec()) ?? [];
    return answers.some(([err, ttl]) => !err && typeof ttl === 'number' && ttl > 0);
  };
  return {
    /**
     * Asks once: `{ granted: true, waitMs }` is a permit to send after `waitMs` (reserved: the
     * buckets already count it); `{ granted: false, waitMs }` means paused, or not within
     * `maxWaitMs`: ask again after `waitMs` at the earliest.
     */
    async reserve(chatId: bigint, maxWaitMs: number): Promise<{ granted: boolean; waitMs: number; refusal?: Refusal }> {
      const [granted, waitMs, why] = await take(
        ...keys(chatId),
        globalPerSecond,
        globalBurst,
        chatPerSecond,
        chatBurst,
        Math.max(0, Math.floor(maxWaitMs)),
      );
      return granted === 1
        ? { granted: true, waitMs }
        : { granted: false, waitMs, refusal: REFUSALS[why as 1 | 2 | 3] };
    },
    /**
     * Waits for a permit, at most `maxWaitMs` (default 60 s) in all, and at most `maxChatWaitMs`
     * (default: as long) for the chat alone: a caller whose chat is still busy by then gives up
     * with `chatFreeInMs` (a sender hands its delivery back for later rather than hold its slot
     * while other chats could be sent to). A chat held by a 429 counts as busy for its hold. After
     * waiting RECHECK_AFTER_MS or more for a reserved time it checks that no 429 paused everyone
     * or held its chat meanwhile; if one did, it asks again (the reserved time is given up). A call
     * reserved closer than that goes, like a call already in flight at the 429.
     */
    async permit(
      chatId: bigint,
      { maxWaitMs = 60_000, maxChatWaitMs = maxWaitMs }: { maxWaitMs?: number; maxChatWaitMs?: number } = {},
    ): Promise<Permit> {
      const started = Date.now();
      const deadline = started + maxWaitMs;
      for (;;) {
        const { granted, waitMs, refusal } = await this.reserve(chatId, deadline - Date.now());
        if (granted && waitMs === 0) return { granted: true };
        if (!granted && refusal === 'chat' && Date.now() + waitMs - started > maxChatWaitMs)
          return { granted: false, chatFreeInMs: waitMs };
        if (!granted && Date.now() + waitMs > deadline) return { granted: false };
        await sleep(granted ? waitMs : Math.min(waitMs, 1_000));
        if (granted && (waitMs < RECHECK_AFTER_MS || !(await stopped(chatId)))) return { granted: true };
      }
    },
    /** Waits for a permit (at most `maxWaitMs`, default 60 s); false if it did not come in time. */
    async acquire(chatId: bigint, maxWaitMs = 60_000): Promise<boolean> {
      return (await this.permit(chatId, { maxWaitMs })).granted;
    },
    /** After a 429 of no chat: every process pauses for `ms`. */
    async pauseAll(ms: number): Promise<void> {
      await redis.set(`${prefix}:pause`, '1', 'PX', Math.max(1, ms));
    },
    /** After a 429 on a send to `chatId`: no process calls that chat for `ms`; other chats go on. */
    async holdChat(chatId: bigint, ms: number): Promise<void> {
      await holdChat(redis, prefix, chatId, ms);
    },
    /**
     * After a 429 with `retry_after` seconds. On a send to `chatId` it is that chat's flood
     * (Telegram's 429 on sendMessage to a chat is about that chat: about one message a second, 20
     * a minute in a group), so only that chat is held, however long; every other chat goes on.
     * Without a chat (getMe, a call of no chat) it is the bot's: a short one (up to
     * SHORT_RETRY_AFTER_S) pauses every process, a longer one is the caller's to wait out alone.
     * Answers what it did.
     */
    async onRetryAfter(seconds: number, chatId?: bigint): Promise<'chat' | 'all' | 'none'> {
      return onRetryAfter(redis, prefix, seconds, chatId);
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Holds `chatId` for `ms`: Telegram's latest retry_after for the chat is the one that counts. */
async function holdChat(redis: Redis, prefix: string, chatId: bigint, ms: number): Promise<void> {
  await redis.set(telegramKeys(prefix).hold(chatId), '1', 'PX', Math.max(1, Math.ceil(ms)));
}

/** See the limiter's onRetryAfter; shared with the reply budget (reply-budget.ts). */
export async function onRetryAfter(
  redis: Redis,
  prefix: string,
  seconds: number,
  chatId?: bigint,
): Promise<'chat' | 'all' | 'none'> {
  const ms = Math.max(1, seconds) * 1000;
  if (chatId !== undefined) {
    await holdChat(redis, prefix, chatId, ms);
    return 'chat';
  }
  if (seconds > SHORT_RETRY_AFTER_S) return 'none';
  await redis.set(telegramKeys(prefix).pause, '1', 'PX', ms);
  return 'all';
}

export type TelegramLimiter = ReturnType<typeof createTelegramLimiter>;
