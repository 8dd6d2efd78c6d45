import { z } from 'zod';
import type { Job } from '../../generated/prisma/client.js';
import { listQuery } from '../../http/pagination.js';

export const JOB_TYPES = ['POSTS', 'CAMPAIGN', 'IMAGE', 'VOICE'] as const;
export const JOB_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export const FINAL_STATUSES: ReadonlyArray<(typeof JOB_STATUSES)[number]> = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export const jobSchema = z.object({
  id: z.string(),
  type: z.enum(JOB_TYPES),
  status: z.enum(JOB_STATUSES),
  progress: z.number().int().min(0).max(100),
  input: z.record(z.string(), z.unknown()),
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
});

export type JobDto = z.input<typeof jobSchema>;

export const jobListQuery = z.strictObject({
  ...listQuery,
  status: z.enum(JOB_STATUSES).optional(),
  type: z.enum(JOB_TYPES).optional(),
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
    createdAt: j.createdAt.toISOString(),
    startedAt: iso(j.startedAt),
    finishedAt: iso(j.finishedAt),
  };
}
