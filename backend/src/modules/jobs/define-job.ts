// A job type, declared once: its name (a Prisma JobType), the schema of its input, the quota it
// reserves, its retry options and its handler. The route that accepts it passes the definition
// to acceptJob (the reservation and the posts it will write come from it); the worker validates
// the stored input with the same schema before the handler runs, so a handler gets typed input
// and never casts `job.input`. registry.ts (beside worker-services.ts) lists every definition,
// typed so that a JobType without one does not compile. How to add a type:
// docs/decisions/014-define-job.md.
//
// Handlers are safe to run twice: a step already paid for is read back from `job.checkpoint`
// instead of being called again, and rows they create carry keys that make a second insert a
// no-op.
import type { z } from 'zod';
import type { Job, Prisma } from '../../generated/prisma/client.js';
import type { JobType } from '../../generated/prisma/enums.js';
import { AppError } from '../../lib/errors.js';
import type { PostsToWrite } from '../usage/usage.service.js';
import type { Reservation } from '../usage/usage.service.js';
import { JOB_OPTIONS, type JobQueueOptions } from './queues.js';
import type { Spend } from './spend.js';

export interface CheckpointExtra {
  model?: string;
  /** 0..100, only forward. */
  progress?: number;
}

export interface JobContext<Input> {
  job: Job;
  /** `job.input`, validated by the job type's schema. */
  input: Input;
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

export type JobHandler<Input> = (ctx: JobContext<Input>) => Promise<Prisma.InputJsonObject>;

/** What the web side needs of a job type to accept one: everything but the handler. */
export interface JobSpec<T extends JobType = JobType, Input = unknown> {
  type: T;
  /** The schema of the stored input: what the accepting route stores, and the worker checks. */
  input: z.ZodType<Input>;
  /** The quota a job of this input takes (refunded if it fails or is cancelled). */
  reservation: (input: Input) => Reservation;
  /** The posts it writes when it succeeds, checked against the plan's caps at accept. */
  postsToWrite: (input: Input, reservation: Reservation) => PostsToWrite;
  options: JobQueueOptions;
}

export interface JobDefinition<T extends JobType = JobType, Input = unknown, Deps = never> extends JobSpec<T, Input> {
  /** Builds the handler once per worker from the clients it uses. */
  handler: (deps: Deps) => JobHandler<Input>;
}

const NO_POSTS: PostsToWrite = { stored: 0, scheduled: 0 };

export function defineJob<T extends JobType, S extends z.ZodType, Deps>(definition: {
  type: T;
  input: S;
  reservation: (input: z.output<S>) => Reservation;
  /** Default: none. */
  postsToWrite?: (input: z.output<S>, reservation: Reservation) => PostsToWrite;
  /** Default: JOB_OPTIONS (queues.ts). */
  options?: Partial<JobQueueOptions>;
  handler: (deps: Deps) => JobHandler<z.output<S>>;
}): JobDefinition<T, z.output<S>, Deps> {
  return {
    ...definition,
    input: definition.input as z.ZodType<z.output<S>>,
    postsToWrite: definition.postsToWrite ?? (() => NO_POSTS),
    options: { ...JOB_OPTIONS, ...definition.options },
  };
}

/**
 * Every job type's definition, handlers built from `Deps`: a JobType missing here, or filed under
 * another type's name, is a compile error.
 */
export type JobRegistry<Deps> = { [T in JobType]: JobDefinition<T, any, Deps> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * `job.input` as its type's schema reads it, or a final failure (no retry: the input will not
 * change) that names the type and the first fields at fault. The input was validated when the job
 * was accepted, so this means the row was changed since, or the schema was, without the queued
 * jobs.
 */
export function parseJobInput<Input>(spec: Pick<JobSpec<JobType, Input>, 'type' | 'input'>, input: unknown): Input {
  const parsed = spec.input.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${['input', ...issue.path.map(String)].join('.')}: ${issue.message}`);
  throw new AppError('INTERNAL_ERROR', `The job's input is not a valid ${spec.type} input (${issues.join('; ')}).`, {
    issues,
  });
}
