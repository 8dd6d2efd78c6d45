// The job queues: their names and options, in one place. BullMQ carries work; the Job row in
// Postgres is the truth. The BullMQ job id is the row's id, so enqueueing the same job twice is a
// no-op. Every job type runs on one queue (its name, 'generation', is kept: it holds queued work
// in Redis and labels the queue in /metrics); each type's retry options come from its definition
// (define-job.ts), JOB_OPTIONS unless it says otherwise. The delivery and notice queues are
// declared with their workers (modules/delivery, modules/telegram).
import { Queue, type ConnectionOptions } from 'bullmq';
import type { JobType } from '../../generated/prisma/enums.js';
import { isCluster, type RedisTarget } from '../../lib/redis.js';

export const QUEUE_PREFIX = 'postaify';

/**
 * The queues' key prefix on `target`. BullMQ's scripts touch many keys of a queue at once, and the
 * Telegram limiter's keys (`${prefix}:tg:*`) are taken together too; on a cluster the hash tag
 * `{postaify}` puts all of them in one slot, as a cluster requires of a script's keys. One Redis
 * keeps the prefix it always had, so a deploy of this version finds its queues where they were.
 */
export const queuePrefixFor = (target: RedisTarget) => (isCluster(target) ? `{${QUEUE_PREFIX}}` : QUEUE_PREFIX);
/** Every job type's queue (POSTS, CAMPAIGN, IMAGE, VOICE). */
export const GENERATION_QUEUE = 'generation';
/** Housekeeping (maintenance/maintenance.ts): expired rows are purged. */
export const MAINTENANCE_QUEUE = 'maintenance';

export interface JobPayload {
  jobId: string;
}

/** What a job type may choose about its retries. */
export interface JobQueueOptions {
  /** Tries in all, after a crash or a transient failure the clients' own retries did not absorb. */
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delay: number };
}

/** A job type's options unless its definition says otherwise. */
export const JOB_OPTIONS: JobQueueOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
};

/** How long finished entries stay in Redis (the row stays the record). */
const JOB_RETENTION = {
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 24 * 3_600 },
} as const;

export function createJobQueue(connection: ConnectionOptions, prefix = QUEUE_PREFIX) {
  const queue = new Queue<JobPayload>(GENERATION_QUEUE, { connection, prefix });
  return {
    queue,
    enqueue: (jobId: string, type: JobType, options: JobQueueOptions = JOB_OPTIONS) =>
      queue.add(type, { jobId }, { ...options, ...JOB_RETENTION, jobId }),
    remove: (jobId: string) => queue.remove(jobId).catch(() => 0),
    close: () => queue.close(),
  };
}

export type JobQueue = ReturnType<typeof createJobQueue>;
