// The generation queue. BullMQ carries work; the Job row in Postgres is the truth. The BullMQ job
// id is the row's id, so enqueueing the same job twice is a no-op.
import { Queue, type ConnectionOptions } from 'bullmq';
import type { JobType } from '../../generated/prisma/enums.js';

export const GENERATION_QUEUE = 'generation';
export const QUEUE_PREFIX = 'postaify';

export interface GenerationPayload {
  jobId: string;
}

export const GENERATION_JOB_OPTIONS = {
  // Retries after a crash or a transient failure the clients' own retries did not absorb.
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 24 * 3_600 },
} as const;

export function createGenerationQueue(connection: ConnectionOptions, prefix = QUEUE_PREFIX) {
  const queue = new Queue<GenerationPayload>(GENERATION_QUEUE, { connection, prefix });
  return {
    queue,
    enqueue: (jobId: string, type: JobType) => queue.add(type, { jobId }, { ...GENERATION_JOB_OPTIONS, jobId }),
    remove: (jobId: string) => queue.remove(jobId).catch(() => 0),
    close: () => queue.close(),
  };
}

export type GenerationQueue = ReturnType<typeof createGenerationQueue>;
