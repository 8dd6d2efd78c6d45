// The caps checked when a job is accepted, besides its quota (numbers: PLAN_CAPS in plans.service.ts):
// FAILED jobs in a rolling 24 hours and jobs in flight (both 429 RATE_LIMITED, since waiting
// lifts them), and, for jobs that write posts, the stored and scheduled posts the result would
// take (402 QUOTA_EXCEEDED, like the month's quota: deleting or upgrading lifts them).
//
// They are counts over rows, and a count in one statement cannot see a concurrent request's
// uncommitted job; so the accepting transaction first takes a per-user advisory lock
// (lockUserJobs), and the next statement, with a fresh snapshot under READ COMMITTED, counts and
// inserts. Every replica's accepts for one user serialize on that lock.
import type { Prisma } from '../../generated/prisma/client.js';
import { AppError } from '../../lib/errors.js';
import { PLAN_CAPS, planCase } from '../plans/plans.service.js';
import { pendingPosts, postCapError } from './post-caps.js';

type Tx = Prisma.TransactionClient;

/** The rolling window of the failed-jobs cap. */
export const FAILED_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Retry-After (seconds) when the in-flight cap is full: jobs take seconds, so ask again soon. */
export const IN_FLIGHT_RETRY_AFTER_S = 5;

/** The advisory-lock namespace (first key) of job accepts; the second key is the user's hash. */
const JOBS_LOCK = 0x6a6f6273; // "jobs"

/** Posts a job will write when it succeeds: what its accept is checked against. */
export interface PostsToWrite {
  stored: number;
  scheduled: number;
}

