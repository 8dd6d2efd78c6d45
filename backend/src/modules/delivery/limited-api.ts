// The shared limiter for Bot API calls made outside the delivery senders (the web process's bot:
// replies to commands, the test message). Installed as a grammY API transformer, so every
// send of that Api takes a permit from the same Redis buckets as the senders, and a 429 it gets
// pauses every process as a sender's would. The senders call the limiter themselves (they record
// each wait and park long retry_afters), so their Api has no transformer.
import type { Transformer } from 'grammy';
import type { TelegramLimiter } from './limiter.js';

/** Methods that post a message into a chat (the calls Telegram's flood limits count). */
const SENDS = /^(send(?!ChatAction)|copyMessage|forwardMessage)/;
/** How long a send waits for a permit before it is answered like a 429 instead. */
const MAX_WAIT_MS = 10_000;

export function limitSends(limiter: TelegramLimiter, maxWaitMs = MAX_WAIT_MS): Transformer {
  return async (prev, method, payload, signal) => {
    const chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
    if (SENDS.test(method) && (typeof chatId === 'number' || typeof chatId === 'string')) {
      if (!(await limiter.acquire(BigInt(chatId), maxWaitMs))) {
        // Said the way Telegram says it, so callers handle it as the rate limit it is.
        return {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: held back by the shared send limiter for over ${maxWaitMs / 1000} s`,
          parameters: { retry_after: Math.ceil(maxWaitMs / 1000) },
        };
      }
    }
    const res = await prev(method, payload, signal);
    const retryAfter = res.ok ? undefined : res.parameters?.retry_after;
    if (!res.ok && res.error_code === 429 && retryAfter !== undefined) await limiter.onRetryAfter(retryAfter);
    return res;
  };
}
