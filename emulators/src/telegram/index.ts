// Telegram Bot API emulator: a real HTTP server that grammY (or any Bot API client) reaches through
// its API root (`new Bot(token, { client: { apiRoot: emu.url } })`, TELEGRAM_API_ROOT), with
// Telegram's answers, error strings and flood limits, long polling and webhooks, a control API for
// tests (control.ts) and a web inbox for people (inbox.ts). Methods: see methods.ts; any other is
// 404 "Not Found", as on Telegram. Not emulated: inline_message_id edits, webhook replies,
// channels, media groups, and Telegram's HTTPS-only rule for webhooks (http:// is accepted here).
import { FaultQueue } from '../faults.js';
import type { Emulator, RecordedRequest } from '../http.js';
import { resetState } from './control.js';
import { DEFAULT_LIMITS, RateLimiter, type TelegramStats } from './limits.js';
import { MediaStore } from './media.js';
import { persistTelegram } from './persist.js';
import { parseOutage } from './outage.js';
import { listen } from './server.js';
import { groupMessage, pressButton, userMessage, type PersonInput, type TelegramState } from './state.js';
import { ChatStore } from './store.js';
import type { ChatErrorKind } from './errors.js';
import type { SentRecord, TelegramEmulatorOptions, TelegramLimits, TgUpdate, TgUser } from './types.js';
import { UpdateQueue } from './updates.js';
import { WebhookSender } from './webhook.js';

export type { ChatErrorKind } from './errors.js';
export type { TelegramStats } from './limits.js';
export type { PersonInput, TelegramState } from './state.js';
export type * from './types.js';
export { DEFAULT_LIMITS } from './limits.js';
export { MAX_CAPTION, MAX_TEXT } from './entities.js';
export { MAX_PHOTO_UPLOAD, MAX_UPLOAD } from './media.js';

export const DEFAULT_TELEGRAM_TOKEN = '123456789:AAEmulatorToken-postaify-local-000000';
export const DEFAULT_BOT_USERNAME = 'postaify_local_bot';

/** The handle of a running emulator: the shared Emulator fields plus in-process shortcuts of /__control. */
export interface TelegramEmulator extends Emulator {
  /** The one accepted bot token. `url` is the API root (no trailing slash). */
  token: string;
  bot: TgUser & { username: string };
  state: TelegramState;
  /** POST /__control/users/:chatId/message */
  userMessage(chatId: number, input: PersonInput): TgUpdate;
  /** POST /__control/groups/:chatId/message */
  groupMessage(chatId: number, input: PersonInput & { from_id?: number; title?: string }): TgUpdate;
  /** POST /__control/users/:chatId/callback */
  pressButton(chatId: number, messageId: number, data: string): TgUpdate;
  /** POST /__control/chats/:chatId/error */
  setChatError(chatId: number, kind: ChatErrorKind, migrateTo?: number): void;
  /** POST /__control/chats/:chatId/flood: every send to the chat is a 429 for `seconds`. */
  flood(chatId: number, seconds: number): void;
  /**
   * POST /__control/outage: every Bot API call (or those whose path contains `path`) is answered
   * `status` (default 502) for `seconds`, as Telegram's JSON error or an HTML page; 0 ends it.
   */
  outage(input: { status?: number; seconds: number; path?: string; html?: boolean }): void;
  /** GET /__control/chats/:chatId/messages, or every chat's when chatId is omitted. */
  messages(chatId?: number): SentRecord[];
  stats(): TelegramStats;
  setLimits(limits: Partial<TelegramLimits>): void;
}

export async function startTelegramEmulator(options: TelegramEmulatorOptions = {}): Promise<TelegramEmulator> {
  const token = options.token ?? DEFAULT_TELEGRAM_TOKEN;
  const id = Number(token.split(':')[0]);
  const limits: TelegramLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof TelegramLimits)[]) {
    if (options[key] !== undefined) limits[key] = options[key];
  }
  const updates = new UpdateQueue();
  const state: TelegramState = {
    token,
    bot: {
      id: Number.isSafeInteger(id) && id > 0 ? id : 123456789,
      is_bot: true,
      first_name: options.botFirstName ?? 'Postaify (local)',
      username: options.botUsername ?? DEFAULT_BOT_USERNAME,
    },
    autoCreateChats: options.autoCreateChats ?? false,
    urlFetchTimeoutMs: options.urlFetchTimeoutMs ?? 10_000,
    chats: new ChatStore(),
    updates,
    limiter: new RateLimiter(limits),
    media: new MediaStore(),
    webhook: new WebhookSender(updates, options.webhookTimeoutMs ?? 10_000, options.webhookRetryMs ?? 1_000),
    faults: new FaultQueue(),
    requests: [] as RecordedRequest[],
  };
  const saved = options.stateFile ? persistTelegram(state, options.stateFile) : undefined;
  const server = await listen(state, options, saved && (() => saved.changed()));
  return {
    name: 'telegram',
    url: server.url,
    port: server.port,
    token,
    bot: state.bot,
    state,
    faults: state.faults,
    requests: state.requests,
    reset: () => resetState(state),
    close: async () => {
      state.webhook.close();
      state.updates.release('closed');
      await server.close();
      saved?.flush();
    },
    userMessage: (chatId, input) => userMessage(state, chatId, input),
    groupMessage: (chatId, input) => groupMessage(state, chatId, input),
    pressButton: (chatId, messageId, data) => pressButton(state, chatId, messageId, data),
    setChatError: (chatId, kind, migrateTo) => void state.chats.setError(chatId, kind, migrateTo),
    flood: (chatId, seconds) => void state.chats.flood(chatId, seconds),
    outage: (input) => {
      state.outage = parseOutage(input);
    },
    messages: (chatId) => state.chats.sent.filter((r) => chatId === undefined || r.chat_id === chatId),
    stats: () => structuredClone(state.limiter.stats),
    setLimits: (next) => {
      state.limiter.limits = { ...state.limiter.limits, ...next };
    },
  };
}
