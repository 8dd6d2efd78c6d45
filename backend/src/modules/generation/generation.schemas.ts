import { z } from 'zod';
import { PLATFORMS } from '../posts/posts.schemas.js';
import { STYLES } from './prompts.js';

export const generateBody = z
  .strictObject({
    transcript: z.string().trim().min(10).max(20_000).describe('A transcript, notes or a goal: what to write about.'),
    platform: z.enum(PLATFORMS),
    numberOfPosts: z.number().int().min(1).max(10).describe('How many drafts to write; each counts one post.'),
    style: z.enum(STYLES),
    brandId: z.uuid().optional().describe("Write in this brand's voice, for its audience."),
    language: z
      .string()
      .trim()
      .min(2)
      .max(40)
      .optional()
      .describe('e.g. "en" or "German"; default: the transcript\'s language.'),
  })
  .meta({
    id: 'GenerateRequest',
    examples: [
      {
        transcript: 'Notes from our launch call: scheduled posts ship today; the bot delivers them to Telegram.',
        platform: 'LINKEDIN',
        numberOfPosts: 2,
        style: 'PROFESSIONAL',
        brandId: '0b7e4d2a-3c1f-4a8e-b5d6-9f2e1c7a4b30',
      },
    ],
  });

export const MAX_CAMPAIGN_POSTS = 300;

export const campaignBody = z
  .strictObject({
    goal: z.string().trim().min(10).max(2_000).describe('What the campaign is for.'),
    platforms: z
      .array(z.enum(PLATFORMS))
      .min(1)
      .max(PLATFORMS.length)
      .refine((p) => new Set(p).size === p.length, { message: 'Each platform once.' }),
    startDate: z.iso.date().describe('First day (YYYY-MM-DD) in your time zone.'),
    durationDays: z.number().int().min(1).max(90).describe('How many days, from startDate.'),
    postsPerWeek: z
      .number()
      .int()
      .min(1)
      .max(21)
      .describe('Per platform; spread over the days at reading times of your time zone.'),
    style: z.enum(STYLES).default('PROFESSIONAL'),
    brandId: z.uuid().optional(),
    language: z.string().trim().min(2).max(40).optional(),
    schedule: z.boolean().default(false).describe('Schedule the posts for delivery (needs a linked Telegram chat).'),
  })
  .meta({
    id: 'CampaignRequest',
    examples: [
      {
        goal: 'Announce our winter blend and get people to pre-order it before December 10.',
        platforms: ['INSTAGRAM', 'LINKEDIN'],
        startDate: '2026-11-30',
        durationDays: 14,
        postsPerWeek: 3,
        style: 'CASUAL',
        brandId: '0b7e4d2a-3c1f-4a8e-b5d6-9f2e1c7a4b30',
        schedule: true,
      },
    ],
  });

export type GenerateInput = z.output<typeof generateBody>;
export type CampaignInput = z.output<typeof campaignBody>;
