// The generation feature's job types, as the worker's registry (job-registry.ts) takes them: each
// is declared once, beside its handler.
import { campaignJob } from './campaign.job.js';
import { postsJob } from './posts.job.js';

export const generationJobs = { POSTS: postsJob, CAMPAIGN: campaignJob } as const;
