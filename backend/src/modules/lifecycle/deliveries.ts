// A delivery's transitions, as the worker drives them: claimed (QUEUED, the post DELIVERING),
// taken by a sender (SENDING), its parts recorded until the last one makes it SENT and the post
// DELIVERED, or FAILED; handed back or parked under its lease; and what losing the chat does.
import { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db.js';
import {
  CANCELLABLE_DELIVERY,
  CLAIMED_DELIVERY,
  DELIVERING_POST,
  LEASE_MS,
  PENDING_DELIVERY,
  PENDING_POST,
  sqlStatuses,
} from './statuses.js';

/** What a delivery has sent so far (Delivery.progress): parts accepted per message kind. */
export interface Progress {
  done: Record<string, number>;
  /**
   * Telegram has not answered since `since` (ISO), `failures` tries in a row (retryAfterOutage).
   * A sender's record of an accepted part writes `done` alone, which ends the streak.
   */
  outage?: Outage;
}

/** A streak of tries that Telegram did not answer (or answered 5xx). */
export interface Outage {
  since: string;
  failures: number;
}

type Tx = Prisma.TransactionClient;

const lease = `${LEASE_MS} milliseconds`;
const CLAIMED = sqlStatuses(CLAIMED_DELIVERY);

export interface DeliveryTarget {
  postId: string;
  userId: string;
  chatId: bigint;
  dueAt: Date;
}

/**
 * (Re)schedules a post's delivery to one chat. A delivery row is reused for the same (post, chat),
 * so whatever a previous run left on it (parts already sent, lease, attempts, errors) is cleared
 * here: a rescheduled, snoozed or retried-after-failure post is delivered whole, from the start.
 */
export function scheduleDelivery(tx: Tx, { postId, userId, chatId, dueAt }: DeliveryTarget) {
  return tx.delivery.upsert({
    where: { postId_chatId: { postId, chatId } },
    create: { postId, userId, chatId, dueAt },
    update: {
      status: 'SCHEDULED',
      dueAt,
      progress: Prisma.DbNull,
      attempts: 0,
      leaseUntil: null,
      leaseOwner: null,
      sentAt: null,
      lastError: null,
    },
  });
}

/** New deliveries (SCHEDULED) for posts written SCHEDULED; one that exists already is kept. */
export function createDeliveries(db: Db, targets: DeliveryTarget[]) {
  return db.delivery.createMany({ data: targets, skipDuplicates: true });
}

/** Cancels the post's deliveries not yet handed to a sender, to any chat but `chatId`. */
export function cancelOtherChats(tx: Tx, postId: string, chatId: bigint) {
  return tx.delivery.updateMany({
    where: { postId, chatId: { not: chatId }, status: { in: [...CANCELLABLE_DELIVERY] } },
    data: { status: 'CANCELLED' },
  });
}

/**
 * Claims up to `limit` due deliveries (SCHEDULED and due, or claimed with an expired lease), at
 * most `perUser` per user counting the ones already claimed with a live lease, in turns (see
 * claim.ts), and leases them to `owner` for LEASE_MS. `limit` also bounds what is in flight in
 * total (leaving out deliveries parked past their lease for a long retry_after). Answers the
 * claimed rows.
 */
export function claimDeliveries(db: Db, owner: string, limit: number, perUser: number) {
  return db.$queryRaw<Array<{ id: string; postId: string }>>`
    WITH due AS (
      SELECT "id", "userId", "dueAt",
        row_number() OVER (PARTITION BY "userId" ORDER BY "dueAt", "id") AS "turn"
      FROM "Delivery"
      WHERE ("status" = 'SCHEDULED' AND "dueAt" <= now())
         OR ("status" IN (${CLAIMED}) AND "leaseUntil" < now())
    ),
    held AS (
      SELECT "userId", count(*) AS "n",
        count(*) FILTER (WHERE "leaseUntil" <= now() + ${lease}::interval) AS "queued"
      FROM "Delivery"
      WHERE "status" IN (${CLAIMED}) AND "leaseUntil" >= now()
      GROUP BY "userId"
    ),
    fair AS (
      SELECT due."id" FROM due LEFT JOIN held ON held."userId" = due."userId"
      WHERE due."turn" + coalesce(held."n", 0) <= ${perUser}
      ORDER BY due."turn", due."dueAt", due."id"
      LIMIT greatest(0, ${limit} - (SELECT coalesce(sum("queued"), 0) FROM held))::int
    )
    UPDATE "Delivery" d
    SET "status" = 'QUEUED', "leaseUntil" = now() + ${lease}::interval, "leaseOwner" = ${owner}, "updatedAt" = now()
    WHERE d."id" IN (
      -- Taken again with the row lock: a row another claim took meanwhile is skipped, or no longer due.
      SELECT "id" FROM "Delivery"
      WHERE "id" IN (SELECT "id" FROM fair)
        AND (("status" = 'SCHEDULED' AND "dueAt" <= now())
          OR ("status" IN (${CLAIMED}) AND "leaseUntil" < now()))
      FOR UPDATE SKIP LOCKED
    )
    RETURNING d."id", d."postId"`;
}

/** The claimed deliveries' posts are being delivered: they can no longer be edited or deleted. */
export function markDelivering(db: Db, postIds: string[]) {
  return db.post.updateMany({ where: { id: { in: postIds }, status: 'SCHEDULED' }, data: { status: 'DELIVERING' } });
}

/**
 * A sender takes deliveries (QUEUED, or SENDING again after a retry) with a fresh lease, counting
 * an attempt: a statement to run as the CTE of a read (begin.ts), answering the rows taken
 * (`id`, `userId`, `postId`, `progress`). One no longer claimed (sent, failed, cancelled) is not.
 */
export const takeForSending = (deliveryIds: string[]) => Prisma.sql`
      UPDATE "Delivery" SET "status" = 'SENDING', "attempts" = "attempts" + 1,
        "leaseUntil" = now() + ${lease}::interval, "updatedAt" = now()
      WHERE "id" = ANY(${deliveryIds}::uuid[]) AND "status" IN (${CLAIMED})
      RETURNING "id", "userId", "postId", "progress"`;

/** What a sender writes down as it goes (outcomes.ts batches them). */
export interface SendRecord {
  deliveryId: string;
  /** A part Telegram accepted, for its attempt row; none when only the end is recorded. */
  accepted?: { part: string; method: string; startedAt: Date; messageId: number };
  /** The delivery's progress with this part done (a retry resumes after it). */
  progress?: Progress;
  /** The end: the delivery is SENT and its post DELIVERED in the same statement. */
  last: boolean;
}

/**
 * Records in one statement, each delivery appearing once: each accepted part's attempt row, its
 * delivery's progress with a renewed lease, and for the last record the delivery SENT and its
 * post DELIVERED. The one place a delivery is marked sent.
 */
export function recordSends(db: Db, records: SendRecord[]) {
  // Each part renews the lease: a send of many parts that wait for permits is never taken for a
  // dead one and claimed again while it is still going. A record without a part or a progress
  // carries placeholders in those columns, which its flags ("accepted", "progressed") skip.
  return db.$executeRaw`
    WITH a AS (
      SELECT * FROM unnest(${records.map((r) => r.deliveryId)}::uuid[],
        ${records.map((r) => r.accepted?.part ?? '')}::text[], ${records.map((r) => r.accepted?.method ?? '')}::text[],
        ${records.map((r) => (r.accepted?.startedAt ?? new Date(0)).toISOString())}::timestamptz[],
        ${records.map((r) => String(r.accepted?.messageId ?? 0))}::bigint[],
        ${records.map((r) => JSON.stringify(r.progress ?? {}))}::jsonb[], ${records.map((r) => r.progress !== undefined)}::boolean[],
        ${records.map((r) => r.accepted !== undefined)}::boolean[], ${records.map((r) => r.last)}::boolean[])
        AS a("deliveryId", "part", "method", "startedAt", "messageId", "progress", "progressed", "accepted", "last")
    ),
    d AS (
      UPDATE "Delivery" d SET "updatedAt" = now(),
        "progress" = CASE WHEN a."progressed" THEN a."progress" ELSE d."progress" END,
        "leaseUntil" = CASE WHEN a."last" THEN NULL ELSE now() + ${lease}::interval END,
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
      FROM a JOIN d ON d."id" = a."deliveryId" WHERE a."accepted"
    )
    UPDATE "Post" p SET "status" = 'DELIVERED', "deliveredAt" = now(), "lastError" = NULL, "updatedAt" = now()
    FROM d WHERE d."last" AND p."id" = d."postId" AND p."status" = 'DELIVERING'`;
}

/**
 * Every part was accepted before (a retry after a crash between the last part and its record):
 * the delivery is SENT and its post DELIVERED, by the same statement as a last part.
 */
export const markSent = (db: Db, deliveryId: string) => recordSends(db, [{ deliveryId, last: true }]);

/** The delivery FAILED with `reason`, and its post unless it is past delivery. */
export function failDelivery(db: Db, deliveryId: string, postId: string, reason: string) {
  return db.$transaction([
    db.delivery.update({ where: { id: deliveryId }, data: { status: 'FAILED', leaseUntil: null, lastError: reason } }),
    db.post.updateMany({
      where: { id: postId, status: { in: [...PENDING_POST] } },
      data: { status: 'FAILED', lastError: reason },
    }),
  ]);
}

/**
 * The user's chat refuses delivery: every pending delivery and post of the user FAILED with
 * `reason`. Statements for the caller's transaction, which also marks the chat.
 */
export function failAllPending(db: Db, userId: string, reason: string) {
  return [
    db.delivery.updateMany({
      where: { userId, status: { in: [...PENDING_DELIVERY] } },
      data: { status: 'FAILED', leaseUntil: null, lastError: reason },
    }),
    db.post.updateMany({
      where: { userId, status: { in: [...PENDING_POST] } },
      data: { status: 'FAILED', lastError: reason },
    }),
  ] as const;
}

/**
 * The user loses the chat (unlinked, or moved to another account): its deliveries not yet handed
 * to a sender are cancelled, and the user's scheduled posts FAILED with `reason`, so the user sees
 * them and can reschedule after linking again.
 */
export async function detachPending(tx: Tx, userId: string, chatId: bigint, reason: string) {
  await tx.delivery.updateMany({
    where: { userId, chatId, status: { in: [...CANCELLABLE_DELIVERY] } },
    data: { status: 'CANCELLED' },
  });
  await tx.post.updateMany({ where: { userId, status: 'SCHEDULED' }, data: { status: 'FAILED', lastError: reason } });
}

/**
 * A sender hands a delivery back for `delayMs` (its chat is busy: other messages to it took its
 * next slots). It stays claimed, with a lease that covers the wait, so a lost job still brings it
 * back and the claim counts it against its user; the attempt its start counted is taken back, as
 * nothing was sent. False when it is no longer being sent (cancelled, deleted meanwhile).
 */
export async function handBack(db: Db, deliveryId: string, delayMs: number): Promise<boolean> {
  const { count } = await db.delivery.updateMany({
    where: { id: deliveryId, status: 'SENDING', attempts: { gt: 0 } },
    data: { attempts: { decrement: 1 }, leaseUntil: new Date(Date.now() + delayMs + LEASE_MS) },
  });
  return count === 1;
}

/** Telegram asked to wait `ms` (retry_after): the lease covers the wait, so it is not claimed again. */
export function park(db: Db, deliveryId: string, ms: number) {
  return db.delivery.update({
    where: { id: deliveryId },
    data: { leaseUntil: new Date(Date.now() + ms + LEASE_MS) },
  });
}

/**
 * Telegram is away (no answer, 5xx): the delivery stays SENDING, with a lease past its next try
 * (`delayMs`) so it is not claimed meanwhile, and says why in its lastError and its post's while
 * that is being delivered. `progress` is what it has sent, with the outage streak to keep.
 */
export function retryAfterOutage(
  db: Db,
  {
    deliveryId,
    postId,
    delayMs,
    reason,
    progress,
  }: {
    deliveryId: string;
    postId: string;
    delayMs: number;
    reason: string;
    progress: Progress;
  },
) {
  return db.$transaction([
    db.delivery.update({
      where: { id: deliveryId },
      data: {
        leaseUntil: new Date(Date.now() + delayMs + LEASE_MS),
        lastError: reason,
        progress: progress as unknown as Prisma.InputJsonObject,
      },
    }),
    db.post.updateMany({ where: { id: postId, status: DELIVERING_POST }, data: { lastError: reason } }),
  ]);
}

/** The chat became a supergroup: the delivery goes to its new id. */
export function moveToChat(db: Db, deliveryId: string, chatId: bigint) {
  return db.delivery.update({ where: { id: deliveryId }, data: { chatId } });
}
