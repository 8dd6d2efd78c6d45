// The Telegram Bot API through grammY, with TELEGRAM_API_ROOT (the local emulator, a Bot API
// server of your own). Every call has a timeout; grammY's own retries are not added (the delivery
// worker handles 429 and errors itself, see modules/delivery).
//
// The token is part of every Bot API URL (`…/bot<token>/getMe`), and the fetch error grammY wraps
// in its HttpError repeats that URL in its message and stack. Every client here replaces such an
// error with one that names the method and the network reason only, so no caller (nor a log line)
// ever holds the URL; the logger scrubs tokens from its lines as well.
import { Api, Bot, HttpError, type Transformer } from 'grammy';
import type { Config } from '../../config/index.js';

/** The token the local Telegram emulator accepts (only without TELEGRAM_BOT_TOKEN). */
export const LOCAL_BOT_TOKEN = '1000000001:LOCAL-postaify-emulator-token';
const CALL_TIMEOUT_SECONDS = 30;

const clientOptions = (config: Config['telegram']) => ({
  apiRoot: config.apiRoot,
  timeoutSeconds: CALL_TIMEOUT_SECONDS,
});

export const botToken = (config: Config['telegram']) => config.botToken ?? LOCAL_BOT_TOKEN;

/** Why a Bot API call got no answer, with nothing of the request in it. */
export class TelegramUnreachableError extends Error {
  constructor(
    readonly method: string,
    /** A system error code (`ECONNREFUSED`), `timeout`, `aborted` or `invalid-answer`. */
    readonly reason: string,
  ) {
    super(`Telegram unreachable: ${method} (${reason})`);
    this.name = 'TelegramUnreachableError';
  }
}

/**
 * The reason of a failed fetch: node-fetch's FetchError carries a system `code` or a `type`
 * (`invalid-json` when the answer was not JSON); grammY's own timeout is a plain Error.
 */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown';
  const { code, type } = error as Error & { code?: unknown; type?: unknown };
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code)) return code;
  if (error.name === 'AbortError' || type === 'aborted') return 'aborted';
  if (type === 'invalid-json') return 'invalid-answer';
  if (/timed out/i.test(error.message) || type === 'request-timeout') return 'timeout';
  return 'unknown';
}

/** Rethrows grammY's HttpError as one whose message and cause hold no URL (see the header). */
const withoutRequestDetails: Transformer = async (prev, method, payload, signal) => {
  try {
    return await prev(method, payload, signal);
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    const cause = new TelegramUnreachableError(method, reasonOf(err.error));
    throw new HttpError(cause.message, cause);
  }
};

export function createTelegramApi(config: Config['telegram']): Api {
  const api = new Api(botToken(config), clientOptions(config));
  api.config.use(withoutRequestDetails);
  return api;
}

/** The bot's `api`, and each update's `ctx.api` (grammY copies the bot's transformers to it). */
export function createBot(config: Config['telegram']): Bot {
  const bot = new Bot(botToken(config), { client: clientOptions(config) });
  bot.api.config.use(withoutRequestDetails);
  return bot;
}
