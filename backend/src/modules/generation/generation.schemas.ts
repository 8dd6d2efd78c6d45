import { z } from 'zod';
import { PLATFORMS } from '../posts/platforms.js';
import { STYLES } from './prompts.js';

export const generateBody = z.strictObject({
  transcript: z.string().trim().min(10).max(20_000),
  platform: z.enum(PLATFORMS),
  numberOfPosts: z.number().int().min(1).max(10),
  style: z.enum(STYLES),
  brandId: z.uuid().optional(),
  language: z
    .string()
    .trim()
    .min(2)
    .max(40)
    .optional()
    .describe('e.g. "en" or "German"; default: the transcript\'s language.'),
});

export const MAX_CAMPAIGN_POSTS = 300;

export const campaignBody = z.strictObject({
  goal: z.string().trim().min(10).max(2_000),
  platforms: z
    .array(z.enum(PLATFORMS))
    .min(1)
    .max(PLATFORMS.length)
    .refine((p) => new Set(p).size === p.length, { message: 'Each platform once.' }),
  startDate: z.iso.date().describe('First day (YYYY-MM-DD) in your time zone.'),
  durationDays: z.number().int().min(1).max(90),
  postsPerWeek: z.number().int().min(1).max(21),
  style: z.enum(STYLES).default('PROFESSIONAL'),
  brandId: z.uuid().optional(),
  language: z.string().trim().min(2).max(40).optional(),
  schedule: z.boolean().default(false).describe('Schedule the posts for delivery (needs a linked Telegram chat).'),
});

export type GenerateInput = z.output<typeof generateBody>;
export type CampaignInput = z.output<typeof campaignBody>;
