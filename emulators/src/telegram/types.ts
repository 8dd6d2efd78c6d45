// The Bot API objects the emulator hands out, trimmed to the fields it fills (grammY reads them
// through @grammyjs/types, so the names and nesting follow the Bot API exactly), plus the
// emulator's own records of what was sent.

export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export type ChatType = 'private' | 'group' | 'supergroup';

export interface TgChat {
  id: number;
  type: ChatType;
  title?: string;
  username?: string;
  first_name?: string;
}

export interface MessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  user?: TgUser;
  language?: string;
  custom_emoji_id?: string;
}

export interface InlineKeyboardButton {
  text: string;
  callback_data?: string;
  url?: string;
}

export interface ReplyMarkup {
  inline_keyboard?: InlineKeyboardButton[][];
  [other: string]: unknown;
}

export interface PhotoSize {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size: number;
}

export interface TgVoice {
  file_id: string;
  file_unique_id: string;
  duration: number;
  mime_type: string;
  file_size: number;
}

export interface TgMessage {
  message_id: number;
  from?: TgUser;
  chat: TgChat;
  date: number;
  edit_date?: number;
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  caption_entities?: MessageEntity[];
  photo?: PhotoSize[];
  voice?: TgVoice;
  reply_markup?: ReplyMarkup;
}

export interface TgCallbackQuery {
  id: string;
  from: TgUser;
  message: TgMessage;
  chat_instance: string;
  data: string;
}

export interface TgUpdate {
  update_id: number;
  message?: TgMessage;
  callback_query?: TgCallbackQuery;
}

/** One accepted bot send, as GET /__control/chats/:id/messages lists it. */
export interface SentRecord {
  message_id: number;
  chat_id: number;
  method: 'sendMessage' | 'sendPhoto' | 'sendVoice';
  text?: string;
  caption?: string;
  /** Entities of the text or caption, given or parsed from parse_mode. */
  entities?: MessageEntity[];
  parse_mode?: string;
  photo_file_id?: string;
  voice_file_id?: string;
  reply_markup?: ReplyMarkup;
  /** Unix seconds, as Telegram's `date`. */
  date: number;
  ts_ms: number;
  edited_ts_ms?: number;
}

export interface TelegramLimits {
  /** Accepted sends a second for the whole bot (default 30). 0 = unlimited. */
  globalPerSecond: number;
  /** The same for sends with `allow_paid_broadcast: true` (default 1000). 0 = unlimited. */
  paidBroadcastPerSecond: number;
  /** Refill rate of a private chat's bucket, sends a second (default 1). 0 = unlimited. */
  perChatPerSecond: number;
  /** Capacity of a private chat's bucket (default 3). */
  perChatBurst: number;
  /** Accepted sends a minute to one group or supergroup (default 20). 0 = unlimited. */
  perGroupPerMinute: number;
}

export interface TelegramEmulatorOptions extends Partial<TelegramLimits> {
  port?: number;
  host?: string;
  /** The one token the emulator accepts (default `123456789:AAEmulatorToken-postaify-local-000000`). */
  token?: string;
  /** The bot's @username without the @ (default `postaify_local_bot`). */
  botUsername?: string;
  botFirstName?: string;
  /** Send to an unknown chat id creates a private chat instead of 400 "chat not found" (default false). */
  autoCreateChats?: boolean;
  /** Timeout for fetching a photo/voice given as an HTTP URL, ms (default 10,000). */
  urlFetchTimeoutMs?: number;
  /** Timeout of one webhook POST, ms (default 10,000). */
  webhookTimeoutMs?: number;
  /** First wait after a failed webhook POST, ms; doubles up to 30 s (default 1,000). */
  webhookRetryMs?: number;
  /**
   * Keep the chats, updates, webhook and sent files in this JSON file (the bytes of the files in a
   * folder beside it): loaded at start, written shortly after each change and on close. Unset:
   * memory only.
   */
  stateFile?: string;
}
