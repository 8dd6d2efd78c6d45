// The Telegram link as the API shows it (`/me`, `GET /telegram`). No row means UNLINKED. The chat
// id never leaves the backend. An account whose chat was moved to another account from the bot
// (chat-move.ts) has no chat left to be told in: its status carries `movedAt` instead, until it
// links a chat again.
import { z } from 'zod';
import type { Db } from '../../lib/db.js';

export const telegramLinkSchema = z.object({
  status: z.enum(['LINKED', 'UNREACHABLE', 'UNLINKED']),
  linked: z.boolean(),
  username: z.string().nullable(),
  linkedAt: z.iso.datetime().nullable(),
  movedAt: z.iso
    .datetime()
    .optional()
    .describe(
      'Only when UNLINKED because the person in the chat moved it to another Postaify account (they confirmed it in the bot): when that happened.',
    ),
});

export type TelegramLinkDto = z.input<typeof telegramLinkSchema>;

export async function readTelegramLink(db: Db, userId: string): Promise<TelegramLinkDto> {
  const chat = await db.telegramChat.findUnique({
    where: { userId },
    select: { status: true, username: true, linkedAt: true },
  });
  if (!chat) {
    const user = await db.user.findUnique({ where: { id: userId }, select: { telegramMovedAt: true } });
    const moved = user?.telegramMovedAt ? { movedAt: user.telegramMovedAt.toISOString() } : {};
    return { status: 'UNLINKED', linked: false, username: null, linkedAt: null, ...moved };
  }
  return {
    status: chat.status,
    linked: chat.status === 'LINKED',
    username: chat.username,
    linkedAt: chat.linkedAt.toISOString(),
  };
}

/** The chat a post can be delivered to, or undefined when there is none that works. */
export async function deliverableChat(db: Db, userId: string): Promise<{ chatId: bigint } | undefined> {
  const chat = await db.telegramChat.findUnique({ where: { userId }, select: { chatId: true, status: true } });
  return chat?.status === 'LINKED' ? { chatId: chat.chatId } : undefined;
}

/**
 * Whether an account has linked `chatId` (LINKED or UNREACHABLE: its row is there). The bot's
 * reply budget gives a chat no account has linked one reply a minute.
 */
export const chatHasAccount = (db: Db) => async (chatId: bigint) =>
  (await db.telegramChat.count({ where: { chatId } })) > 0;
