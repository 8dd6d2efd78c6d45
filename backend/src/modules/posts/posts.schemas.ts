import { z } from 'zod';
import type { Post } from '../../generated/prisma/client.js';
import { listQuery } from '../../http/pagination.js';
import { instant } from '../../http/validation.js';
import { lengthProblem, PLATFORMS } from './platforms.js';

// Each platform's rules, which generation writes to as well.
export { contentLength, PLATFORM_LIMITS, PLATFORMS } from './platforms.js';

export const POST_STATUSES = ['DRAFT', 'SCHEDULED', 'DELIVERING', 'DELIVERED', 'FAILED'] as const;

const content = z
  .string()
  .min(1)
  .max(5_000)
  // Telegram refuses an empty text, and spaces alone are one.
  .refine((s) => s.trim().length > 0, { message: 'content must have some text, not only spaces' })
  .describe(
    "Checked against the platform's limit, in code points; on TWITTER in X's weighted length " +
      '(twitter-text: a link counts 23, an emoji or a CJK character 2).',
  );
const mediaUrl = z
  .url({ protocol: /^https?$/ })
  .max(2_048)
  .nullable()
  .optional()
  .describe('Media this product stored for you (a generated image or voice-over) or an https URL on a public host.');

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
  })
  .meta({
    id: 'PostCreate',
    examples: [
      {
        brandId: '0b7e4d2a-3c1f-4a8e-b5d6-9f2e1c7a4b30',
        platform: 'LINKEDIN',
        content: 'We shipped scheduled posts today: write once, get it in Telegram at 9:00, copy it to LinkedIn.',
      },
    ],
  });

export const postPatch = z
  .strictObject({
    brandId: z.uuid().nullable().optional(),
    platform: z.enum(PLATFORMS).optional(),
    content: content.optional(),
    imageUrl: mediaUrl,
    audioUrl: mediaUrl,
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'Nothing to change.' })
  .meta({
    id: 'PostUpdate',
    description: 'The fields to change (at least one); `null` clears brandId, imageUrl or audioUrl.',
    examples: [{ content: 'We shipped scheduled posts today. Write once, read it in Telegram at 9:00.' }],
  });

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

export const scheduleBody = z
  .strictObject({
    scheduledFor: instant.describe('When to deliver it: from one minute ago to 365 days ahead; UTC or with an offset.'),
  })
  .meta({ id: 'PostSchedule' });

/** An example post, for the OpenAPI document (the routes' examples reuse it). */
export const EXAMPLE_POST = {
  id: '5f1c2a9e-8b3d-4c7a-9e21-6d4b8f0a3c17',
  brandId: '0b7e4d2a-3c1f-4a8e-b5d6-9f2e1c7a4b30',
  platform: 'LINKEDIN',
  content: 'We shipped scheduled posts today: write once, get it in Telegram at 9:00, copy it to LinkedIn.',
  status: 'SCHEDULED',
  scheduledFor: '2026-11-24T08:30:00.000Z',
  deliveredAt: null,
  imageUrl: null,
  audioUrl: null,
  aiGenerated: true,
  aiModel: 'openai/gpt-4o-mini',
  lastError: null,
  createdAt: '2026-11-22T09:30:00.000Z',
  updatedAt: '2026-11-22T09:41:12.000Z',
} as const;

export const postSchema = z
  .object({
    id: z.string(),
    brandId: z.string().nullable(),
    platform: z.enum(PLATFORMS),
    content: z.string(),
    status: z
      .enum(POST_STATUSES)
      .describe('DRAFT → SCHEDULED → DELIVERING → DELIVERED or FAILED; unscheduling returns to DRAFT.'),
    scheduledFor: z.iso.datetime().nullable().describe('When it is (or was) to be delivered; null for a draft.'),
    deliveredAt: z.iso.datetime().nullable().describe('When Telegram accepted the delivery.'),
    imageUrl: z.string().nullable(),
    audioUrl: z.string().nullable(),
    aiGenerated: z.boolean().describe('Written by generation (counted against the quota) rather than by hand.'),
    aiModel: z.string().nullable().describe('The model that wrote it.'),
    lastError: z.string().nullable().describe('Why the last delivery failed.'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Post', examples: [EXAMPLE_POST] });

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
