// What a Bot API failure means for us. Telegram's answers: 403 "bot was blocked by the user" /
// "user is deactivated" and 400 "chat not found" are permanent for that chat; 400 "group chat was
// upgraded to a supergroup chat" carries the new id; 429 carries retry_after (seconds); other 400s
// (e.g. "can't parse entities") are a problem with that message only. An HttpError means Telegram
// never answered: it says so with the method and the network reason, never the request's URL
// (which holds the bot token; see client.ts).
import { GrammyError, HttpError } from 'grammy';
import { TelegramUnreachableError } from './client.js';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';

export type TelegramFailure =
  | { kind: 'unreachable'; description: string; code: number }
  | { kind: 'migrated'; toChatId: bigint; description: string; code: number }
  | { kind: 'rate-limited'; retryAfterS: number; description: string; code: number }
  | { kind: 'bad-request'; description: string; code: number }
  | { kind: 'server'; description: string; code: number }
  | { kind: 'network'; description: string; code?: undefined; reason: string };

/**
 * Telegram did not answer the call, or answered with its own failure (5xx): nothing of the
 * request says it was refused, so it may be sent again later (a delivery retries these for
 * TELEGRAM_OUTAGE_RETRY_SECONDS before it fails). A timeout is among them: Telegram may have
 * taken that message, which is the one part a retry can send twice (there is no idempotency key).
 */
export const isTelegramOutage = (
  failure: TelegramFailure | undefined,
): failure is Extract<TelegramFailure, { kind: 'server' | 'network' }> =>
  failure?.kind === 'server' || failure?.kind === 'network';

const UNREACHABLE = [
  /bot was blocked by the user/i,
  /user is deactivated/i,
  /chat not found/i,
  /bot was kicked/i,
  /not enough rights/i,
];

const NETWORK_REASONS: Record<string, string> = {
  timeout: 'no answer in time',
  aborted: 'the call was aborted',
  'invalid-answer': "an answer that is not the Bot API's",
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
};

/** What an outage failure was, in a few words: `502 Bad Gateway`, `connection refused, ECONNREFUSED`. */
export function outageCause(failure: Extract<TelegramFailure, { kind: 'server' | 'network' }>): string {
  if (failure.kind === 'network') {
    const words = NETWORK_REASONS[failure.reason];
    if (!words) return failure.reason === 'unknown' ? 'no answer' : failure.reason;
    return /^[A-Z]/.test(failure.reason) ? `${words}, ${failure.reason}` : words;
  }
  const text = failure.description.slice(0, 80).trim();
  return text ? `${failure.code} ${text}` : String(failure.code);
}

export function classifyTelegramError(err: unknown): TelegramFailure | undefined {
  if (err instanceof GrammyError) {
    const description = err.description;
    const code = err.error_code;
    if (code === 429) return { kind: 'rate-limited', retryAfterS: err.parameters.retry_after ?? 1, description, code };
    if (err.parameters.migrate_to_chat_id !== undefined)
      return { kind: 'migrated', toChatId: BigInt(err.parameters.migrate_to_chat_id), description, code };
    if ((code === 403 || code === 400) && UNREACHABLE.some((r) => r.test(description)))
      return { kind: 'unreachable', description, code };
    if (code >= 500) return { kind: 'server', description, code };
    return { kind: 'bad-request', description, code };
  }
  if (err instanceof HttpError)
    return {
      kind: 'network',
      description: unreachable(err),
      reason: err.error instanceof TelegramUnreachableError ? err.error.reason : 'unknown',
    };
  return undefined;
}

/**
 * A Bot API failure as an API answer: 503 UPSTREAM_UNAVAILABLE when Telegram is down, busy or
 * limiting us (retry later), 502 UPSTREAM_ERROR when it refused the request. `what` says, in our
 * words, what could not be done. Anything that is not a Bot API failure is returned as it came.
 */
export function telegramUpstreamError(err: unknown, what: string): unknown {
  const failure = classifyTelegramError(err);
  if (!failure) return err;
  const code =
    failure.kind === 'network' || failure.kind === 'server' || failure.kind === 'rate-limited'
      ? 'UPSTREAM_UNAVAILABLE'
      : 'UPSTREAM_ERROR';
  // Telegram's own description is a sentence about the request; a network failure's reason
  // (ECONNREFUSED, a timeout) is about our network and stays in the log.
  const why = failure.kind === 'network' ? 'Telegram did not answer' : failure.description;
  return new AppError(code, `Telegram: ${what} (${why}).`, { provider: 'telegram' }, { cause: err });
}

/** `Telegram unreachable: sendMessage (ECONNREFUSED)`; from a client built elsewhere, no detail. */
function unreachable(err: HttpError): string {
  return err.error instanceof TelegramUnreachableError ? err.error.message : 'Telegram unreachable';
}

/**
 * Logs a failure at the bot boundary (a handler, a webhook registration, long polling): a Bot API
 * error as Telegram's code and description, a network failure as "Telegram unreachable" with the
 * method and reason, and anything else (our own bug) as the error itself, scrubbed by the logger.
 */
export function logTelegramFailure(logger: Logger, err: unknown, fields: Record<string, unknown>, msg: string) {
  if (err instanceof GrammyError) {
    logger.error(
      { ...fields, telegram: { method: err.method, code: err.error_code, description: err.description } },
      msg,
    );
  } else if (err instanceof HttpError) {
    const detail =
      err.error instanceof TelegramUnreachableError ? { method: err.error.method, reason: err.error.reason } : {};
    logger.error({ ...fields, telegram: detail }, `${msg}: ${unreachable(err)}`);
  } else {
    logger.error({ ...fields, err }, msg);
  }
}
