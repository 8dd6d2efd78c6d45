// POSTS jobs: N drafts from a transcript. The written text is checkpointed before any post is
// created; posts carry (jobId, jobIndex), unique, so a retry never creates them twice.
import type { Db } from '../../lib/db.js';
import type { OpenRouter } from '../../integrations/openrouter.js';
import { defineJob, type JobHandler } from '../jobs/jobs.service.js';
import { usageSpend } from '../jobs/jobs.service.js';
import { assertPostRoom } from '../usage/usage.service.js';
import { generateBody, type GenerateInput } from './generation.schemas.js';
import { writePosts } from './write-posts.js';

interface Checkpoint {
  contents?: string[];
  model?: string;
}

/** The input is the request of POST /ai/generate; each post is counted. */
export const postsJob = defineJob({
  type: 'POSTS',
  input: generateBody,
  reservation: (input) => ({ metric: 'POSTS', units: input.numberOfPosts }),
  postsToWrite: (_input, { units }) => ({ stored: units, scheduled: 0 }),
  handler: writeDrafts,
});

function writeDrafts({ db, openrouter }: { db: Db; openrouter: OpenRouter }): JobHandler<GenerateInput> {
  return async ({ job, input, progress, checkpoint, spend }) => {
    const brand = input.brandId ? await db.brand.findFirst({ where: { id: input.brandId, userId: job.userId } }) : null;
    let saved = (job.checkpoint ?? {}) as Checkpoint;
    if (!saved.contents) {
      const written = await writePosts(
        openrouter,
        {
          platform: input.platform,
          count: input.numberOfPosts,
          style: input.style,
          language: input.language,
          brand,
          source: { kind: 'transcript', text: input.transcript },
        },
        { onUsage: (usage) => spend(usageSpend(usage), { llmCall: true }) },
      );
      saved = { contents: written.contents, model: written.model };
      await checkpoint({ ...saved }, { model: written.model, progress: 80 });
    } else {
      await progress(80);
    }
    // Raw SQL: the model API's createManyAndReturn compiled its query on every job. With succeed's
    // raw UPDATE, the worker's CPU per job fell by about a sixth (bench:jobs). Keyed (jobId,
    // jobIndex): a retry's second insert of a post is skipped. Under the user's posts lock, past
    // the plan's stored-posts cap (posts written since the job was accepted) it fails with 402.
    const created = await db.$transaction(async (tx) => {
      await assertPostRoom(tx, job.userId, { stored: saved.contents!.length, jobId: job.id });
      return tx.$queryRaw<Array<{ id: string; jobIndex: number }>>`
        INSERT INTO "Post" ("userId", "brandId", "platform", "content", "aiGenerated", "aiModel", "jobId", "jobIndex", "updatedAt")
        SELECT ${job.userId}::uuid, ${brand?.id ?? null}::uuid, ${input.platform}::"Platform", t."content", true,
          ${saved.model ?? null}, ${job.id}::uuid, (t."i" - 1)::int, now()
        FROM unnest(${saved.contents!}::text[]) WITH ORDINALITY AS t("content", "i")
        ON CONFLICT ("jobId", "jobIndex") DO NOTHING
        RETURNING "id", "jobIndex"`;
    });
    // A retry after a crash finds some posts already written (skipped above): read them all then.
    const posts =
      created.length === saved.contents!.length
        ? created.sort((a, b) => a.jobIndex - b.jobIndex)
        : await db.post.findMany({ where: { jobId: job.id }, orderBy: { jobIndex: 'asc' }, select: { id: true } });
    return { postIds: posts.map((p) => p.id) };
  };
}
