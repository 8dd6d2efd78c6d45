// Quota reservations and refunds. The check, the reservation and the job it is for are one SQL
// statement: a conditional upsert of the month's counter that only succeeds while used + n <= the
// plan's limit, with the plan read in the same statement (never from a cache). Concurrent requests
// on any number of replicas serialize on the counter row, so none can pass the limit. Every change
// is also a ledger row whose unique idempotency key makes it happen at most once.
// The same statement checks the caps of job-caps.ts (jobs in flight, failed jobs of the day, the
// posts the job will write); those are counts over rows, so it runs after the user's jobs lock.
import type { Job, Prisma } from '../../generated/prisma/client.js';
import type { JobType, UsageMetric } from '../../generated/prisma/enums.js';
import { AppError } from '../../lib/errors.js';
import { PLANS, planCase } from '../billing/plans.js';
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
 * Creates a job and reserves its `units` of `metric` for `userId` in the month of `now`, checking
 * the caps of job-caps.ts for `posts` it will write. Must run inside a transaction: it takes the
 * user's jobs lock, then one statement writes the job row and its ledger row (key
 * `reserve:<jobId>:<metric>`) only when the reservation and the caps fit. Returns the new job
 * row; throws, writing nothing, 402 QUOTA_EXCEEDED (details: metric, limit, used, requested,
 * resetsAt) when the quota or a post cap does not fit, 429 RATE_LIMITED (details: cap, limit,
 * used, retryAfterSeconds) past the failed-jobs or in-flight cap.
 */
export async function createJobWithReservation(
  tx: Tx,
  userId: string,
  job: { type: JobType; input: Prisma.InputJsonObject },
  { metric, units }: Reservation,
  posts: PostsToWrite = { stored: 0, scheduled: 0 },
  now = new Date(),
): Promise<Job> {
  const { start, end } = periodOf(now);
  const since = new Date(now.getTime() - FAILED_WINDOW_MS);
  await lockUserJobs(tx, userId);
  const rows = await tx.$queryRawUnsafe<Job[]>(
    `WITH lim AS (
       SELECT ${limitCase(metric)} AS "limit" FROM "User" u WHERE u.id = $1::uuid
         AND EXISTS (${capsGateSql({ since: '$7', stored: '$8::int', scheduled: '$9::int' })})
     ),
     counter AS (
       INSERT INTO "UsageCounter" ("userId", "periodStart", "metric", "used", "updatedAt")
       SELECT $1::uuid, $2, $3::"UsageMetric", $4, now() FROM lim WHERE $4 <= lim."limit"
       ON CONFLICT ("userId", "periodStart", "metric") DO UPDATE
         SET "used" = "UsageCounter"."used" + EXCLUDED."used", "updatedAt" = now()
         WHERE "UsageCounter"."used" + EXCLUDED."used" <= (SELECT "limit" FROM lim)
       RETURNING "used"
     ),
     job AS (
       INSERT INTO "Job" ("userId", "type", "input", "updatedAt")
       SELECT $1::uuid, $5::"JobType", $6::jsonb, now() FROM counter
       RETURNING *
     ),
     entry AS (
       INSERT INTO "UsageEntry" ("userId", "periodStart", "metric", "kind", "delta", "idempotencyKey", "jobId")
       SELECT $1::uuid, $2, $3::"UsageMetric", 'RESERVE', $4, 'reserve:' || job.id || ':' || $3, job.id FROM job
       RETURNING 1
     )
     SELECT job.* FROM job, entry`,
    userId,
    start,
    metric,
    units,
    job.type,
    JSON.stringify(job.input),
    since,
    posts.stored,
    posts.scheduled,
  );
  if (rows.length === 1) return rows[0]!;
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
  throw await capsRefusal(tx, userId, posts, now);
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
