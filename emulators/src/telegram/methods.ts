// The Bot API methods the product uses, by name (Telegram matches method names case-insensitively).
// Each returns the `result` of `{ ok: true, result }`, or a Described when Telegram also sends a
// `description` (setWebhook's "Webhook was set"), or throws a BotApiError.
import { errors } from './errors.js';
import type { Params } from './params.js';
import { editReplyMarkup, send } from './send.js';
import type { TelegramState } from './state.js';

export class Described {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

export interface MethodContext {
  state: TelegramState;
  params: Params;
  /** Aborted when the client goes away (ends a held long poll). */
  signal: AbortSignal;
}

type Method = (ctx: MethodContext) => unknown;

async function getUpdates({ state, params, signal }: MethodContext): Promise<unknown> {
  if (state.webhook.config) throw errors.webhookActive();
  const limit = Math.min(Math.max(params.int('limit') ?? 100, 1), 100);
  const timeout = Math.max(params.int('timeout') ?? 0, 0);
  state.updates.setAllowed(params.json('allowed_updates', (why) => errors.badField('allowed_updates', why)));
  state.updates.confirm(params.int('offset'));
  if (state.updates.size === 0 && timeout > 0) {
    const outcome = await state.updates.wait(timeout * 1000, signal);
    if (outcome === 'conflict') throw errors.otherGetUpdates();
    if (outcome === 'closed' && state.webhook.config) throw errors.webhookActive();
  }
  return state.updates.peek(limit);
}

function setWebhook({ state, params }: MethodContext): Described {
  const url = params.string('url') ?? '';
  if (url === '') return deleteWebhook({ state, params } as MethodContext);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw errors.badWebhookUrl();
  }
  // Telegram insists on HTTPS; the emulator takes http:// too, for servers on this machine.
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw errors.badWebhookUrl();
  const secretToken = params.string('secret_token');
  if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) throw errors.secretToken();
  if (params.bool('drop_pending_updates')) state.updates.drop();
  state.updates.setAllowed(params.json('allowed_updates', (why) => errors.badField('allowed_updates', why)));
  const maxConnections = Math.min(Math.max(params.int('max_connections') ?? 40, 1), 100);
  const same = state.webhook.config?.url === url && state.webhook.config.secretToken === secretToken;
  state.webhook.set({ url, secretToken, maxConnections });
  state.updates.release('closed'); // a held long poll ends with 409 now
  return new Described(true, same ? 'Webhook is already set' : 'Webhook was set');
}

function deleteWebhook({ state, params }: MethodContext): Described {
  const had = state.webhook.config !== undefined;
  if (params.bool('drop_pending_updates')) state.updates.drop();
  state.webhook.set(undefined);
  return new Described(true, had ? 'Webhook was deleted' : 'Webhook is already deleted');
}

function answerCallbackQuery({ state, params }: MethodContext): boolean {
  const callback = state.chats.callbacks.get(params.string('callback_query_id') ?? '');
  if (!callback || callback.answer) throw errors.queryTooOld();
  const text = params.string('text');
  if (text !== undefined && [...text].length > 200) throw errors.callbackTextTooLong();
  callback.answer = { text, show_alert: params.bool('show_alert'), url: params.string('url'), ts_ms: Date.now() };
  state.chats.version += 1;
  return true;
}

function getFile({ state, params }: MethodContext) {
  const file = state.media.get(params.string('file_id') ?? '');
  if (!file) throw errors.invalidFileId();
  return {
    file_id: file.file_id,
    file_unique_id: file.file_unique_id,
    file_size: file.size,
    file_path: file.file_path,
  };
}

const METHODS: Record<string, Method> = {
  getMe: ({ state }) => ({
    ...state.bot,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  }),
  logOut: () => true,
  close: () => true,
  getUpdates,
  setWebhook,
  deleteWebhook,
  getWebhookInfo: ({ state }) => state.webhook.info(state.updates.size),
  sendMessage: ({ state, params }) => send(state, params, 'sendMessage'),
  sendPhoto: ({ state, params }) => send(state, params, 'sendPhoto'),
  sendVoice: ({ state, params }) => send(state, params, 'sendVoice'),
  editMessageReplyMarkup: ({ state, params }) => editReplyMarkup(state, params),
  answerCallbackQuery,
  getFile,
};

const BY_LOWER_NAME = new Map(Object.entries(METHODS).map(([name, fn]) => [name.toLowerCase(), { name, fn }]));

/** The method by its name as the client spelled it, with its canonical name; undefined → 404. */
export function findMethod(name: string): { name: string; fn: Method } | undefined {
  return BY_LOWER_NAME.get(name.toLowerCase());
}
