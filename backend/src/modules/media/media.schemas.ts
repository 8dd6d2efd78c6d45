import { z } from 'zod';
import { ASPECT_SIZES, FAL_MODELS } from '../../integrations/fal-models.js';

/** The request of POST /images/generate, and the input an IMAGE job stores (image.job.ts). */
export const imageBody = z
  .strictObject({
    prompt: z.string().trim().min(3).max(1_000).describe('What the image shows.'),
    aspectRatio: z.enum(Object.keys(ASPECT_SIZES) as [keyof typeof ASPECT_SIZES, ...Array<keyof typeof ASPECT_SIZES>]),
    style: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('e.g. "watercolor"; used with the image style of the post\'s brand.'),
    model: z
      .enum(Object.keys(FAL_MODELS) as ['SCHNELL', 'DEV'])
      .default('SCHNELL')
      .describe('FLUX schnell (fast) or dev (finer).'),
    postId: z.uuid().optional().describe('Attach the image to this post when it is ready.'),
  })
  .meta({
    id: 'ImageRequest',
    examples: [
      {
        prompt: 'A flat white on a wooden counter, morning light, steam rising',
        aspectRatio: '1:1',
        postId: '5f1c2a9e-8b3d-4c7a-9e21-6d4b8f0a3c17',
      },
    ],
  });

export type ImageInput = z.output<typeof imageBody>;
