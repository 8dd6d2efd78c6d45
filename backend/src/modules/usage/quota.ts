// Quota reservations and refunds. The check and the reservation are one SQL statement: a
// conditional upsert of the month's counter that only succeeds while used + n <= the plan's limit,
// with the plan read in the same statement (never from a cache). Concurrent requests on any number
// of replicas serialize on the counter row, so none can pass the limit. Every change is also a
// ledger row whose unique idempotency key makes it happen at most once.
import type { Prisma } from '../../generated/prisma/client.js';
import type { UsageMetric } from '../../generated/prisma/enums.js';
import { AppError } from '../../lib/errors.js';
import { PLANS } from '../billing/plans.js';
import { periodOf } from './period.js';

type Tx = Prisma.TransactionClient;

const LIMIT_COLUMN: Record<UsageMetric, 'posts' | 'images' | 'voiceChars'> = {
  POSTS: 'posts',
  IMAGES: 'images',
  VOICE_CHARS: 'voiceChars',
};

/** SQL CASE mapping the user's plan to this metric's limit (from the one PLANS table). */
function limitCase(metric: UsageMetric) {
  const key = LIMIT_COLUMN[metric];
  return `CASE u.plan::text ${Object.entries(PLANS)
    .map(([plan, p]) => `WHEN '${plan}' THEN ${p.limits[key]}`)
    .join(' ')} END`;
}

export interface Reservation {
  metric: UsageMetric;
  units: number;
}

/**
 * Reserves `units` of `metric` for `userId` in the month of `now`, inside the caller's transaction.
 * Throws 402 QUOTA_EXCEEDED (with metric, limit, used, requested, resetsAt) when it does not fit.
 */
export async function reserve(
  tx: Tx,
  userId: string,
  { metric, units }: Reservation,
  key: string,
  jobId: string | null,
  now = new Date(),
) {
  const { start, end } = periodOf(now);
  const rows = await tx.$queryRawUnsafe<Array<{ used: number }>>(
    `WITH lim AS (SELECT ${limitCase(metric)} AS "limit" FROM "User" u WHERE u.id = $1::uuid),
     counter AS (
       INSERT INTO "UsageCounter" ("userId", "periodStart", "metric", "used", "updatedAt")
       SELECT $1::uuid, $2, $3::"UsageMetric", $4, now() FROM lim WHERE $4 <= lim."limit"
       ON CONFLICT ("userId", "periodStart", "metric") DO UPDATE
         SET "used" = "UsageCounter"."used" + EXCLUDED."used", "updatedAt" = now()
         WHERE "UsageCounter"."used" + EXCLUDED."used" <= (SELECT "limit" FROM lim)
       RETURNING "used"
     ),
     entry AS (
       INSERT INTO "UsageEntry" ("userId", "periodStart", "metric", "kind", "delta", "idempotencyKey", "jobId")
       SELECT $1::uuid, $2, $3::"UsageMetric", 'RESERVE', $4, $5, $6::uuid FROM counter
       RETURNING 1
     )
     SELECT "used" FROM counter, entry`,
    userId,
    start,
    metric,
    units,
    key,
    jobId,
  );
  if (rows.length === 1) return;
  const [state] = await tx.$queryRawUnsafe<Array<{ limit: number; used: number | null }>>(
    `SELECT ${limitCase(metric)} AS "limit",
       (SELECT "used" FROM "UsageCounter" c WHERE c."userId" = u.id AND c."periodStart" = $2 AND c.metric = $3::"UsageMetric") AS "used"
     FROM "User" u WHERE u.id = $1::uuid`,
    userId,
    start,
    metric,
  );
  const limit = state?.limit ?? 0;
  const used = state?.used ?? 0;
  throw new AppError(
    'QUOTA_EXCEEDED',
    `Your plan allows ${limit} ${LIMIT_COLUMN[metric]} a month; ${used} used, ${units} requested.`,
    {
      metric: LIMIT_COLUMN[metric],
      limit,
      used,
      requested: units,
      resetsAt: end.toISOString(),
    },
  );
}

/**
 * Gives back what the reservation `reserveKey` took, once: the refund's own ledger key makes a
 * second call a no-op. Never takes a counter below zero (a downgrade may have shrunk the month).
 */
export async function refund(tx: Tx, reserveKey: string): Promise<boolean> {
  const rows = await tx.$queryRawUnsafe<Array<{ done: number }>>(
    `WITH original AS (
       SELECT "userId", "periodStart", "metric", "delta", "jobId" FROM "UsageEntry" WHERE "idempotencyKey" = $1 AND kind = 'RESERVE'
     ),
     entry AS (
       INSERT INTO "UsageEntry" ("userId", "periodStart", "metric", "kind", "delta", "idempotencyKey", "jobId")
       SELECT "userId", "periodStart", "metric", 'REFUND', -"delta", 'refund:' || $1, "jobId" FROM original
       ON CONFLICT ("idempotencyKey") DO NOTHING
       RETURNING "userId", "periodStart", "metric", "delta"
     )
     UPDATE "UsageCounter" c SET "used" = GREATEST(c."used" + entry."delta", 0), "updatedAt" = now()
     FROM entry WHERE c."userId" = entry."userId" AND c."periodStart" = entry."periodStart" AND c.metric = entry.metric
     RETURNING 1 AS done`,
    reserveKey,
  );
  return rows.length > 0;
}
