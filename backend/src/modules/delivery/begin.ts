// The first write of a send: take the delivery (QUEUED, or SENDING again after a retry) with a
// fresh lease, and read everything the send needs (the post, its brand's name, the user's chat)
// in the same statement. One round trip where a read, an update and three more reads were: at
// hundreds of messages a second the round trips were most of a sender's cost (bench:delivery).
import type { Db } from '../../lib/db.js';
import { LEASE_MS } from './claim.js';
import type { Progress } from './send.js';

export interface SendingDelivery {
  id: string;
  userId: string;
  /** Parts Telegram has accepted, kept up to date in memory as the send goes on. */
  progress: Progress;
  post: {
    id: string;
    platform: string;
    content: string;
    imageUrl: string | null;
    audioUrl: string | null;
    brandName: string | null;
  };
  /** The user's linked chat, if any. */
  chat: { id: string; chatId: bigint; status: string } | null;
}

interface Row {
  id: string;
  userId: string;
  progress: Progress | null;
  postId: string;
  platform: string;
  content: string;
  imageUrl: string | null;
  audioUrl: string | null;
  brandName: string | null;
  chatRowId: string | null;
  chatId: bigint | null;
  chatStatus: string | null;
}

/** Undefined when the delivery is gone or no longer QUEUED/SENDING (sent, failed, cancelled). */
export async function beginSend(db: Db, deliveryId: string): Promise<SendingDelivery | undefined> {
  const [row] = await db.$queryRaw<Row[]>`
    WITH d AS (
      UPDATE "Delivery" SET "status" = 'SENDING', "attempts" = "attempts" + 1,
        "leaseUntil" = now() + ${`${LEASE_MS} milliseconds`}::interval, "updatedAt" = now()
      WHERE "id" = ${deliveryId}::uuid AND "status" IN ('QUEUED', 'SENDING')
      RETURNING "id", "userId", "postId", "progress"
    )
    SELECT d."id", d."userId", d."progress", p."id" AS "postId", p."platform"::text AS "platform",
      p."content", p."imageUrl", p."audioUrl", b."name" AS "brandName",
      c."id" AS "chatRowId", c."chatId", c."status"::text AS "chatStatus"
    FROM d
    JOIN "Post" p ON p."id" = d."postId"
    LEFT JOIN "Brand" b ON b."id" = p."brandId"
    LEFT JOIN "TelegramChat" c ON c."userId" = d."userId"`;
  if (!row) return undefined;
  return {
    id: row.id,
    userId: row.userId,
    progress: { done: { ...(row.progress?.done ?? {}) } },
    post: {
      id: row.postId,
      platform: row.platform,
      content: row.content,
      imageUrl: row.imageUrl,
      audioUrl: row.audioUrl,
      brandName: row.brandName,
    },
    chat:
      row.chatRowId && row.chatId !== null && row.chatStatus
        ? { id: row.chatRowId, chatId: row.chatId, status: row.chatStatus }
        : null,
  };
}
