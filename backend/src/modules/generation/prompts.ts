// Prompts that respect the platform: its length limit (also enforced by the JSON schema and
// checked again on the answer), its hashtag habits, the style, the brand's voice and audience, and
// the language.
import type { Brand } from '../../generated/prisma/client.js';
import type { Platform } from '../../generated/prisma/enums.js';
import type { ChatMessage } from '../../integrations/openrouter.js';
import { PLATFORM_LIMITS } from '../posts/posts.schemas.js';

export const STYLES = ['PROFESSIONAL', 'CASUAL', 'WITTY', 'INSPIRATIONAL', 'EDUCATIONAL'] as const;
export type Style = (typeof STYLES)[number];

const HASHTAGS: Record<Platform, string> = {
  TWITTER: 'at most two relevant hashtags, woven in or at the end',
  LINKEDIN: 'up to three professional hashtags at the very end',
  INSTAGRAM: 'three to eight relevant hashtags at the end',
  FACEBOOK: 'no more than two hashtags, only if they help',
  THREADS: 'at most one hashtag',
  TELEGRAM: 'no hashtags',
};

const STYLE_NOTES: Record<Style, string> = {
  PROFESSIONAL: 'clear, credible and concise; no slang',
  CASUAL: 'friendly and conversational, like talking to a friend',
  WITTY: 'clever and light, with a touch of humour that never undercuts the point',
  INSPIRATIONAL: 'uplifting and forward-looking, concrete rather than vague',
  EDUCATIONAL: 'teach one useful thing per post, with a concrete example',
};

/** Room left under the hard limit, so a model that counts differently still fits. */
export const targetLength = (platform: Platform) => Math.floor(PLATFORM_LIMITS[platform] * 0.9);

/** How the platform counts, for the prompt (see contentLength in posts/platforms.ts). */
const COUNTING: Partial<Record<Platform, string>> = {
  TWITTER: 'X counts every link as 23 characters and each emoji or CJK character as 2.',
};

/**
 * `maxLength` is in code points (JSON Schema's unit): the target by default, less after an answer
 * whose weighted length (X) was over the limit.
 */
export function postsSchema(count: number, platform: Platform, maxLength = targetLength(platform)) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['posts'],
    properties: {
      posts: {
        type: 'array',
        minItems: count,
        maxItems: count,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['content'],
          properties: { content: { type: 'string', minLength: 1, maxLength } },
        },
      },
    },
  };
}

export interface PromptInput {
  platform: Platform;
  count: number;
  style: Style;
  language?: string;
  brand?: Pick<Brand, 'name' | 'description' | 'voice' | 'audience'> | null;
  /** What the posts are made from: a transcript, notes, or a campaign goal. */
  source: { kind: 'transcript' | 'goal'; text: string };
  /** Extra instruction, e.g. the day-by-day themes of a campaign. */
  extra?: string;
}

export function postsMessages(input: PromptInput, correction?: string): ChatMessage[] {
  const limit = targetLength(input.platform);
  const brand = input.brand
    ? [
        `Brand: ${input.brand.name}.`,
        input.brand.description ? `About the brand: ${input.brand.description}` : '',
        input.brand.voice ? `Brand voice: ${input.brand.voice}` : '',
        input.brand.audience ? `Audience: ${input.brand.audience}` : '',
      ]
        .filter(Boolean)
        .join('\n')
    : '';
  const system = [
    `You write ${input.platform} posts for a creator. Write exactly ${input.count} distinct post(s).`,
    `Each post must be at most ${limit} characters, counting spaces, emoji and hashtags.`,
    COUNTING[input.platform] ?? '',
    `Style: ${STYLE_NOTES[input.style]}. Hashtags: ${HASHTAGS[input.platform]}.`,
    `Write in ${input.language ?? 'the language of the source text'}.`,
    'Use only facts from the source; never invent numbers, names or quotes.',
    brand,
    'Answer with JSON matching the given schema and nothing else.',
  ]
    .filter(Boolean)
    .join('\n');
  const user = [
    input.source.kind === 'transcript' ? 'Source (transcript or notes):' : 'Campaign goal:',
    input.source.text,
    input.extra ?? '',
    correction ?? '',
  ]
    .filter(Boolean)
    .join('\n\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}
