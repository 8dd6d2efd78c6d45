// Every job type, listed once: the definitions (modules/jobs/define-job.ts) that live beside their
// handlers. The worker runs them (worker-services.ts); the routes that accept a job pass their own
// definition to acceptJob. It sits beside the composition roots because it imports the features
// (modules/jobs importing them back would be a loop). A JobType of the Prisma schema without a
// definition here, or with another type's, does not compile.
import type { Db } from './lib/db.js';
import type { ElevenLabs } from './integrations/elevenlabs.js';
import type { Fal } from './integrations/fal.js';
import type { OpenRouter } from './integrations/openrouter.js';
import type { Storage } from './integrations/storage.js';
import { generationJobs } from './modules/generation/generation.jobs.js';
import type { JobRegistry } from './modules/jobs/jobs.service.js';
import { mediaJobs } from './modules/media/media.jobs.js';

/** What the worker builds handlers from; each handler takes the part it uses. */
export interface JobDeps {
  db: Db;
  openrouter: OpenRouter;
  fal: Fal;
  elevenlabs: ElevenLabs;
  storage: Storage;
}

export const JOB_DEFINITIONS = { ...generationJobs, ...mediaJobs } satisfies JobRegistry<JobDeps>;
