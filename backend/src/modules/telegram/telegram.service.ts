// Linking a Telegram chat: a random single-use code (only its SHA-256 is stored) valid for 15
// minutes, carried by a t.me deep link to `/start <code>` in the bot's private chat. Using a code
// is one conditional UPDATE, so it links at most one chat even if sent twice. With the local
// Telegram emulator (no TELEGRAM_BOT_TOKEN) nobody can open t.me, so a code also comes with the
// emulator's inbox page that plays the person tapping the deep link.
// A code opened in a chat that is linked to another account does not move the chat by itself:
// the bot asks first (chat-move.ts) and the code stays unused until the person confirms. On
// confirmation the old account loses the chat as if it had unlinked, and its link status shows
// that the chat moved (User.telegramMovedAt) until it links a chat again.
import { createHash, randomBytes } from 'node:crypto';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db.js';
import { detachPending } from '../lifecycle/lifecycle.service.js';

// What other features read of Telegram (the rest of this folder is the bot's own): whether and
// where a user's posts can be delivered, and the queue of notices to their chat.
export { deliverableChat, readTelegramLink, telegramLinkSchema, type TelegramLinkDto } from './link-status.js';
export type { NoticeQueue } from './notices.js';

type Tx = Prisma.TransactionClient;

export const LINK_CODE_TTL_MS = 15 * 60 * 1000;

const hashCode = (code: string) => createHash('sha256').update(code).digest('hex');

export interface ChatProfile {
  chatId: bigint;
  username?: string;
  firstName?: string;
}

export type ConsumeResult =
  | { ok: true; userId: string; email: string | null; moved: boolean }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' }
  /** The chat is linked to another account: nothing changed, ask the person (`email`: the code's account). */
  | { ok: false; reason: 'confirm'; email: string | null };

/**
 * What the old account's pending deliveries become when it loses its chat: cancelled, and their
 * posts FAILED with `reason`, so the user sees them and can reschedule after linking again.
 */
async function detach(tx: Tx, userId: string, chatId: bigint, reason: string) {
  await detachPending(tx, userId, chatId, reason);
  await tx.telegramChat.delete({ where: { userId } });
}

const MOVED_REASON =
  'Your Telegram chat was moved to another Postaify account before delivery: link a chat again, then reschedule.';

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
      // The bot's name first: when Telegram cannot say it, no code is written that nobody could open.
      const bot = await botUsername();
      const code = randomBytes(24).toString('base64url');
      const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
      await db.telegramLinkCode.create({ data: { codeHash: hashCode(code), userId, expiresAt } });
      return {
        code,
        deepLink: `https://t.me/${bot}?start=${code}`,
        expiresAt: expiresAt.toISOString(),
        localTapUrl: localEmulatorUrl ? localTapUrl(localEmulatorUrl, code) : null,
      };
    },

    /**
     * Links the chat to the code's user. A chat linked to another user is moved only with
     * `move` (the person confirmed); without it the answer is `confirm` and nothing changes.
     */
    async consume(code: string, chat: ChatProfile, { move = false } = {}, now = new Date()): Promise<ConsumeResult> {
      return db.$transaction(async (tx) => {
        const hash = hashCode(code);
        const row = await tx.telegramLinkCode.findUnique({
          where: { codeHash: hash },
          include: { user: { select: { email: true } } },
        });
        if (!row) return { ok: false, reason: 'unknown' } as const;
        const { userId } = row;
        const email = row.user.email;
        const current = await tx.telegramChat.findUnique({ where: { chatId: chat.chatId } });
        const other = current && current.userId !== userId ? current : undefined;
        if (other && !move && !row.usedAt && row.expiresAt > now)
          return { ok: false, reason: 'confirm', email } as const;
        // Using the code is the conditional step: a code sent twice links once.
        const { count } = await tx.telegramLinkCode.updateMany({
          where: { codeHash: hash, usedAt: null, expiresAt: { gt: now } },
          data: { usedAt: now },
        });
        if (count === 0) return { ok: false, reason: row.usedAt ? 'used' : 'expired' } as const;
        if (other) {
          await detach(tx, other.userId, other.chatId, MOVED_REASON);
          await tx.user.update({ where: { id: other.userId }, data: { telegramMovedAt: now } });
        }
        const profile = { chatId: chat.chatId, username: chat.username ?? null, firstName: chat.firstName ?? null };
        await tx.telegramChat.upsert({
          where: { userId },
          create: { userId, ...profile },
          update: { ...profile, status: 'LINKED', linkedAt: now, unreachableAt: null, lastError: null },
        });
        await tx.user.update({ where: { id: userId }, data: { telegramMovedAt: null } });
        return { ok: true, userId, email, moved: Boolean(other) } as const;
      });
    },

    /** The person said no to moving their chat: the code can no longer be used. */
    async decline(code: string, now = new Date()) {
      await db.telegramLinkCode.updateMany({
        where: { codeHash: hashCode(code), usedAt: null },
        data: { usedAt: now },
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
        await detach(tx, userId, chat.chatId, 'Telegram was unlinked before delivery: link again, then reschedule.');
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
