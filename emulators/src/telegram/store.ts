// Chats and what happened in them. A chat exists once a person (a test, or someone at the web
// inbox) has written from it, as on Telegram where a bot cannot open a conversation; sending to any
// other id is 400 "chat not found". Each chat keeps its own message_id counter, both directions in
// one history (the inbox shows it), and the error a test switched on for it.
import { errors, type ChatErrorKind } from './errors.js';
import type { SentRecord, TgCallbackQuery, TgChat, TgMessage, TgUser } from './types.js';

export interface HistoryEntry {
  from: 'user' | 'bot';
  message: TgMessage;
  /** Bot messages only: the record the control API lists (shared, so edits show in both). */
  record?: SentRecord;
}

export interface ChatState {
  chat: TgChat;
  /** The person of a private chat. */
  user?: TgUser;
  error: ChatErrorKind;
  migrateTo?: number;
  /** Until this time (ms) every send to the chat is a 429. */
  floodUntil?: number;
  nextMessageId: number;
  history: HistoryEntry[];
}

export interface CallbackState {
  query: TgCallbackQuery;
  answer?: { text?: string; show_alert?: boolean; url?: string; ts_ms: number };
}

const MAX_HISTORY = 1000; // per chat: the local stack may run for days

/** A chat as `ChatStore.snapshot()` writes it: a bot message names its record by its place in `sent`. */
export interface ChatSnapshot extends Omit<ChatState, 'history'> {
  history: Array<{ from: HistoryEntry['from']; message: TgMessage; sent?: number; record?: SentRecord }>;
}

export interface ChatStoreSnapshot {
  chats: ChatSnapshot[];
  sent: SentRecord[];
  callbacks: [string, CallbackState][];
  version: number;
}

export class ChatStore {
  readonly chats = new Map<number, ChatState>();
  /** Every accepted bot message, oldest first (GET /__control/messages). */
  readonly sent: SentRecord[] = [];
  readonly callbacks = new Map<string, CallbackState>();
  /** Bumped on every change; the inbox page polls it to know when to reload. */
  version = 0;

  get(chatId: number): ChatState | undefined {
    return this.chats.get(chatId);
  }

  /** A chat_id parameter: an integer, or "@username" of a chat that has one. */
  find(raw: string | undefined): ChatState | undefined {
    if (raw === undefined || raw === '') throw errors.chatIdEmpty();
    if (raw.startsWith('@')) {
      const name = raw.slice(1).toLowerCase();
      return [...this.chats.values()].find((c) => c.chat.username?.toLowerCase() === name);
    }
    const id = Number(raw);
    return Number.isSafeInteger(id) ? this.chats.get(id) : undefined;
  }

  /** The private chat of a person, created on first sight; a new username or name replaces the old. */
  privateChat(chatId: number, person: { username?: string; first_name?: string } = {}): ChatState {
    if (!Number.isSafeInteger(chatId) || chatId <= 0) throw new Error('a private chat id is a positive integer');
    const state = this.chats.get(chatId) ?? this.create({ id: chatId, type: 'private', first_name: `User ${chatId}` });
    const user = (state.user ??= { id: chatId, is_bot: false, first_name: `User ${chatId}`, language_code: 'en' });
    if (person.first_name) user.first_name = state.chat.first_name = person.first_name;
    if (person.username !== undefined) {
      const username = person.username.replace(/^@/, '');
      if (username) {
        user.username = state.chat.username = username;
      } else {
        delete user.username;
        delete state.chat.username;
      }
    }
    return state;
  }

  /** A group (negative id; -100… is a supergroup, as on Telegram), created on first sight. */
  groupChat(chatId: number, title?: string): ChatState {
    if (!Number.isSafeInteger(chatId) || chatId >= 0) throw new Error('a group chat id is a negative integer');
    const type = String(chatId).startsWith('-100') ? 'supergroup' : 'group';
    const state = this.chats.get(chatId) ?? this.create({ id: chatId, type, title: title ?? `Group ${-chatId}` });
    if (title) state.chat.title = title;
    return state;
  }

