// The bot's own messages (answers to /help, /start and the rest, link confirmations, the test
// message, notices) have a small budget of their own, in Redis so that every replica shares it:
// a rate for the whole bot (TELEGRAM_REPLIES_PER_SECOND, beside the senders' TELEGRAM_MAX_PER_
// SECOND, both under Telegram's ~30), so that chatter never takes the delivery senders' capacity,
// however many people (or scripts) write to the bot. A reply the budget cannot take now is
// dropped, never queued: a sender of updates cannot make the bot wait, or owe replies later.
// A reply also takes its chat's slot in the senders' per-chat bucket (Telegram counts every message
// to a chat), nothing to a chat that a 429 holds, and nothing at all while a 429 has paused the bot. A chat no account has linked gets
// at most one reply a minute: anyone can write to the bot from any number of chats.
import type { Redis } from '../../lib/redis.js';
import { onRetryAfter, telegramKeys } from './limiter.js';

// KEYS: replies' TAT, the chat's TAT (the senders' bucket), pause, the chat's unlinked-reply mark,
// the chat's hold (a 429's retry_after for that chat, shared with the senders).
// ARGV: replies a second, replies' burst, chat rate/s, chat burst, 1 when the chat is unlinked,
// the unlinked interval (ms). GCRA as in limiter.ts, but granted only for now: { 1 } or
// { 0, why } with why 1 (paused), 2 (the budget is spent), 3 (the chat is busy), 4 (an unlinked
// chat that had its reply this minute). A refusal takes nothing.
const SCRIPT = `
if redis.call('PTTL', KEYS[3]) > 0 then return {0, 1} end
if redis.call('PTTL', KEYS[5]) > 0 then return {0, 3} end
local unlinked = ARGV[5] == '1'
if unlinked and redis.call('EXISTS', KEYS[4]) == 1 then return {0, 4} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local rT = 1000000 / tonumber(ARGV[1])
local rTat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
if rTat - (tonumber(ARGV[2]) - 1) * rT > now then return {0, 2} end
local cT = 1000000 / tonumber(ARGV[3])
local cTat = math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), now)
if cTat - (tonumber(ARGV[4]) - 1) * cT > now then return {0, 3} end
redis.call('SET', KEYS[1], string.format('%.0f', rTat + rT), 'PX', math.ceil((rTat + rT - now) / 1000) + 60000)
redis.call('SET', KEYS[2], string.format('%.0f', cTat + cT), 'PX', math.ceil((cTat + cT - now) / 1000) + 60000)
if unlinked then redis.call('SET', KEYS[4], '1', 'PX', tonumber(ARGV[6])) end
return {1, 0}
`;

const COMMAND = 'postaifyTelegramReplyHeld';
type Take = (...args: Array<string | number>) => Promise<[granted: 0 | 1, why: 0 | 1 | 2 | 3 | 4]>;

const REFUSALS = { 1: 'paused', 2: 'budget', 3: 'chat', 4: 'unlinked' } as const;
export type ReplyRefusal = (typeof REFUSALS)[keyof typeof REFUSALS];

/** An unlinked chat gets one reply in this long. */
export const UNLINKED_REPLY_INTERVAL_MS = 60_000;
/**
 * A reply may use the chat's third message of a burst (Telegram allows about three): the senders
 * keep to two, so a reply does not push a delivery to that chat back by more than a second.
 */
const CHAT_BURST = 3;

export interface ReplyBudgetOptions {
  /** Replies a second for the whole bot (TELEGRAM_REPLIES_PER_SECOND). */
  perSecond: number;
  /** Replies at once after a quiet spell (default: two seconds' worth, at least 2). */
  burst?: number;
  /** The senders' limiter prefix (telegramLimiterPrefix), whose chat buckets and pause it shares. */
  prefix: string;
}

export function createReplyBudget(redis: Redis, { perSecond, burst, prefix }: ReplyBudgetOptions) {
  const commands = redis as unknown as Record<string, Take | undefined>;
  if (!commands[COMMAND]) redis.defineCommand(COMMAND, { numberOfKeys: 5, lua: SCRIPT });
  const keys = telegramKeys(prefix);
  const replyBurst = burst ?? Math.max(2, 2 * perSecond);
  return {
    /**
     * Takes a reply to `chatId` now, or refuses and takes nothing. `unlinked`: no account has
     * linked the chat, so it gets one reply a minute.
     */
    async take(
      chatId: bigint,
      { unlinked }: { unlinked: boolean },
    ): Promise<{ granted: boolean; refusal?: ReplyRefusal }> {
      const [granted, why] = await commands[COMMAND]!.call(
        redis,
        `${prefix}:tat:replies`,
        keys.chat(chatId),
        keys.pause,
        `${prefix}:replied:unlinked:${chatId}`,
        keys.hold(chatId),
        perSecond,
        replyBurst,
        1,
        CHAT_BURST,
        unlinked ? 1 : 0,
        UNLINKED_REPLY_INTERVAL_MS,
      );
      return granted === 1 ? { granted: true } : { granted: false, refusal: REFUSALS[why as 1 | 2 | 3 | 4] };
    },
    /**
     * After a 429 a reply got, as a sender's (the limiter's onRetryAfter): one to a chat holds that
     * chat for the senders too; one of no chat pauses every sender when it is short.
     */
    async onRetryAfter(seconds: number, chatId?: bigint): Promise<void> {
      await onRetryAfter(redis, prefix, seconds, chatId);
    },
  };
}

export type ReplyBudget = ReturnType<typeof createReplyBudget>;
