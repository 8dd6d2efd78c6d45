// What a job handler gets and gives. Handlers are safe to run twice: a step already paid for is
// read back from `job.checkpoint` instead of being called again, and rows they create carry keys
// that make a second insert a no-op.
import type { Job, Prisma } from '../../generated/prisma/client.js';
import type { JobType } from '../../generated/prisma/enums.js';

export interface CheckpointExtra {
  model?: string;
  tokensIn?: number;
  tokensOut?: number;
  /** 0..100, only forward. */
  progress?: number;
}

export interface JobContext {
  job: Job;
  /** 0..100, only forward. */
  progress: (percent: number) => Promise<void>;
  /**
   * Merges `data` into the job's checkpoint, and records model and tokens when given. `progress`,
   * when given, moves in the same write (one round trip fewer than checkpoint, then progress).
   */
  checkpoint: (data: Prisma.InputJsonObject, extra?: CheckpointExtra) => Promise<void>;
}

export type JobHandler = (ctx: JobContext) => Promise<Prisma.InputJsonObject>;
export type JobHandlers = Record<JobType, JobHandler>;