  private create(chat: TgChat): ChatState {
    const state: ChatState = { chat, error: 'none', nextMessageId: 1, history: [] };
    this.chats.set(chat.id, state);
    this.version += 1;
    return state;
  }

  add(state: ChatState, entry: HistoryEntry): void {
    state.history.push(entry);
    if (state.history.length > MAX_HISTORY) state.history.splice(0, state.history.length - MAX_HISTORY);
    if (entry.record) {
      this.sent.push(entry.record);
      if (this.sent.length > MAX_HISTORY * 10) this.sent.splice(0, this.sent.length - MAX_HISTORY * 10);
    }
    this.version += 1;
  }

  message(state: ChatState, messageId: number): HistoryEntry | undefined {
    return state.history.find((e) => e.message.message_id === messageId);
  }

  /** Throws the error a test switched on for this chat (blocked, flood, ...), if any. */
  refuse(state: ChatState, now = Date.now()): void {
    if (state.error === 'blocked') throw errors.blocked();
    if (state.error === 'deactivated') throw errors.deactivated();
    if (state.error === 'not_found') throw errors.chatNotFound();
    if (state.error === 'migrated') throw errors.migrated(state.migrateTo!);
    if (state.floodUntil !== undefined && state.floodUntil > now) {
      throw errors.tooManyRequests(Math.max(1, Math.ceil((state.floodUntil - now) / 1000)));
    }
  }

  setError(chatId: number, kind: ChatErrorKind, migrateTo?: number): ChatState {
    const state = chatId > 0 ? this.privateChat(chatId) : this.groupChat(chatId);
    if (kind === 'migrated' && state.chat.type !== 'group') {
      throw new Error('only a basic group (negative id, not -100…) can migrate');
    }
    state.error = kind;
    delete state.migrateTo;
    if (kind === 'migrated') {
      state.migrateTo = migrateTo ?? Number(`-100${-chatId}`);
      // The supergroup exists from now on, so "move to the new id and retry" succeeds.
      this.groupChat(state.migrateTo, state.chat.title);
    }
    this.version += 1;
    return state;
  }

  flood(chatId: number, seconds: number, now = Date.now()): ChatState {
    const state = chatId > 0 ? this.privateChat(chatId) : this.groupChat(chatId);
    state.floodUntil = now + seconds * 1000;
    return state;
  }

  /** Everything, as JSON-able data; a record shared by `sent` and a chat's history stays shared. */
  snapshot(): ChatStoreSnapshot {
    const place = new Map(this.sent.map((record, i) => [record, i]));
    const chats = [...this.chats.values()].map((state): ChatSnapshot => ({
      ...state,
      history: state.history.map(({ from, message, record }) => {
        const at = record && place.get(record);
        if (at !== undefined) return { from, message, sent: at };
        return record ? { from, message, record } : { from, message };
      }),
    }));
    return { chats, sent: this.sent, callbacks: [...this.callbacks], version: this.version };
  }

  /** Replaces everything with a snapshot's chats, records and button presses. */
  restore(saved: ChatStoreSnapshot): void {
    this.reset();
    this.sent.push(...(saved.sent ?? []));
    for (const chat of saved.chats ?? []) {
      const history = chat.history.map(({ from, message, sent, record }): HistoryEntry => {
        const shared = sent === undefined ? record : this.sent[sent];
        return shared ? { from, message, record: shared } : { from, message };
      });
      this.chats.set(chat.chat.id, { ...chat, history });
    }
    for (const [id, callback] of saved.callbacks ?? []) this.callbacks.set(id, callback);
    this.version = Math.max(this.version, saved.version ?? 0) + 1;
  }

  reset(): void {
    this.chats.clear();
    this.sent.length = 0;
    this.callbacks.clear();
    this.version += 1;
  }
}
