import { z } from 'zod';
import type { Brand } from '../../generated/prisma/client.js';

const text = (max: number) => z.string().trim().min(1).max(max);

export const brandCreate = z.strictObject({
  name: text(100),
  description: text(2_000).nullable().optional(),
  voice: text(1_000).nullable().optional().describe('How the brand sounds, used in every prompt.'),
  audience: text(1_000).nullable().optional(),
  imageStyle: text(500).nullable().optional(),
  voiceId: text(100).nullable().optional().describe('ElevenLabs voice id for voice-overs.'),
});

export const brandPatch = brandCreate
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'Nothing to change.' });

export const brandSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  voice: z.string().nullable(),
  audience: z.string().nullable(),
  imageStyle: z.string().nullable(),
  voiceId: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const idParams = z.object({ id: z.uuid() });

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
