// CAMPAIGN jobs: a goal becomes a calendar of posts over the days, at reading times of the user's
// time zone, one post per platform per slot, written in batches of at most ten per call. Each
// batch is checkpointed; posts carry (jobId, jobIndex) so a retry never duplicates them.
import type { Db } from '../../lib/db.js';
import type { OpenRouter } from '../../integrations/openrouter.js';
import { createDeliveries } from '../lifecycle/lifecycle.service.js';
import { defineJob, type JobHandler } from '../jobs/jobs.service.js';
import { usageSpend } from '../jobs/jobs.service.js';
import { assertPostRoom } from '../usage/usage.service.js';
import { deliverableChat } from '../telegram/telegram.service.js';
import { calendarSlots, slotCount } from './calendar.js';
import { campaignBody, type CampaignInput } from './generation.schemas.js';
import { writePosts } from './write-posts.js';

const BATCH = 10;

/** One checkpointed OpenRouter call: its posts and what it cost. */
type Batch = { contents: string[]; model: string; tokensIn: number; tokensOut: number };

/**
 * The input is the request of POST /ai/campaign; each post is counted, and with `schedule` each is
 * also a scheduled post.
 */
export const campaignJob = defineJob({
  type: 'CAMPAIGN',
  input: campaignBody,
  reservation: (input) => ({ metric: 'POSTS', units: slotCount(input) * input.platforms.length }),
  postsToWrite: (input, { units }) => ({ stored: units, scheduled: input.schedule ? units : 0 }),
  handler: writeCampaign,
});

function writeCampaign({ db, openrouter }: { db: Db; openrouter: OpenRouter }): JobHandler<CampaignInput> {
  return async ({ job, input, checkpoint, spend }) => {
    const user = await db.user.findUniqueOrThrow({ where: { id: job.userId }, select: { timezone: true } });
    const brand = input.brandId ? await db.brand.findFirst({ where: { id: input.brandId, userId: job.userId } }) : null;
    const slots = calendarSlots({ ...input, timeZone: user.timezone });
    const saved = { ...((job.checkpoint ?? {}) as Record<string, Batch>) };
    const batches = input.platforms.flatMap((platform) =>
      Array.from({ length: Math.ceil(slots.length / BATCH) }, (_, b) => ({ platform, b, key: `${platform}:${b}` })),
    );
    for (const [i, { platform, b, key }] of batches.entries()) {
      if (saved[key]) continue;
      const from = b * BATCH;
      const count = Math.min(BATCH, slots.length - from);
      const written = await writePosts(
        openrouter,
        {
          platform,
          count,
          style: input.style,
          language: input.language,
          brand,
          source: { kind: 'goal', text: input.goal },
          extra: `These are posts ${from + 1} to ${from + count} of a ${slots.length}-post campaign over ${input.durationDays} days; give each its own angle and build towards the goal.`,
        },
        { onUsage: (usage) => spend(usageSpend(usage), { llmCall: true }) },
      );
      const { contents, model, tokensIn, tokensOut } = written;
      saved[key] = { contents, model, tokensIn, tokensOut };
      await checkpoint({ [key]: saved[key] }, { model, progress: 10 + (70 * (i + 1)) / batches.length });
    }

    const chat = input.schedule ? await deliverableChat(db, job.userId) : undefined;
    const status = chat ? ('SCHEDULED' as const) : ('DRAFT' as const);
    const rows = input.platforms.flatMap((platform, p) =>
      slots.map((scheduledFor, i) => {
        const batch = saved[`${platform}:${Math.floor(i / BATCH)}`]!;
        return {
          userId: job.userId,
          brandId: brand?.id ?? null,
          platform,
          content: batch.contents[i % BATCH]!,
          status,
          scheduledFor,
          aiGenerated: true,
          aiModel: batch.model,
          jobId: job.id,
          jobIndex: p * slots.length + i,
        };
      }),
    );
    // Under the user's posts lock: past the plan's stored or scheduled cap (posts written or
    // scheduled since the job was accepted) the job fails with 402 and writes none.
    await db.$transaction(async (tx) => {
      await assertPostRoom(tx, job.userId, { stored: rows.length, scheduled: chat ? rows.length : 0, jobId: job.id });
      await tx.post.createMany({ data: rows, skipDuplicates: true });
    });
    const posts = await db.post.findMany({
      where: { jobId: job.id },
      orderBy: { jobIndex: 'asc' },
      select: { id: true, scheduledFor: true },
    });
    if (chat) {
      await createDeliveries(
        db,
        posts.map((p) => ({ postId: p.id, userId: job.userId, chatId: chat.chatId, dueAt: p.scheduledFor! })),
      );
    }
    return { postIds: posts.map((p) => p.id), scheduled: Boolean(chat) };
  };
}
