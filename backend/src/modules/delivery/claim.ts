// The scheduler's tick: Postgres decides what is due. Due deliveries, and ones whose lease expired
// (a worker died, a Redis job was lost), are claimed with FOR UPDATE SKIP LOCKED, so any number of
// workers tick at once without claiming the same row; each claim gets a lease and a send job.
//
// Fair across users: a user's chat takes about one message a second whatever we do, so claiming a
// user's thousand due posts at once only fills the queue and the senders with posts that wait for
// that one chat, while every other user's post waits behind them. A claim takes at most
// PER_USER_IN_FLIGHT deliveries per user, counting the ones already claimed (live lease), in turns:
// everyone's oldest due first, then everyone's second, and so on. The counts come from the rows
// themselves, so the cap holds across any number of worker processes.
import type { Db } from '../../lib/db.js';

export const LEASE_MS = 60_000;

/**
 * Deliveries one user may have claimed at once (QUEUED or SENDING with a live lease). Two: the
 * chat's burst, so a user's next post is already claimed when the previous one is sent.
 */
export const PER_USER_IN_FLIGHT = 2;

/**
 * Claims up to `limit` due deliveries, at most `perUser` per user in flight, and leases them to
 * `owner` for LEASE_MS. `limit` also bounds what is in flight in total (claimed and not yet done,
 * leaving out deliveries parked past their lease for a long retry_after), so claims never pile up
 * in the queue past what the senders send before the leases run out. Answers the claimed ids.
 */
export async function claimDue(db: Db, owner: string, limit = 500, perUser = PER_USER_IN_FLIGHT): Promise<string[]> {
  const lease = `${LEASE_MS} milliseconds`;
  const rows = await db.$queryRaw<Array<{ id: string; postId: string }>>`
    WITH due AS (
      SELECT "id", "userId", "dueAt",
        row_number() OVER (PARTITION BY "userId" ORDER BY "dueAt", "id") AS "turn"
      FROM "Delivery"
      WHERE ("status" = 'SCHEDULED' AND "dueAt" <= now())
         OR ("status" IN ('QUEUED', 'SENDING') AND "leaseUntil" < now())
    ),
    held AS (
      SELECT "userId", count(*) AS "n",
        count(*) FILTER (WHERE "leaseUntil" <= now() + ${lease}::interval) AS "queued"
      FROM "Delivery"
      WHERE "status" IN ('QUEUED', 'SENDING') AND "leaseUntil" >= now()
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
          OR ("status" IN ('QUEUED', 'SENDING') AND "leaseUntil" < now()))
      FOR UPDATE SKIP LOCKED
    )
    RETURNING d."id", d."postId"`;
  if (rows.length > 0) {
    await db.post.updateMany({
      where: { id: { in: rows.map((r) => r.postId) }, status: 'SCHEDULED' },
      data: { status: 'DELIVERING' },
    });
  }
  return rows.map((r) => r.id);
}
