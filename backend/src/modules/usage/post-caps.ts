// Stored and scheduled posts per plan (PLAN_CAPS.storedPosts / scheduledPosts in plans.service.ts).
// Past a cap the answer is 402 QUOTA_EXCEEDED with the quota's details shape, not 409: like the
// month's quota it is a limit of the plan, lifted by upgrading (or by deleting / unscheduling
// posts), not a conflict with the resource's state. It never resets, so `resetsAt` is null.
//
// Atomic across replicas: every write that adds a stored or scheduled post takes the user's posts
// lock (a transaction-scoped advisory lock), then counts and writes in later statements, which
// under READ COMMITTED see every write committed before the lock was granted.
import type { Prisma } from '../../generated/prisma/client.js';
import { AppError } from '../../lib/errors.js';
import { PENDING_POST, statusList } from '../lifecycle/lifecycle.service.js';
import { PLAN_CAPS, planCase } from '../plans/plans.service.js';

type Tx = Prisma.TransactionClient;

/** The advisory-lock namespace (first key) of post writes; the second key is the user's hash. */
const POSTS_LOCK = 0x706f7374; // "post"

/** Scheduled posts are the lifecycle's pending ones (waiting for, or in, delivery), as an SQL list. */
export const pendingPosts = statusList(PENDING_POST);

export type PostCap = 'storedPosts' | 'scheduledPosts';

export function postCapError(metric: PostCap, limit: number, used: number, requested: number) {
  const what = metric === 'storedPosts' ? 'stored posts' : 'scheduled posts';
  const lift =
    metric === 'storedPosts' ? 'delete some posts or upgrade' : 'unschedule some posts, wait for deliveries or upgrade';
  return new AppError(
    'QUOTA_EXCEEDED',
    `Your plan allows ${limit} ${what}; you have ${used}, and this needs ${requested} more: ${lift}.`,
    { metric, limit, used, requested, resetsAt: null },
  );
}

export interface PostsNeeded {
  /** New rows the write adds. */
  stored?: number;
  /** Posts the write makes SCHEDULED that were not before. */
  scheduled?: number;
  /** Posts of this job already written (a retried job) do not count again. */
  jobId?: string;
}

/**
 * Takes the user's posts lock and checks that `needed` fits the plan's caps (the plan read in the
 * same statement, never from a cache); throws 402 QUOTA_EXCEEDED otherwise, before anything is
 * written. Call inside the transaction that then writes the posts.
 */
export async function assertPostRoom(tx: Tx, userId: string, needed: PostsNeeded) {
  const stored = needed.stored ?? 0;
  const scheduled = needed.scheduled ?? 0;
  if (stored <= 0 && scheduled <= 0) return;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${POSTS_LOCK}::int, hashtext(${userId}))`;
  const [row] = await tx.$queryRawUnsafe<
    Array<{ storedCap: number; scheduledCap: number; stored: number; scheduled: number; mine: number }>
  >(
    `SELECT ${planCase((plan) => PLAN_CAPS[plan].storedPosts)} AS "storedCap",
       ${planCase((plan) => PLAN_CAPS[plan].scheduledPosts)} AS "scheduledCap",
       (SELECT count(*) FROM "Post" p WHERE p."userId" = u.id)::int AS "stored",
       (SELECT count(*) FROM "Post" p WHERE p."userId" = u.id AND p.status IN (${pendingPosts}))::int AS "scheduled",
       (SELECT count(*) FROM "Post" p WHERE p."userId" = u.id AND p."jobId" = $2::uuid)::int AS "mine"
     FROM "User" u WHERE u.id = $1::uuid`,
    userId,
    needed.jobId ?? null,
  );
  if (!row) throw new AppError('NOT_FOUND', 'User not found.');
  const newRows = Math.max(0, stored - row.mine);
  if (newRows > 0 && row.stored + newRows > row.storedCap)
    throw postCapError('storedPosts', row.storedCap, row.stored, newRows);
  // A job's posts are scheduled as they are written: the ones already there are counted.
  const newScheduled = needed.jobId ? Math.max(0, scheduled - row.mine) : scheduled;
  if (newScheduled > 0 && row.scheduled + newScheduled > row.scheduledCap)
    throw postCapError('scheduledPosts', row.scheduledCap, row.scheduled, newScheduled);
}
