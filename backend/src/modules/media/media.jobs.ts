// The media feature's job types, as the worker's registry (job-registry.ts) takes them: each is
// declared once, beside its handler.
import { imageJob } from './image.job.js';
import { voiceJob } from './voice.job.js';

export const mediaJobs = { IMAGE: imageJob, VOICE: voiceJob } as const;
