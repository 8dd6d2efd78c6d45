import { IDEMPOTENCY_HEADER } from '../../http/idempotency.js';
import type { RouteTable } from '../../http/route.js';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import { currentUser } from '../../http/current-user.js';
import { acceptJob } from '../jobs/jobs.service.js';
import { EXAMPLE_QUEUED_JOB, jobSchema } from '../jobs/jobs.schemas.js';
import type { JobsService } from '../jobs/jobs.service.js';
import { deliverableChat } from '../telegram/telegram.service.js';
import { calendarDateProblem } from './calendar.js';
import { campaignJob } from './campaign.job.js';
import { campaignBody, generateBody, MAX_CAMPAIGN_POSTS } from './generation.schemas.js';
import { postsJob } from './posts.job.js';
import { invalid } from '../../http/validation.js';

export async function assertOwnBrand(db: Db, userId: string, brandId: string | undefined) {
  if (brandId && !(await db.brand.findFirst({ where: { id: brandId, userId }, select: { id: true } }))) {
    throw new AppError('NOT_FOUND', 'Brand not found.', { field: 'brandId' });
  }
}

export function generationRoutes(table: RouteTable, { db, jobs }: { db: Db; jobs: JobsService }) {
  const common = {
    method: 'post',
    tag: 'Generation',
    status: 202,
    response: jobSchema,
    headers: [IDEMPOTENCY_HEADER],
    errors: ['NOT_FOUND', 'QUOTA_EXCEEDED', 'IDEMPOTENCY_KEY_REUSED', 'CONFLICT'],
  } as const;
  table.add(
    {
      ...common,
      path: '/ai/generate',
      operationId: 'generatePosts',
      summary: 'Generate posts',
      description:
        "Write `numberOfPosts` `DRAFT` posts for one platform from a transcript, notes or a goal, in the brand's voice when `brandId` is given. Answers 202 with a `POSTS` job; when it succeeds, `result.postIds` are the new drafts. Counts `numberOfPosts` posts (refunded if the job fails).",
      body: generateBody,
      examples: { response: EXAMPLE_QUEUED_JOB },
    },
    async ({ req, res, body }) => {
      await assertOwnBrand(db, currentUser(res).id, body.brandId);
      return acceptJob(jobs, req, res, postsJob, body);
    },
  );
  table.add(
    {
      ...common,
      path: '/ai/campaign',
      operationId: 'generateCampaign',
      summary: 'Generate a campaign',
      description:
        'Turn a goal into a content calendar: `postsPerWeek` posts per platform spread over `durationDays` days from `startDate`, at reading times of your time zone. With `schedule: true` they are `SCHEDULED` for delivery (needs a linked Telegram chat), otherwise drafts. Answers 202 with a `CAMPAIGN` job; at most 300 posts, each counted.',
      body: campaignBody,
      errors: [...common.errors, 'TELEGRAM_NOT_LINKED'],
    },
    async ({ req, res, body }) => {
      const user = currentUser(res);
      const posts = campaignJob.reservation(body).units;
      const tooMany =
        posts > MAX_CAMPAIGN_POSTS
          ? `A campaign makes at most ${MAX_CAMPAIGN_POSTS} posts; this one would make ${posts}.`
          : undefined;
      const badDates = calendarDateProblem({ ...body, timeZone: user.timezone });
      if (tooMany || badDates) {
        const issue = tooMany ? { path: 'body', message: tooMany } : { path: 'body.startDate', message: badDates! };
        throw invalid([issue]);
      }
      await assertOwnBrand(db, user.id, body.brandId);
      if (body.schedule && !(await deliverableChat(db, user.id))) {
        throw new AppError('TELEGRAM_NOT_LINKED', 'Link your Telegram chat first, or send schedule: false.');
      }
      return acceptJob(jobs, req, res, campaignJob, body);
    },
  );
}
