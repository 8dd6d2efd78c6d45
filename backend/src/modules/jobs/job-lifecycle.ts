// The worker side of a job's row: running, progress, success, failure. Each step is conditional
// on the state it moves from, so a job retried after a crash, or cancelled meanwhile, is handled
// once. A failure refunds the job's reservations exactly once.
import type { Job, Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db.js';
import type { Redis } from '../../lib/redis.js';
import { refund } from '../usage/quota.js';
import { publishJobEvent } from './job-events.js';

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

export function createJobLifecycle({ db, redis }: { db: Db; redis: Redis }) {
  const publish = (jobId: string, status: string, progress: number) =>
    publishJobEvent(redis, { jobId, status, progress });
  return {
    /** QUEUED or RUNNING (a retry) → RUNNING; undefined when the job is final (e.g. cancelled). */
    async start(jobId: string) {
      // One round trip: the conditional move and the row it leaves.
      const [job] = await db.$queryRaw<Job[]>`
        UPDATE "Job" SET "status" = 'RUNNING', "attempts" = "attempts" + 1,
          "startedAt" = COALESCE("startedAt", now()), "updatedAt" = now()
        WHERE "id" = ${jobId}::uuid AND "status" IN ('QUEUED', 'RUNNING') RETURNING *`;
      if (!job) return undefined;
      await publish(jobId, 'RUNNING', job.progress);
      return job;
    },

    /** Progress only moves forward (0..100). */
    async progress(jobId: string, progress: number) {
      const value = Math.max(0, Math.min(99, Math.round(progress)));
      const { count } = await db.job.updateMany({
        where: { id: jobId, status: 'RUNNING', progress: { lt: value } },
        data: { progress: value },
      });
      if (count === 1) await publish(jobId, 'RUNNING', value);
    },

    async checkpoint(
      jobId: string,
      checkpoint: Prisma.InputJsonObject,
      usage?: { model?: string; tokensIn?: number; tokensOut?: number },
    ) {
      await db.job.update({ where: { id: jobId }, data: { checkpoint, ...usage } });
    },

    async succeed(jobId: string, result: Prisma.InputJsonObject) {
      const { count } = await db.job.updateMany({
        where: { id: jobId, status: 'RUNNING' },
        data: { status: 'SUCCEEDED', progress: 100, result, finishedAt: new Date(), error: undefined },
      });
      if (count === 1) await publish(jobId, 'SUCCEEDED', 100);
      return count === 1;
    },

    async fail(jobId: string, error: JobError) {
      const failed = await db.$transaction(async (tx) => {
        const { count } = await tx.job.updateMany({
          where: { id: jobId, status: { in: ['QUEUED', 'RUNNING'] } },
          data: { status: 'FAILED', error: { ...error }, finishedAt: new Date() },
        });
        if (count === 1) await refundJob(tx, jobId);
        return count === 1;
      });
      if (failed) {
        const job = await db.job.findUniqueOrThrow({ where: { id: jobId }, select: { progress: true } });
        await publish(jobId, 'FAILED', job.progress);
      }
      return failed;
    },
  };
}

export type JobLifecycle = ReturnType<typeof createJobLifecycle>;
