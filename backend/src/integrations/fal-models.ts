// Fal's models and image sizes, apart from the client: the web process validates requests with
// them without loading the Fal SDK (only the worker calls Fal).
export const FAL_MODELS = { SCHNELL: 'fal-ai/flux/schnell', DEV: 'fal-ai/flux/dev' } as const;
export type FalModel = keyof typeof FAL_MODELS;

export const ASPECT_SIZES = {
  '1:1': 'square_hd',
  '16:9': 'landscape_16_9',
  '9:16': 'portrait_16_9',
  '4:3': 'landscape_4_3',
  '3:4': 'portrait_4_3',
} as const;
export type AspectRatio = keyof typeof ASPECT_SIZES;
