import { z } from 'zod';
import type { Post } from '../../generated/prisma/client.js';
import { listQuery } from '../../http/pagination.js';
import { lengthProblem, PLATFORMS } from './platforms.js';

export const POST_STATUSES = ['DRAFT', 'SCHEDULED', 'DELIVERING', 'DELIVERED', 'FAILED'] as const;

/** ISO-8601 input with a zone (Z or an offset), as a Date. */
export const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const content = z
  .string()
  .min(1)
  .max(5_000)
  .describe(
    "Checked against the platform's limit, in code points; on TWITTER in X's weighted length " +
      '(twitter-text: a link counts 23, an emoji or a CJK character 2).',
  );
const mediaUrl = z
  .url({ protocol: /^https?$/ })
  .max(2_048)
  .nullable()
  .optional();

export const postCreate = z
  .strictObject({
    brandId: z.uuid().nullable().optional(),
    platform: z.enum(PLATFORMS),
    content,
    imageUrl: mediaUrl,
    audioUrl: mediaUrl,
  })
  .superRefine((post, ctx) => {
    const problem = lengthProblem(post.platform, post.content);
    if (problem) ctx.addIssue({ code: 'custom', path: ['content'], message: problem });
  });

export const postPatch = z
  .strictObject({
    brandId: z.uuid().nullable().optional(),
    platform: z.enum(PLATFORMS).optional(),
    content: content.optional(),
    imageUrl: mediaUrl,
    audioUrl: mediaUrl,
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'Nothing to change.' });

export const postListQuery = z
  .strictObject({
    ...listQuery,
    status: z.enum(POST_STATUSES).optional(),
    brandId: z.uuid().optional(),
    platform: z.enum(PLATFORMS).optional(),
    from: instant.optional().describe('scheduledFor at or after this instant.'),
    to: instant.optional().describe('scheduledFor before this instant.'),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: '`from` must be before `to`.', path: ['from'] });

export const scheduleBody = z.strictObject({
  scheduledFor: instant.describe('From one minute ago to 365 days ahead.'),
});

export const postSchema = z.object({
  id: z.string(),
  brandId: z.string().nullable(),
  platform: z.enum(PLATFORMS),
  content: z.string(),
  status: z.enum(POST_STATUSES),
  scheduledFor: z.iso.datetime().nullable(),
  deliveredAt: z.iso.datetime().nullable(),
  imageUrl: z.string().nullable(),
  audioUrl: z.string().nullable(),
  aiGenerated: z.boolean(),
  aiModel: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toPostDto(p: Post): z.input<typeof postSchema> {
  return {
    id: p.id,
    brandId: p.brandId,
    platform: p.platform,
    content: p.content,
    status: p.status,
    scheduledFor: iso(p.scheduledFor),
    deliveredAt: iso(p.deliveredAt),
    imageUrl: p.imageUrl,
    audioUrl: p.audioUrl,
    aiGenerated: p.aiGenerated,
    aiModel: p.aiModel,
    lastError: p.lastError,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
