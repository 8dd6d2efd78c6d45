import { z } from 'zod';
import type { Job } from '../../generated/prisma/client.js';
import { JobType } from '../../generated/prisma/enums.js';
import { listQuery } from '../../http/pagination.js';
import type { JobSpec } from './define-job.js';

export const JOB_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export const FINAL_STATUSES: ReadonlyArray<(typeof JOB_STATUSES)[number]> = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** An example job (a finished POSTS job), for the OpenAPI document; the routes' examples reuse it. */
export const EXAMPLE_JOB = {
  id: '8c0d6f3e-2b9a-4d17-a5e4-3f7b1c9e2d60',
  type: 'POSTS',
  status: 'SUCCEEDED',
  progress: 100,
  input: {
    transcript: 'Notes from our launch call: scheduled posts ship today; the bot delivers them to Telegram.',
    platform: 'LINKEDIN',
    numberOfPosts: 2,
    style: 'PROFESSIONAL',
    brandId: '0b7e4d2a-3c1f-4a8e-b5d6-9f2e1c7a4b30',
  },
  result: { postIds: ['5f1c2a9e-8b3d-4c7a-9e21-6d4b8f0a3c17', 'c2a4e6b8-1d3f-4a5b-9c7d-0e2f4a6b8c1d'] },
  error: null,
  cost: { tokensIn: 412, tokensOut: 236, llmCostUsd: 0.000203, images: 0, voiceChars: 0 },
  createdAt: '2026-11-22T09:30:00.000Z',
  startedAt: '2026-11-22T09:30:00.412Z',
  finishedAt: '2026-11-22T09:30:07.935Z',
} as const;

export const jobSchema = z
  .object({
    id: z.string(),
    type: z.enum(JobType),
    status: z.enum(JOB_STATUSES).describe('QUEUED → RUNNING → SUCCEEDED, FAILED or CANCELLED.'),
    progress: z.number().int().min(0).max(100).describe('0 to 100; it only goes forward.'),
    input: z.record(z.string(), z.unknown()).describe('The request that created it.'),
    result: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe(
        'Once SUCCEEDED: `{ postIds }` (POSTS; CAMPAIGN adds `scheduled`), `{ imageUrl }` (IMAGE), `{ audioUrl }` (VOICE).',
      ),
    error: z
      .object({ code: z.string(), message: z.string() })
      .nullable()
      .describe('Why it FAILED: an error code of the API (e.g. UPSTREAM_TIMEOUT) and a message.'),
    cost: z
      .object({
        tokensIn: z.number().int().describe("The model's prompt tokens, over every call."),
        tokensOut: z.number().int().describe("The model's completion tokens, over every call."),
        llmCostUsd: z.number().describe('What OpenRouter charged for those calls, in US dollars.'),
        images: z.number().int().describe('Images requested from the image model.'),
        voiceChars: z.number().int().describe('Characters spoken by the voice model.'),
      })
      .describe(
        'What the job used at its providers so far, retries and failed calls included (a failed job is refunded from your quota, not from this).',
      ),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Job', examples: [EXAMPLE_JOB] });

/** The same job as a job-creating POST answers it (202): just accepted. */
export const EXAMPLE_QUEUED_JOB = {
  ...EXAMPLE_JOB,
  status: 'QUEUED',
  progress: 0,
  result: null,
  cost: { tokensIn: 0, tokensOut: 0, llmCostUsd: 0, images: 0, voiceChars: 0 },
  startedAt: null,
  finishedAt: null,
} as const;

export type JobDto = z.input<typeof jobSchema>;

export const jobListQuery = z.strictObject({
  ...listQuery,
  status: z.enum(JOB_STATUSES).optional(),
  type: z.enum(JobType).optional(),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toJobDto(j: Job): JobDto {
  return {
    id: j.id,
    type: j.type,
    status: j.status,
    progress: j.progress,
    input: j.input as Record<string, unknown>,
    result: (j.result as Record<string, unknown> | null) ?? null,
    error: (j.error as { code: string; message: string } | null) ?? null,
    cost: {
      tokensIn: j.tokensIn ?? 0,
      tokensOut: j.tokensOut ?? 0,
      llmCostUsd: j.llmCostMicroUsd / 1_000_000,
      images: j.images,
      voiceChars: j.voiceChars,
    },
    createdAt: j.createdAt.toISOString(),
    startedAt: iso(j.startedAt),
    finishedAt: iso(j.finishedAt),
  };
}

export interface AcceptRequest<Input extends object = object> {
  userId: string;
  /** The job type: the quota it reserves and the posts it will write come from its definition. */
  job: JobSpec<JobType, Input>;
  /** What the job stores, as its type's schema reads it. */
  input: Input;
  /** The Idempotency-Key header, when sent. */
  idempotencyKey?: string;
  /** Method and path, part of what a key is bound to. */
  route: string;
}

export interface Accepted {
  job: JobDto;
  replayed: boolean;
}
