// Quota reservations and refunds. The check and the reservation are one SQL statement, in the
// transaction that wrote the job's row (modules/jobs, just before): a conditional upsert of the month's counter that only succeeds while used + n <= the
// plan's limit, with the plan read in the same statement (never from a cache). Concurrent requests
// on any number of replicas serialize on the counter row, so none can pass the limit. Every change
// is also a ledger row whose unique idempotency key makes it happen at most once.
// The same statement checks the caps of job-caps.ts (jobs in flight, failed jobs of the day, the
// posts the job will write); those are counts over rows, so it runs after the user's jobs lock.
import type { Prisma } from '../../generated/prisma/client.js';
import type { UsageMetric } from '../../generated/prisma/enums.js';
import { AppError } from '../../lib/errors.js';
import { PLANS, planCase } from '../plans/plans.service.js';
import { capsGateSql, capsRefusal, FAILED_WINDOW_MS, lockUserJobs, type PostsToWrite } from './job-caps.js';
import { periodOf } from './period.js';

type Tx = Prisma.TransactionClient;

const LIMIT_COLUMN: Record<UsageMetric, 'posts' | 'images' | 'voiceChars'> = {
  POSTS: 'posts',
  IMAGES: 'images',
  VOICE_CHARS: 'voiceChars',
};

/** SQL CASE mapping the user's plan to this metric's limit (from the one PLANS table). */
const limitCase = (metric: UsageMetric) => planCase((plan) => PLANS[plan].limits[LIMIT_COLUMN[metric]]);

export interface Reservation {
  metric: UsageMetric;
  units: number;
}

/**
 * Reserves `units` of `metric` for `userId`'s job `jobId` in the month of `now`, checking the caps
 * of job-caps.ts for the `posts` it will write. Must run in the transaction that wrote the job's
 * row (modules/jobs): it takes the user's jobs lock, then one statement adds to the month's
 * counter and writes the ledger row (key `reserve:<jobId>:<metric>`) only when the reservation and
 * the caps fit (the caps do not count the job itself). Throws, writing nothing, 402
 * QUOTA_EXCEEDED (details: metric, limit, used, requested, resetsAt) when the quota or a post cap
 * does not fit, 429 RATE_LIMITED (details: cap, limit, used, retryAfterSeconds) past the
 * failed-jobs or in-flight cap; the transaction then rolls the job's row back.
 */
export async function reserve(
  tx: Tx,
  { userId, jobId }: { userId: string; jobId: string },
  { metric, units }: Reservation,
  posts: PostsToWrite = { stored: 0, scheduled: 0 },
  now = new Date(),
): Promise<void> {
  const { start, end } = periodOf(now);
  const since = new Date(now.getTime() - FAILED_WINDOW_MS);
  await lockUserJobs(tx, userId);
  const rows = await tx.$queryRawUnsafe<Array<{ reserved: number }>>(
    `WITH lim AS (
       SELECT ${limitCase(metric)} AS "limit" FROM "User" u WHERE u.id = $1::uuid
         AND EXISTS (${capsGateSql({ since: '$6', stored: '$7::int', scheduled: '$8::int', exceptJob: '$5::uuid' })})
     ),
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
       SELECT $1::uuid, $2, $3::"UsageMetric", 'RESERVE', $4, 'reserve:' || $5::uuid || ':' || $3, $5::uuid FROM counter
       RETURNING 1
     )
     SELECT 1 AS "reserved" FROM entry`,
    userId,
    start,
    metric,
    units,
    jobId,
    since,
    posts.stored,
    posts.scheduled,
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
  // The month's quota is named first when it is what does not fit: no waiting lifts it.
  if (used + units > limit) {
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
  throw await capsRefusal(tx, userId, posts, now, jobId);
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
