// The limit on Bot API calls made outside the delivery senders (the web process's bot: replies to
// commands, link confirmations, the test message). Installed as a grammY API transformer, so every
// send of that Api (and of each update's ctx.api, which gets the bot's transformers) takes a reply
// from the bot's reply budget (reply-budget.ts), or is dropped at once when it cannot: a
// reply never waits, so people writing to the bot never hold a request or take the senders' budget.
// A 429 such a call gets holds its chat for every process, as a sender's would (one of no chat
// pauses them all when short). The senders call their own
// limiter (they record each wait and park long retry_afters), so their Api has no transformer.
import { GrammyError, type Transformer } from 'grammy';
import type { ReplyBudget } from './reply-budget.js';

/** Methods that post a message into a chat (the calls Telegram's flood limits count). */
const SENDS = /^(send(?!ChatAction)|copyMessage|forwardMessage)/;

/** How a dropped reply is answered (in Telegram's words, as the rate limit it is). */
export const REPLY_DROPPED = "Too Many Requests: reply dropped, the bot's reply budget is spent";

/** A numeric chat id (not an @channel username) of a send's payload. */
function chatOf(payload: unknown): bigint | undefined {
  const chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
  if (typeof chatId === 'number' && Number.isSafeInteger(chatId)) return BigInt(chatId);
  if (typeof chatId === 'string' && /^-?\d{1,20}$/.test(chatId)) return BigInt(chatId);
  return undefined;
}

/**
 * `hasAccount(chatId)`: whether an account has linked that chat (one a minute for those that have
 * not), asked only for sends.
 */
export function limitReplies(budget: ReplyBudget, hasAccount: (chatId: bigint) => Promise<boolean>): Transformer {
  return async (prev, method, payload, signal) => {
    const chatId = chatOf(payload);
    if (SENDS.test(method) && chatId !== undefined) {
      const { granted, refusal } = await budget.take(chatId, { unlinked: !(await hasAccount(chatId)) });
      if (!granted) {
        return {
          ok: false,
          error_code: 429,
          description: `${REPLY_DROPPED} (${refusal})`,
          parameters: { retry_after: refusal === 'unlinked' ? 60 : 1 },
        };
      }
    }
    const res = await prev(method, payload, signal);
    const retryAfter = res.ok ? undefined : res.parameters?.retry_after;
    if (!res.ok && res.error_code === 429 && retryAfter !== undefined)
      await budget.onRetryAfter(retryAfter, SENDS.test(method) ? chatId : undefined);
    return res;
  };
}

/** Whether `err` is a reply that the budget dropped (not sent, and not an error of Telegram's). */
export const isDroppedReply = (err: unknown) =>
  err instanceof GrammyError && err.error_code === 429 && err.description.startsWith(REPLY_DROPPED);