/** Serializes this user's job accepts on every replica until the transaction ends. */
export async function lockUserJobs(tx: Tx, userId: string) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${JOBS_LOCK}::int, hashtext(${userId}))`;
}

/**
 * SQL (a CTE body) that yields one row, for user $1, when none of the caps stands in the way:
 * `$since` is the start of the failed-jobs window, `$stored` / `$scheduled` the posts the job
 * writes, `$exceptJob` the job being accepted (its row is written already: it is not one of the
 * jobs in flight it is checked against). Posts are counted only for jobs that write them.
 */
export function capsGateSql(p: { since: string; stored: string; scheduled: string; exceptJob: string }) {
  return `SELECT 1 FROM "User" u WHERE u.id = $1::uuid
      AND (SELECT count(*) FROM "Job" j WHERE j."userId" = u.id AND j.status IN ('QUEUED', 'RUNNING') AND j.id <> ${p.exceptJob}) < ${planCase((plan) => PLAN_CAPS[plan].jobsInFlight)}
      AND (SELECT count(*) FROM "Job" j WHERE j."userId" = u.id AND j.status = 'FAILED' AND j."finishedAt" > ${p.since}) < ${planCase((plan) => PLAN_CAPS[plan].failedJobsPerDay)}
      AND (${p.stored} = 0 OR (SELECT count(*) FROM "Post" x WHERE x."userId" = u.id) + ${p.stored} <= ${planCase((plan) => PLAN_CAPS[plan].storedPosts)})
      AND (${p.scheduled} = 0 OR (SELECT count(*) FROM "Post" x WHERE x."userId" = u.id AND x.status IN (${pendingPosts})) + ${p.scheduled} <= ${planCase((plan) => PLAN_CAPS[plan].scheduledPosts)})`;
}

interface CapState {
  inFlight: number;
  inFlightCap: number;
  failed: number;
  failedCap: number;
  /** When the failure that must leave the window for a new job to pass was finished. */
  releaseAt: Date | null;
  stored: number;
  storedCap: number;
  scheduled: number;
  scheduledCap: number;
}

async function readCapState(tx: Tx, userId: string, since: Date, exceptJob: string): Promise<CapState> {
  const [state] = await tx.$queryRawUnsafe<CapState[]>(
    `WITH caps AS (
       SELECT ${planCase((plan) => PLAN_CAPS[plan].jobsInFlight)} AS "inFlightCap",
         ${planCase((plan) => PLAN_CAPS[plan].failedJobsPerDay)} AS "failedCap",
         ${planCase((plan) => PLAN_CAPS[plan].storedPosts)} AS "storedCap",
         ${planCase((plan) => PLAN_CAPS[plan].scheduledPosts)} AS "scheduledCap"
       FROM "User" u WHERE u.id = $1::uuid
     ),
     failures AS (
       SELECT "finishedAt", row_number() OVER (ORDER BY "finishedAt" DESC) AS "newest"
       FROM "Job" WHERE "userId" = $1::uuid AND status = 'FAILED' AND "finishedAt" > $2
     )
     SELECT caps.*,
       (SELECT count(*) FROM "Job" WHERE "userId" = $1::uuid AND status IN ('QUEUED', 'RUNNING') AND id <> $3::uuid)::int AS "inFlight",
       (SELECT count(*) FROM failures)::int AS "failed",
       -- With N failures in the window and a cap of C, a job passes once all but C - 1 are gone:
       -- when the C-th newest leaves.
       (SELECT "finishedAt" FROM failures WHERE "newest" = caps."failedCap") AS "releaseAt",
       (SELECT count(*) FROM "Post" WHERE "userId" = $1::uuid)::int AS "stored",
       (SELECT count(*) FROM "Post" WHERE "userId" = $1::uuid AND status IN (${pendingPosts}))::int AS "scheduled"
     FROM caps`,
    userId,
    since,
    exceptJob,
  );
  if (!state) throw new AppError('NOT_FOUND', 'User not found.');
  return state;
}

/**
 * Why the job `exceptJob`, which fitted its quota, was refused: read under the same lock, so it is
 * the state the refused statement saw (the job itself not counted). The post caps come first (they
 * need the user to act), then the failed jobs of the day, then the jobs in flight.
 */
export async function capsRefusal(
  tx: Tx,
  userId: string,
  posts: PostsToWrite,
  now: Date,
  exceptJob: string,
): Promise<AppError> {
  const s = await readCapState(tx, userId, new Date(now.getTime() - FAILED_WINDOW_MS), exceptJob);
  if (posts.stored > 0 && s.stored + posts.stored > s.storedCap)
    return postCapError('storedPosts', s.storedCap, s.stored, posts.stored);
  if (posts.scheduled > 0 && s.scheduled + posts.scheduled > s.scheduledCap)
    return postCapError('scheduledPosts', s.scheduledCap, s.scheduled, posts.scheduled);
  if (s.failed >= s.failedCap) {
    const releaseMs = (s.releaseAt?.getTime() ?? now.getTime()) + FAILED_WINDOW_MS;
    const retryAfterSeconds = Math.max(1, Math.ceil((releaseMs - now.getTime()) / 1000));
    return new AppError(
      'RATE_LIMITED',
      `Too many failed jobs: your plan allows ${s.failedCap} in 24 hours, and ${s.failed} failed. Retry after the time in Retry-After.`,
      { cap: 'failedJobsPerDay', limit: s.failedCap, used: s.failed, retryAfterSeconds },
    );
  }
  if (s.inFlight >= s.inFlightCap) {
    return new AppError(
      'RATE_LIMITED',
      `You have ${s.inFlight} jobs queued or running, the most your plan allows at once. Retry when one has finished.`,
      { cap: 'jobsInFlight', limit: s.inFlightCap, used: s.inFlight, retryAfterSeconds: IN_FLIGHT_RETRY_AFTER_S },
    );
  }
  // Nothing stands in the way now: the statement lost to a row this one cannot see. Not expected
  // under the lock; answered as a conflict rather than guessed.
  return new AppError('CONFLICT', 'Your jobs changed while this request ran; retry it.');
}

/**
 * The `Retry-After` and IETF RateLimit headers (draft 8, as the per-user limiters send them) for
 * a RATE_LIMITED refusal of capsRefusal; undefined for any other error.
 */
export function capHeaders(err: unknown): { retryAfter: string; policy: string; limit: string } | undefined {
  if (!(err instanceof AppError) || err.code !== 'RATE_LIMITED') return undefined;
  const d = err.details as { cap?: string; limit?: number; retryAfterSeconds?: number } | undefined;
  if (!d?.cap || d.limit === undefined || d.retryAfterSeconds === undefined) return undefined;
  const name = d.cap === 'failedJobsPerDay' ? 'failed-jobs' : 'jobs-in-flight';
  const window = d.cap === 'failedJobsPerDay' ? `; w=${FAILED_WINDOW_MS / 1000}` : '';
  return {
    retryAfter: String(d.retryAfterSeconds),
    policy: `"${name}"; q=${d.limit}${window}`,
    limit: `"${name}"; r=0; t=${d.retryAfterSeconds}`,
  };
}
