// A short notice to a user's linked chat (e.g. a failed payment). Best effort: no chat, an
// unreachable chat or a Telegram error just means the app is where the user sees it.
import type { Api } from 'grammy';
import type { Db } from '../../lib/db.js';

export async function notifyInTelegram(db: Db, api: Api, userId: string, text: string): Promise<void> {
  const chat = await db.telegramChat.findUnique({ where: { userId } });
  if (!chat || chat.status !== 'LINKED') return;
  await api.sendMessage(Number(chat.chatId), text);
}
