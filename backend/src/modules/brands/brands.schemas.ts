import { z } from 'zod';
import type { Brand } from '../../generated/prisma/client.js';

const text = (max: number) => z.string().trim().min(1).max(max);

const brandFields = z.strictObject({
  name: text(100),
  description: text(2_000).nullable().optional().describe('What the brand is and does.'),
  voice: text(1_000).nullable().optional().describe('How the brand sounds, used in every prompt.'),
  audience: text(1_000).nullable().optional().describe('Who the posts are for, used in every prompt.'),
  imageStyle: text(500).nullable().optional().describe('Added to the prompt of its generated images.'),
  voiceId: text(100)
    .nullable()
    .optional()
    .describe('The voice of its voice-overs: one of GET /voice/voices (400 otherwise).'),
});

/** An example brand, for the OpenAPI document. */
export const EXAMPLE_BRAND = {
  id: '0b7e4d2a-3c1f-4a8e-b5d6-9f2e1c7a4b30',
  name: 'Northwind Coffee',
  description: 'A small-batch roastery in Hamburg.',
  voice: 'Warm, curious, a little nerdy about coffee; never salesy.',
  audience: 'Home baristas and cafe owners.',
  imageStyle: 'Natural light, earthy tones, close-ups of beans and cups.',
  voiceId: null,
  createdAt: '2026-11-20T14:02:11.000Z',
  updatedAt: '2026-11-20T14:02:11.000Z',
} as const;

export const brandCreate = brandFields.meta({
  id: 'BrandCreate',
  examples: [
    {
      name: EXAMPLE_BRAND.name,
      description: EXAMPLE_BRAND.description,
      voice: EXAMPLE_BRAND.voice,
      audience: EXAMPLE_BRAND.audience,
      imageStyle: EXAMPLE_BRAND.imageStyle,
    },
  ],
});

export const brandPatch = brandFields
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'Nothing to change.' })
  .meta({
    id: 'BrandUpdate',
    description: 'The fields to change (at least one); `null` clears an optional one.',
    examples: [{ voice: 'Warm and curious; short sentences.', voiceId: null }],
  });

export const brandSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    voice: z.string().nullable(),
    audience: z.string().nullable(),
    imageStyle: z.string().nullable(),
    voiceId: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Brand', examples: [EXAMPLE_BRAND] });

export function toBrandDto(b: Brand): z.input<typeof brandSchema> {
  return {
    id: b.id,
    name: b.name,
    description: b.description,
    voice: b.voice,
    audience: b.audience,
    imageStyle: b.imageStyle,
    voiceId: b.voiceId,
    createdAt: b.createdAt.toISOString(),
    updatedAt: b.updatedAt.toISOString(),
  };
}
