// Everything one emulated bot holds, shared by the Bot API methods, the control API and the inbox,
// and the things a person does on Telegram's side (write, press a button) that become updates.
import { randomInt } from 'node:crypto';
import type { FaultQueue } from '../faults.js';
import type { RecordedRequest } from '../http.js';
import { commandEntities } from './entities.js';
import type { RateLimiter } from './limits.js';
import type { MediaStore } from './media.js';
import type { Outage } from './outage.js';
import type { ChatState, ChatStore } from './store.js';
import type { TgMessage, TgUpdate, TgUser } from './types.js';
import type { UpdateQueue } from './updates.js';
import type { WebhookSender } from './webhook.js';

export interface TelegramState {
  token: string;
  bot: TgUser & { username: string };
  autoCreateChats: boolean;
  urlFetchTimeoutMs: number;
  chats: ChatStore;
  updates: UpdateQueue;
  limiter: RateLimiter;
  media: MediaStore;
  webhook: WebhookSender;
  faults: FaultQueue;
  requests: RecordedRequest[];
  /** A Telegram outage a test switched on (outage.ts): every matching call fails until it ends. */
  outage?: Outage;
}

export interface PersonInput {
  text?: unknown;
  username?: unknown;
  first_name?: unknown;
}

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

function incoming(state: TelegramState, chat: ChatState, from: TgUser, text: string): TgMessage {
  const entities = commandEntities(text);
  const message: TgMessage = {
    message_id: chat.nextMessageId++,
    from: { ...from },
    chat: { ...chat.chat },
    date: Math.floor(Date.now() / 1000),
    text,
    ...(entities.length > 0 ? { entities } : {}),
  };
  state.chats.add(chat, { from: 'user', message });
  return message;
}

function checkText(text: unknown): string {
  if (typeof text !== 'string' || text.length === 0 || text.length > 4096) {
    throw new Error('text must be a string of 1..4096 characters');
  }
  return text;
}

/** A person writes to the bot in their private chat (created on first sight). */
export function userMessage(state: TelegramState, chatId: number, input: PersonInput): TgUpdate {
  const text = checkText(input.text);
  const chat = state.chats.privateChat(chatId, { username: str(input.username), first_name: str(input.first_name) });
  return state.updates.push({ message: incoming(state, chat, chat.user!, text) });
}

/** A member writes in a group (negative id); `from_id` picks the member (default: a fixed one). */
export function groupMessage(
  state: TelegramState,
  chatId: number,
  input: PersonInput & { from_id?: unknown; title?: unknown },
): TgUpdate {
  const text = checkText(input.text);
  const chat = state.chats.groupChat(chatId, str(input.title));
  const id = typeof input.from_id === 'number' && input.from_id > 0 ? input.from_id : 7_000_001;
  const from: TgUser = { id, is_bot: false, first_name: str(input.first_name) ?? `Member ${id}`, language_code: 'en' };
  const username = str(input.username);
  if (username) from.username = username.replace(/^@/, '');
  return state.updates.push({ message: incoming(state, chat, from, text) });
}

/** A person presses an inline button of a bot message; the button must exist, as on Telegram. */
export function pressButton(
  state: TelegramState,
  chatId: number,
  messageId: number,
  data: unknown,
  fromId?: number,
): TgUpdate {
  const chat = state.chats.get(chatId);
  const entry = chat && state.chats.message(chat, messageId);
  if (!chat || !entry || entry.from !== 'bot') throw new Error(`no bot message ${messageId} in chat ${chatId}`);
  const buttons = entry.message.reply_markup?.inline_keyboard?.flat() ?? [];
  if (typeof data !== 'string' || !buttons.some((b) => b.callback_data === data)) {
    throw new Error(`message ${messageId} has no button with callback_data ${JSON.stringify(data)}`);
  }
  const from: TgUser = chat.user ?? {
    id: fromId ?? 7_000_001,
    is_bot: false,
    first_name: `Member ${fromId ?? 7_000_001}`,
  };
  const query = {
    id: `${randomInt(1e9, 9e9)}${randomInt(1e9, 9e9)}`,
    from: { ...from },
    message: structuredClone(entry.message),
    chat_instance: String(-Math.abs(chatId * 7919 + 1)),
    data,
  };
  state.chats.callbacks.set(query.id, { query });
  state.chats.version += 1;
  return state.updates.push({ callback_query: query });
}
