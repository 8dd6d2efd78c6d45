// The scheduler's tick: Postgres decides what is due. Due deliveries, and ones whose lease expired
// (a worker died, a Redis job was lost), are claimed with FOR UPDATE SKIP LOCKED, so any number of
// workers tick at once without claiming the same row; each claim gets a lease and a send job.
import type { Db } from '../../lib/db.js';

export const LEASE_MS = 60_000;

export async function claimDue(db: Db, owner: string, limit = 500): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ id: string; postId: string }>>`
    UPDATE "Delivery" d
    SET "status" = 'QUEUED', "leaseUntil" = now() + ${`${LEASE_MS} milliseconds`}::interval, "leaseOwner" = ${owner}, "updatedAt" = now()
    WHERE d."id" IN (
      SELECT "id" FROM "Delivery"
      WHERE ("status" = 'SCHEDULED' AND "dueAt" <= now())
         OR ("status" IN ('QUEUED', 'SENDING') AND "leaseUntil" < now())
      ORDER BY "dueAt"
      LIMIT ${limit}
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
