// sendMessage, sendPhoto, sendVoice and editMessageReplyMarkup. The order of checks is Telegram's
// in effect: the chat (and the error a test switched on for it), then the content (lengths,
// entities, markup, the file), then the flood limits, so only a send that would really be delivered
// takes a slot. Check and take happen with no await between them, so concurrent sends never
// overshoot a limit.
import { MAX_CAPTION, MAX_TEXT, characters, validateEntities } from './entities.js';
import { errors } from './errors.js';
import { parseHtml } from './html.js';
import { parseMarkdown } from './markdown.js';
import type { StoredFile } from './media.js';
import type { Params } from './params.js';
import type { TelegramState } from './state.js';
import type { ChatState } from './store.js';
import type { MessageEntity, ReplyMarkup, SentRecord, TgMessage } from './types.js';

export type SendMethod = SentRecord['method'];

/** The chat a call names, after the errors a test switched on for it. */
export function targetChat(state: TelegramState, params: Params): ChatState {
  const raw = params.string('chat_id');
  let chat = state.chats.find(raw);
  if (!chat && state.autoCreateChats && /^[1-9]\d*$/.test(raw ?? '')) chat = state.chats.privateChat(Number(raw));
  if (!chat) throw errors.chatNotFound();
  state.chats.refuse(chat);
  return chat;
}

interface Formatted {
  text: string;
  entities?: MessageEntity[];
}

function formatted(params: Params, field: string, entitiesField: string): Formatted | undefined {
  const raw = params.string(field);
  if (raw === undefined) return undefined;
  const given = params.json(entitiesField, (why) => errors.parseEntities(why));
  let result: Formatted;
  if (given !== undefined) {
    result = { text: raw, entities: validateEntities(given, raw) }; // entities win over parse_mode
  } else {
    const mode = params.string('parse_mode')?.toLowerCase();
    if (!mode) result = { text: raw };
    else if (mode === 'html') result = parseHtml(raw);
    else if (mode === 'markdownv2') result = parseMarkdown(raw, false);
    else if (mode === 'markdown') result = parseMarkdown(raw, true);
    else throw errors.unsupportedParseMode();
  }
  if (result.entities?.length === 0) delete result.entities;
  return result;
}

/** reply_markup; inline keyboards are checked button by button, other keyboards are kept as given. */
export function replyMarkup(params: Params): ReplyMarkup | undefined {
  const markup = params.json('reply_markup', errors.invalidReplyMarkup);
  if (markup === undefined) return undefined;
  if (typeof markup !== 'object' || markup === null || Array.isArray(markup)) throw errors.invalidReplyMarkup('');
  const keyboard = (markup as ReplyMarkup).inline_keyboard;
  if (keyboard === undefined) return structuredClone(markup as ReplyMarkup);
  if (!Array.isArray(keyboard) || keyboard.some((row) => !Array.isArray(row))) {
    throw errors.invalidReplyMarkup('field "inline_keyboard" must be an Array of Arrays');
  }
  for (const button of keyboard.flat() as unknown[]) {
    const { text, callback_data: data, url } = (button ?? {}) as Record<string, unknown>;
    if (typeof text !== 'string' || text === '') throw errors.inlineButton('Field "text" must be of type String');
    if (data === undefined && url === undefined && Object.keys(button as object).length === 1) {
      throw errors.inlineButton('Text buttons are unallowed in the inline keyboard');
    }
    if (data !== undefined && (typeof data !== 'string' || data === '' || Buffer.byteLength(data) > 64)) {
      throw errors.buttonDataInvalid();
    }
  }
  return { inline_keyboard: structuredClone(keyboard) };
}

export async function send(state: TelegramState, params: Params, method: SendMethod): Promise<TgMessage> {
  const chat = targetChat(state, params);
  const body: Partial<TgMessage> = {};
  let shown: Formatted | undefined;
  let file: StoredFile | undefined;
  if (method === 'sendMessage') {
    shown = formatted(params, 'text', 'entities');
    if (!shown || shown.text.trim() === '') throw errors.textEmpty();
    if (characters(shown.text) > MAX_TEXT) throw errors.textTooLong();
    Object.assign(body, shown.entities ? { text: shown.text, entities: shown.entities } : { text: shown.text });
  } else {
    shown = formatted(params, 'caption', 'caption_entities');
    if (shown && characters(shown.text) > MAX_CAPTION) throw errors.captionTooLong();
    if (shown?.text) body.caption = shown.text;
    if (shown?.text && shown.entities) body.caption_entities = shown.entities;
  }
  const markup = replyMarkup(params);
  if (method !== 'sendMessage') {
    const kind = method === 'sendPhoto' ? 'photo' : 'voice';
    file = await state.media.resolve(params, kind, state.urlFetchTimeoutMs);
    state.chats.refuse(chat); // the chat may have changed while a URL was fetched
    if (kind === 'photo') body.photo = structuredClone(file.sizes!);
    else body.voice = voiceOf(file);
  }
  const wait = state.limiter.check(chat.chat.id, chat.chat.type, params.bool('allow_paid_broadcast'));
  if (wait > 0) throw errors.tooManyRequests(wait);
  state.limiter.take(chat.chat.id, chat.chat.type);

  const now = Date.now();
  const message: TgMessage = {
    message_id: chat.nextMessageId++,
    from: { id: state.bot.id, is_bot: true, first_name: state.bot.first_name, username: state.bot.username },
    chat: { ...chat.chat },
    date: Math.floor(now / 1000),
    ...body,
    ...(markup?.inline_keyboard ? { reply_markup: markup } : {}),
  };
  const record: SentRecord = {
    message_id: message.message_id,
    chat_id: chat.chat.id,
    method,
    ...(method === 'sendMessage' ? { text: message.text } : shown?.text ? { caption: shown.text } : {}),
    ...(shown?.entities ? { entities: shown.entities } : {}),
    ...(params.string('parse_mode') ? { parse_mode: params.string('parse_mode') } : {}),
    ...(message.photo ? { photo_file_id: message.photo.at(-1)!.file_id } : {}),
    ...(message.voice ? { voice_file_id: message.voice.file_id } : {}),
    ...(markup ? { reply_markup: markup } : {}),
    date: message.date,
    ts_ms: now,
  };
  state.chats.add(chat, { from: 'bot', message, record });
  return structuredClone(message);
}

function voiceOf(file: StoredFile) {
  const { file_id, file_unique_id, duration = 0, mime: mime_type, size: file_size } = file;
  return { file_id, file_unique_id, duration, mime_type, file_size };
}

/** editMessageReplyMarkup by chat_id + message_id (inline_message_id is not emulated). */
export function editReplyMarkup(state: TelegramState, params: Params): TgMessage {
  const chat = targetChat(state, params);
  const entry = state.chats.message(chat, params.int('message_id') ?? 0);
  if (!entry || entry.from !== 'bot') throw errors.messageToEditNotFound();
  const markup = replyMarkup(params);
  const next = markup?.inline_keyboard && markup.inline_keyboard.length > 0 ? markup : undefined;
  if (JSON.stringify(next) === JSON.stringify(entry.message.reply_markup)) throw errors.notModified();
  const now = Date.now();
  if (next) entry.message.reply_markup = next;
  else delete entry.message.reply_markup;
  entry.message.edit_date = Math.floor(now / 1000);
  if (entry.record) {
    if (next) entry.record.reply_markup = next;
    else delete entry.record.reply_markup;
    entry.record.edited_ts_ms = now;
  }
  state.chats.version += 1;
  return structuredClone(entry.message);
}
