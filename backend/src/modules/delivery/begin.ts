// The first write of a send: take the delivery (QUEUED, or SENDING again after a retry) with a
// fresh lease (lifecycle's takeForSending), and read everything the send needs (the post, its brand's name, the user's chat)
// in the same statement. One round trip where a read, an update and three more reads were, and
// one for every send of a process that starts meanwhile: at hundreds of messages a second the
// round trips and commits were most of the senders' and Postgres's work (bench:delivery).
import type { Db } from '../../lib/db.js';
import { retryingConflicts } from '../../lib/db-conflicts.js';
import { takeForSending } from '../lifecycle/lifecycle.service.js';
import type { Outage, Progress } from '../lifecycle/lifecycle.service.js';

export interface SendingDelivery {
  id: string;
  userId: string;
  /** Parts Telegram has accepted, kept up to date in memory as the send goes on. */
  progress: Progress;
  /**
   * The streak of tries Telegram did not answer (outage.ts), as the row had it; cleared in
   * memory when a part is accepted (progress then goes without it, which ends it on the row too).
   */
  outage?: Outage;
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

/**
 * Takes each of `deliveryIds` and reads what its send needs, in one statement; undefined for a
 * delivery that is gone or no longer QUEUED/SENDING (sent, failed, cancelled). Answers in the
 * order asked. The senders of a process share these statements through `batched`.
 */
export async function beginSends(db: Db, deliveryIds: string[]): Promise<Array<SendingDelivery | undefined>> {
  const rows = await retryingConflicts(
    () => db.$queryRaw<Row[]>`
    WITH d AS (${takeForSending(deliveryIds)})
    SELECT d."id", d."userId", d."progress", p."id" AS "postId", p."platform"::text AS "platform",
      p."content", p."imageUrl", p."audioUrl", b."name" AS "brandName",
      c."id" AS "chatRowId", c."chatId", c."status"::text AS "chatStatus"
    FROM d
    JOIN "Post" p ON p."id" = d."postId"
    LEFT JOIN "Brand" b ON b."id" = p."brandId"
    LEFT JOIN "TelegramChat" c ON c."userId" = d."userId"`,
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  return deliveryIds.map((id) => {
    const row = byId.get(id);
    return row && sendingDelivery(row);
  });
}

function sendingDelivery(row: Row): SendingDelivery {
  return {
    id: row.id,
    userId: row.userId,
    progress: { done: { ...(row.progress?.done ?? {}) } },
    ...(row.progress?.outage ? { outage: { ...row.progress.outage } } : {}),
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
