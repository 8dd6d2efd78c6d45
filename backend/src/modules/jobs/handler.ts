// What a job handler gets and gives. Handlers are safe to run twice: a step already paid for is
// read back from `job.checkpoint` instead of being called again, and rows they create carry keys
// that make a second insert a no-op.
import type { Job, Prisma } from '../../generated/prisma/client.js';
import type { JobType } from '../../generated/prisma/enums.js';
import type { Spend } from './spend.js';

export interface CheckpointExtra {
  model?: string;
  /** 0..100, only forward. */
  progress?: number;
}

export interface JobContext {
  job: Job;
  /** 0..100, only forward. */
  progress: (percent: number) => Promise<void>;
  /**
   * Merges `data` into the job's checkpoint, and records the model when given. `progress`, when
   * given, moves in the same write (one round trip fewer than checkpoint, then progress).
   */
  checkpoint: (data: Prisma.InputJsonObject, extra?: CheckpointExtra) => Promise<void>;
  /**
   * Reports what a provider call cost, as soon as it was paid for (a call whose answer is then
   * unusable too); `llmCall` for each OpenRouter answer. Written with the job's next update.
   */
  spend: (spend: Partial<Spend>, options?: { llmCall?: boolean }) => void;
}

export type JobHandler = (ctx: JobContext) => Promise<Prisma.InputJsonObject>;
export type JobHandlers = Record<JobType, JobHandler>;
