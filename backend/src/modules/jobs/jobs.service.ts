// Accepting, reading and cancelling jobs (the web side). Accepting writes the Job row here, and
// usage/quota.ts reserves its quota in the same transaction (the counter and the ledger row in one
// statement, under the user's jobs lock: the per-user caps are counts, see usage/job-caps.ts); a
// refusal rolls the row back. With an Idempotency-Key, the transaction first claims the key, so a
// replay answers the stored response before any cap is looked at, and then stores the response
// to replay. Only after it commits is the work enqueued; a job whose enqueue was lost is found
// again by the worker's sweeper.
import { createHash } from 'node:crypto';
import type { Job, Prisma } from '../../generated/prisma/client.js';
import type { JobStatus, JobType } from '../../generated/prisma/enums.js';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { afterCursor, decodeCursor, pageOrder } from '../../http/pagination.js';
import type { PostsToWrite } from '../usage/usage.service.js';
import { reserve, type Reservation } from '../usage/usage.service.js';
import { refundJob } from './job-lifecycle.js';
import { publishJobEvent } from './job-events.js';
import type { JobQueue } from './queues.js';
import { toJobDto, type Accepted, type AcceptRequest, type JobDto } from './jobs.schemas.js';
import type { Redis } from '../../lib/redis.js';

// What other features use to declare, accept and meter a job type (the rest of this folder is the
// jobs feature's own): the definition, the routes' shared tail, the cost of a provider's call.
export { defineJob, type JobHandler, type JobRegistry, type JobSpec } from './define-job.js';
export { acceptJob } from './accept.js';
export { usageSpend } from './spend.js';
export { MAINTENANCE_QUEUE } from './queues.js';

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const NO_COST: JobDto['cost'] = { tokensIn: 0, tokensOut: 0, llmCostUsd: 0, images: 0, voiceChars: 0 };

/** A stable hash of a request body: the same key with another body is 409. */
export function requestHash(body: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, canonical(x)]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex');
}

/**
 * Writes the job's row and reserves its quota, in `tx`: a refusal (402 or 429, from quota.ts)
 * throws, and the transaction takes the row back.
 */
async function createJob(
  tx: Prisma.TransactionClient,
  userId: string,
  job: { type: JobType; input: Prisma.InputJsonObject },
  reservation: Reservation,
  posts: PostsToWrite,
): Promise<Job> {
  // Raw SQL, as the rest of the accept: the model API compiles its query on every call.
  const [row] = await tx.$queryRaw<Job[]>`
    INSERT INTO "Job" ("userId", "type", "input", "updatedAt")
    VALUES (${userId}::uuid, ${job.type}::"JobType", ${JSON.stringify(job.input)}::jsonb, now())
    RETURNING *`;
  await reserve(tx, { userId, jobId: row!.id }, reservation, posts);
  return row!;
}

export function createJobsService({
  db,
  redis,
  queue,
  logger,
}: {
  db: Db;
  redis: Redis;
  queue: JobQueue;
  logger: Logger;
}) {
  async function claimKey(
    tx: Prisma.TransactionClient,
    req: Pick<AcceptRequest, 'userId' | 'route'>,
    key: string,
    hash: string,
  ): Promise<JobDto | undefined> {
    const claimed = await tx.$queryRaw<Array<{ id: string }>>`
      INSERT INTO "IdempotencyKey" ("userId", "key", "method", "path", "requestHash", "expiresAt")
      VALUES (${req.userId}::uuid, ${key}, 'POST', ${req.route}, ${hash}, ${new Date(Date.now() + IDEMPOTENCY_TTL_MS)})
      ON CONFLICT ("userId", "key") DO NOTHING RETURNING "id"`;
    if (claimed.length === 1) return undefined;
    // Another request holds or held this key; a concurrent one has committed by now (the insert
    // waited for it), so its stored response is there.
    const existing = await tx.idempotencyKey.findUniqueOrThrow({
      where: { userId_key: { userId: req.userId, key } },
    });
    if (existing.requestHash !== hash || existing.path !== req.route) {
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used with a different request; use a new key for a new request.',
      );
    }
    if (!existing.responseBody)
      throw new AppError('CONFLICT', 'A request with this Idempotency-Key is still being processed.');
    // Responses stored before jobs carried their cost have none: a replay reports it as zero, as
    // a just-accepted job's is.
    return { cost: NO_COST, ...(existing.responseBody as Omit<JobDto, 'cost'>) };
  }

  return {
    async accept<Input extends object>(req: AcceptRequest<Input>): Promise<Accepted> {
      const job = { type: req.job.type, input: req.input as Prisma.InputJsonObject };
      const reservation = req.job.reservation(req.input);
      const posts = req.job.postsToWrite(req.input, reservation);
      let outcome: Accepted;
      if (!req.idempotencyKey) {
        const row = await db.$transaction((tx) => createJob(tx, req.userId, job, reservation, posts));
        outcome = { job: toJobDto(row), replayed: false };
      } else {
        const key = req.idempotencyKey;
        const hash = requestHash({ route: req.route, input: req.input });
        outcome = await db.$transaction(async (tx) => {
          const replay = await claimKey(tx, req, key, hash);
          if (replay) return { job: replay, replayed: true };
          const dto = toJobDto(await createJob(tx, req.userId, job, reservation, posts));
          await tx.idempotencyKey.update({
            where: { userId_key: { userId: req.userId, key } },
            data: { responseStatus: 202, responseBody: dto as unknown as Prisma.InputJsonObject },
          });
          return { job: dto, replayed: false };
        });
      }
      if (!outcome.replayed) {
        await queue.enqueue(outcome.job.id, req.job.type, req.job.options).catch((err: Error) => {
          logger.warn(
            { jobId: outcome.job.id, reason: err.message },
            'enqueue failed; the sweeper will enqueue the job',
          );
        });
      }
      return outcome;
    },

    async get(userId: string, id: string) {
      const job = await db.job.findFirst({ where: { id, userId } });
      if (!job) throw new AppError('NOT_FOUND', 'Job not found.');
      return job;
    },

    list(userId: string, q: { limit: number; cursor?: string; status?: JobStatus; type?: JobType }) {
      return db.job.findMany({
        where: {
          userId,
          ...(q.status ? { status: q.status } : {}),
          ...(q.type ? { type: q.type } : {}),
          ...afterCursor(decodeCursor(q.cursor)),
        },
        orderBy: pageOrder,
        take: q.limit + 1,
      });
    },

    /** Cancels a job that has not started; its reservation is refunded once. */
    async cancel(userId: string, id: string) {
      const cancelled = await db.$transaction(async (tx) => {
        const { count } = await tx.job.updateMany({
          where: { id, userId, status: 'QUEUED' },
          data: { status: 'CANCELLED', finishedAt: new Date() },
        });
        if (count === 1) await refundJob(tx, id);
        return count === 1;
      });
      const job = await this.get(userId, id);
      if (!cancelled)
        throw new AppError('INVALID_STATE', `A ${job.status} job cannot be cancelled.`, { status: job.status });
      await queue.remove(id);
      await publishJobEvent(redis, { jobId: id, status: job.status, progress: job.progress });
      return job;
    },
  };
}

export type JobsService = ReturnType<typeof createJobsService>;
