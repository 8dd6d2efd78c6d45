// Writing down how a delivery ended. A chat that refuses delivery (blocked, deactivated, gone) is
// marked UNREACHABLE and every pending post of its user fails with a readable reason, which /me
// and the posts show until the user links again.
import type { Db } from '../../lib/db.js';
import { retryingConflicts } from '../../lib/db-conflicts.js';
import { LEASE_MS } from './claim.js';
import type { Progress } from './send.js';

export interface AcceptedPart {
  deliveryId: string;
  part: string;
  method: string;
  startedAt: Date;
  messageId: number;
  /** The delivery's progress with this part done. */
  progress: Progress;
  /** The last part: the delivery is SENT and its post DELIVERED in the same statement. */
  last: boolean;
}

/**
 * Parts Telegram accepted, in one statement: each one's attempt row, its delivery's progress (so a
 * retry resumes after it) with a renewed lease, and for a last part the delivery SENT and the post
 * DELIVERED. One round trip where two transactions (eight round trips) were, shared by the parts
 * that the senders of a process record meanwhile (`batched`).
 */
export async function recordParts(db: Db, parts: AcceptedPart[]): Promise<void[]> {
  // A delivery's parts are recorded one after the other, so it appears once in a batch; if it
  // ever appears twice (two senders of one delivery, after a stalled job was taken over), its
  // records go in separate statements, in the order they came, rather than one UPDATE picking
  // either row.
  for (const group of withUniqueDeliveries(parts)) await retryingConflicts(() => recordStatement(db, group));
  return parts.map(() => undefined);
}

function withUniqueDeliveries(parts: AcceptedPart[]): AcceptedPart[][] {
  const groups: Array<{ parts: AcceptedPart[]; ids: Set<string> }> = [];
  for (const part of parts) {
    let group = groups.find((g) => !g.ids.has(part.deliveryId));
    if (!group) groups.push((group = { parts: [], ids: new Set() }));
    group.parts.push(part);
    group.ids.add(part.deliveryId);
  }
  return groups.map((g) => g.parts);
}

function recordStatement(db: Db, parts: AcceptedPart[]) {
  // Each part renews the lease: a send of many parts that wait for permits is never taken for a
  // dead one and claimed again while it is still going.
  return db.$executeRaw`
    WITH a AS (
      SELECT * FROM unnest(${parts.map((a) => a.deliveryId)}::uuid[], ${parts.map((a) => a.part)}::text[],
        ${parts.map((a) => a.method)}::text[], ${parts.map((a) => a.startedAt.toISOString())}::timestamptz[],
        ${parts.map((a) => String(a.messageId))}::bigint[], ${parts.map((a) => JSON.stringify(a.progress))}::jsonb[],
        ${parts.map((a) => a.last)}::boolean[])
        AS a("deliveryId", "part", "method", "startedAt", "messageId", "progress", "last")
    ),
    d AS (
      UPDATE "Delivery" d SET "progress" = a."progress", "updatedAt" = now(),
        "leaseUntil" = CASE WHEN a."last" THEN NULL ELSE now() + ${`${LEASE_MS} milliseconds`}::interval END,
        "status" = CASE WHEN a."last" THEN 'SENT'::"DeliveryStatus" ELSE d."status" END,
        "sentAt" = CASE WHEN a."last" THEN now() ELSE d."sentAt" END,
        "lastError" = CASE WHEN a."last" THEN NULL ELSE d."lastError" END
      FROM a WHERE d."id" = a."deliveryId"
      RETURNING d."id", d."postId", a."last"
    ),
    -- Attempts only for the deliveries updated (and so locked) above: one deleted meanwhile (its
    -- post was deleted) is skipped instead of failing the whole statement on the foreign key,
    -- which would make every other sender of the batch resend its part.
    attempt AS (
      INSERT INTO "DeliveryAttempt" ("deliveryId", "part", "method", "startedAt", "finishedAt", "ok", "messageId")
      SELECT a."deliveryId", a."part", a."method", a."startedAt", now(), true, a."messageId"
      FROM a JOIN d ON d."id" = a."deliveryId"
    )
    UPDATE "Post" p SET "status" = 'DELIVERED', "deliveredAt" = now(), "lastError" = NULL, "updatedAt" = now()
    FROM d WHERE d."last" AND p."id" = d."postId" AND p."status" = 'DELIVERING'`;
}

export async function markSent(db: Db, deliveryId: string, postId: string) {
  const now = new Date();
  await db.$transaction([
    db.delivery.update({
      where: { id: deliveryId },
      data: { status: 'SENT', sentAt: now, leaseUntil: null, lastError: null },
    }),
    db.post.updateMany({
      where: { id: postId, status: 'DELIVERING' },
      data: { status: 'DELIVERED', deliveredAt: now, lastError: null },
    }),
  ]);
}

export async function markFailed(db: Db, deliveryId: string, postId: string, reason: string) {
  await db.$transaction([
    db.delivery.update({ where: { id: deliveryId }, data: { status: 'FAILED', leaseUntil: null, lastError: reason } }),
    db.post.updateMany({
      where: { id: postId, status: { in: ['DELIVERING', 'SCHEDULED'] } },
      data: { status: 'FAILED', lastError: reason },
    }),
  ]);
}

export async function markUnreachable(db: Db, userId: string, description: string) {
  const reason = `Telegram refused delivery (${description}). Link Telegram again, then reschedule.`;
  await db.$transaction([
    db.telegramChat.updateMany({
      where: { userId },
      data: { status: 'UNREACHABLE', unreachableAt: new Date(), lastError: description },
    }),
    db.delivery.updateMany({
      where: { userId, status: { in: ['SCHEDULED', 'QUEUED', 'SENDING'] } },
      data: { status: 'FAILED', leaseUntil: null, lastError: reason },
    }),
    db.post.updateMany({
      where: { userId, status: { in: ['SCHEDULED', 'DELIVERING'] } },
      data: { status: 'FAILED', lastError: reason },
    }),
  ]);
}
