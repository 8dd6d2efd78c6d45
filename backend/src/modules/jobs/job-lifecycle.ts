// The worker side of a job's row: running, progress, success, failure. Each step is conditional
// on the state it moves from, so a job retried after a crash, or cancelled meanwhile, is handled
// once. A failure refunds the job's reservations exactly once.
import type { Job, Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db.js';
import type { Redis } from '../../lib/redis.js';
import type { CheckpointExtra } from './define-job.js';
import { refund } from '../usage/usage.service.js';
import { publishJobEvent } from './job-events.js';
import { addSpendSql, hasSpend, type Spend } from './spend.js';
import { withoutAddresses } from '../../integrations/provider-error.js';

type Tx = Prisma.TransactionClient;

export async function refundJob(tx: Tx, jobId: string) {
  const reservations = await tx.usageEntry.findMany({
    where: { jobId, kind: 'RESERVE' },
    select: { idempotencyKey: true },
  });
  for (const r of reservations) await refund(tx, r.idempotencyKey);
}

export interface JobError {
  code: string;
  message: string;
}

/** A job a worker has taken is 10% done: the step before its first provider call. */
export const STARTED_PROGRESS = 10;

/** What a meter flush hands to the writes below (spend.ts). */
type Flushed = Spend & { llmCalls: number };

/** Progress as stored while a job runs: a whole number from 0 to 99 (100 is success's). */
const toPercent = (progress: number) => Math.max(0, Math.min(99, Math.round(progress)));

export function createJobLifecycle({ db, redis }: { db: Db; redis: Redis }) {
  // Events are sent, not awaited: the next step of the job need not wait for Redis's answer. They
  // stay in order (one connection sends commands in the order they are made), and a lost one only
  // delays a live view (publishJobEvent never rejects).
  const publish = (jobId: string, status: string, progress: number) =>
    void publishJobEvent(redis, { jobId, status, progress });
  /** Adds `spend` to the job's cost, whatever its state (the calls were paid for). */
  async function addSpend(jobId: string, spend: Flushed | undefined, client: Db | Tx = db) {
    if (!hasSpend(spend)) return;
    await client.$executeRaw`UPDATE "Job" SET ${addSpendSql(spend)} WHERE "id" = ${jobId}::uuid`;
  }
  return {
    /**
     * QUEUED or RUNNING (a retry) → RUNNING at STARTED_PROGRESS (or more, for a retry); undefined
     * when the job is final (e.g. cancelled).
     */
    async start(jobId: string) {
      // One round trip: the conditional move and the row it leaves.
      const [job] = await db.$queryRaw<Job[]>`
        UPDATE "Job" SET "status" = 'RUNNING', "attempts" = "attempts" + 1,
          "progress" = GREATEST("progress", ${STARTED_PROGRESS}::int),
          "startedAt" = COALESCE("startedAt", now()), "updatedAt" = now()
        WHERE "id" = ${jobId}::uuid AND "status" IN ('QUEUED', 'RUNNING') RETURNING *`;
      if (!job) return undefined;
      publish(jobId, 'RUNNING', job.progress);
      return job;
    },

    /** Progress only moves forward (0..100). */
    async progress(jobId: string, progress: number) {
      const value = toPercent(progress);
      const { count } = await db.job.updateMany({
        where: { id: jobId, status: 'RUNNING', progress: { lt: value } },
        data: { progress: value },
      });
      if (count === 1) publish(jobId, 'RUNNING', value);
    },

    /**
     * Saves the checkpoint (and the model when given), adding `spend` to the job's cost. With
     * `progress`, the same statement moves progress forward while the job runs: one round trip
     * instead of two.
     */
    async checkpoint(jobId: string, checkpoint: Prisma.InputJsonObject, extra: CheckpointExtra = {}, spend?: Flushed) {
      const { progress, model } = extra;
      const value = progress === undefined ? null : toPercent(progress);
      const [row] = await db.$queryRaw<Array<{ moved: boolean }>>`
        WITH old AS (SELECT "progress" FROM "Job" WHERE "id" = ${jobId}::uuid FOR UPDATE)
        UPDATE "Job" j SET "checkpoint" = ${JSON.stringify(checkpoint)}::jsonb,
          "model" = COALESCE(${model ?? null}, j."model"),
          ${addSpendSql(spend)},
          "progress" = CASE WHEN j."status" = 'RUNNING' THEN GREATEST(j."progress", COALESCE(${value}::int, 0)) ELSE j."progress" END,
          "updatedAt" = now()
        FROM old WHERE j."id" = ${jobId}::uuid
        RETURNING (j."status" = 'RUNNING' AND j."progress" > old."progress") AS "moved"`;
      if (row?.moved && value !== null) publish(jobId, 'RUNNING', value);
    },

    addSpend,

    async succeed(jobId: string, result: Prisma.InputJsonObject, spend?: Flushed) {
      // Raw SQL: the model API's updateMany compiled its query on every job (bench:jobs).
      const count = await db.$executeRaw`
        UPDATE "Job" SET "status" = 'SUCCEEDED', "progress" = 100, "result" = ${JSON.stringify(result)}::jsonb,
          ${addSpendSql(spend)}, "finishedAt" = now(), "updatedAt" = now()
        WHERE "id" = ${jobId}::uuid AND "status" = 'RUNNING'`;
      if (count === 1) publish(jobId, 'SUCCEEDED', 100);
      else await addSpend(jobId, spend);
      return count === 1;
    },

    async fail(jobId: string, error: JobError, spend?: Flushed) {
      const failed = await db.$transaction(async (tx) => {
        await addSpend(jobId, spend, tx);
        const { count } = await tx.job.updateMany({
          where: { id: jobId, status: { in: ['QUEUED', 'RUNNING'] } },
          // The row is shown to the user: no internal address, whoever wrote the message.
          data: {
            status: 'FAILED',
            error: { ...error, message: withoutAddresses(error.message) },
            finishedAt: new Date(),
          },
        });
        if (count === 1) await refundJob(tx, jobId);
        return count === 1;
      });
      if (failed) {
        const job = await db.job.findUniqueOrThrow({ where: { id: jobId }, select: { progress: true } });
        publish(jobId, 'FAILED', job.progress);
      }
      return failed;
    },
  };
}

export type JobLifecycle = ReturnType<typeof createJobLifecycle>;
