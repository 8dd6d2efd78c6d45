// Linking a Telegram chat: a random single-use code (only its SHA-256 is stored) valid for 15
// minutes, carried by a t.me deep link to `/start <code>` in the bot's private chat. Using a code
// is one conditional UPDATE, so it links at most one chat even if sent twice. With the local
// Telegram emulator (no TELEGRAM_BOT_TOKEN) nobody can open t.me, so a code also comes with the
// emulator's inbox page that plays the person tapping the deep link.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../lib/db.js';

export const LINK_CODE_TTL_MS = 15 * 60 * 1000;

const hashCode = (code: string) => createHash('sha256').update(code).digest('hex');

export interface ChatProfile {
  chatId: bigint;
  username?: string;
  firstName?: string;
}

export type ConsumeResult = { ok: true; userId: string } | { ok: false; reason: 'unknown' | 'expired' | 'used' };

export interface LinkServiceDeps {
  db: Db;
  botUsername: () => Promise<string>;
  /** The local Telegram emulator's root (its Bot API root is also its inbox), in local mode only. */
  localEmulatorUrl?: string;
}

/**
 * The emulator inbox's stand-in for tapping the deep link: GET /start?start=<code>&chat=<id>
 * sends `/start <code>` from private chat `id` (here always chat 1, one local person) and shows
 * that chat.
 */
export const localTapUrl = (emulatorUrl: string, code: string) =>
  `${emulatorUrl}/start?${new URLSearchParams({ start: code, chat: '1' }).toString()}`;

export function createLinkService({ db, botUsername, localEmulatorUrl }: LinkServiceDeps) {
  return {
    async createCode(userId: string, now = new Date()) {
      // 24 random bytes: 32 characters of [A-Za-z0-9_-], inside Telegram's 64-character payload.
      const code = randomBytes(24).toString('base64url');
      const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
      await db.telegramLinkCode.create({ data: { codeHash: hashCode(code), userId, expiresAt } });
      return {
        code,
        deepLink: `https://t.me/${await botUsername()}?start=${code}`,
        expiresAt: expiresAt.toISOString(),
        localTapUrl: localEmulatorUrl ? localTapUrl(localEmulatorUrl, code) : null,
      };
    },

    /** Links the chat to the code's user; a chat linked to someone else moves to this user. */
    async consume(code: string, chat: ChatProfile, now = new Date()): Promise<ConsumeResult> {
      return db.$transaction(async (tx) => {
        const hash = hashCode(code);
        const { count } = await tx.telegramLinkCode.updateMany({
          where: { codeHash: hash, usedAt: null, expiresAt: { gt: now } },
          data: { usedAt: now },
        });
        if (count === 0) {
          const row = await tx.telegramLinkCode.findUnique({ where: { codeHash: hash } });
          return { ok: false, reason: !row ? 'unknown' : row.usedAt ? 'used' : 'expired' } as const;
        }
        const { userId } = await tx.telegramLinkCode.findUniqueOrThrow({ where: { codeHash: hash } });
        await tx.telegramChat.deleteMany({ where: { chatId: chat.chatId, userId: { not: userId } } });
        const profile = { chatId: chat.chatId, username: chat.username ?? null, firstName: chat.firstName ?? null };
        await tx.telegramChat.upsert({
          where: { userId },
          create: { userId, ...profile },
          update: { ...profile, status: 'LINKED', linkedAt: now, unreachableAt: null, lastError: null },
        });
        return { ok: true, userId } as const;
      });
    },

    /**
     * Unlinks. Pending deliveries are cancelled and their posts marked FAILED with a readable
     * reason, so the user sees them and can reschedule after linking again.
     */
    async unlink(userId: string) {
      return db.$transaction(async (tx) => {
        const chat = await tx.telegramChat.findUnique({ where: { userId } });
        if (!chat) return false;
        await tx.delivery.updateMany({
          where: { userId, chatId: chat.chatId, status: { in: ['SCHEDULED', 'QUEUED'] } },
          data: { status: 'CANCELLED' },
        });
        await tx.post.updateMany({
          where: { userId, status: 'SCHEDULED' },
          data: { status: 'FAILED', lastError: 'Telegram was unlinked before delivery: link again, then reschedule.' },
        });
        await tx.telegramChat.delete({ where: { userId } });
        return true;
      });
    },

    async userOfChat(chatId: bigint) {
      return db.telegramChat.findUnique({
        where: { chatId },
        include: { user: { select: { id: true, timezone: true } } },
      });
    },
  };
}

export type LinkService = ReturnType<typeof createLinkService>;
