// Quota: reserved atomically when a job is accepted, refunded once when it fails or is cancelled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGeneration, waitForJob, type GenerationSetup } from '../../helpers/generation.ts';

let g: GenerationSetup;
beforeAll(async () => {
  // No worker: accepted jobs stay QUEUED, which is what cancellation needs.
  g = await startGeneration({ withWorker: false });
});
afterAll(() => g?.close());

/** What the worker would do (there is none here): the user's QUEUED jobs succeed. */
const finishJobs = (userId: string) =>
  g.app.db.job.updateMany({
    where: { userId, status: 'QUEUED' },
    data: { status: 'SUCCEEDED', finishedAt: new Date() },
  });

const body = {
  transcript: 'Notes from the launch: what worked, what did not, and what we will do next time.',
  platform: 'LINKEDIN',
  style: 'PROFESSIONAL',
};

describe('quota', () => {
  it('lets 60 concurrent requests at the edge of a FREE quota take exactly the limit', async () => {
    const c = await g.signIn();
    const { id: userId } = (await c.get('/me')).body;
    // 18 of the 20 monthly posts are already used, by jobs that have finished (a FREE account has
    // at most two jobs in flight, so the jobs that used them must be done).
    for (const n of [10, 8]) expect((await c.post('/ai/generate', { ...body, numberOfPosts: n })).status).toBe(202);
    await finishJobs(userId);

    const replies = await Promise.all(
      Array.from({ length: 60 }, () => c.post('/ai/generate', { ...body, numberOfPosts: 2 })),
    );
    const accepted = replies.filter((r) => r.status === 202);
    const refused = replies.filter((r) => r.status === 402);
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(59);
    expect(refused[0]!.body.error).toEqual({
      code: 'QUOTA_EXCEEDED',
      message: expect.any(String),
      details: {
        metric: 'posts',
        limit: 20,
        used: 20,
        requested: 2,
        resetsAt: (await c.get('/usage')).body.period.end,
      },
    });
    expect((await c.get('/usage')).body.posts).toEqual({ used: 20, limit: 20 });

    expect(await g.app.db.job.count({ where: { userId } })).toBe(3);
    expect(await g.app.db.usageEntry.count({ where: { userId, kind: 'RESERVE' } })).toBe(3);
    const sum = await g.app.db.usageEntry.aggregate({ where: { userId }, _sum: { delta: true } });
    expect(sum._sum.delta).toBe(20);
  });

  it('refuses a request bigger than what is left, and charges nothing for it', async () => {
    const c = await g.signIn();
    const { id: userId } = (await c.get('/me')).body;
    expect((await c.post('/ai/generate', { ...body, numberOfPosts: 10 })).status).toBe(202);
    expect((await c.post('/ai/generate', { ...body, numberOfPosts: 10 })).status).toBe(202);
    const over = await c.post('/ai/generate', { ...body, numberOfPosts: 1 });
    expect(over.status).toBe(402);
    expect(over.body.error.details).toMatchObject({ metric: 'posts', used: 20, requested: 1 });
    await finishJobs(userId);
    expect((await c.post('/images/generate', { prompt: 'a quiet harbour', aspectRatio: '1:1' })).status).toBe(202);
  });

  it('refunds a cancelled job exactly once', async () => {
    const c = await g.signIn();
    const job = (await c.post('/ai/generate', { ...body, numberOfPosts: 4 })).body;
    expect((await c.get('/usage')).body.posts.used).toBe(4);
    const cancelled = await c.post(`/jobs/${job.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: job.id, status: 'CANCELLED', finishedAt: expect.any(String) });
    expect((await c.get('/usage')).body.posts.used).toBe(0);
    const again = await c.post(`/jobs/${job.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'INVALID_STATE', details: { status: 'CANCELLED' } });
    expect((await c.get('/usage')).body.posts.used).toBe(0);
    expect(await g.app.db.usageEntry.count({ where: { jobId: job.id, kind: 'REFUND' } })).toBe(1);
    expect((await waitForJob(c, job.id)).status).toBe('CANCELLED');
  });

  it('applies a plan change to the very next request', async () => {
    const c = await g.signIn();
    await c.post('/ai/generate', { ...body, numberOfPosts: 10 });
    await c.post('/ai/generate', { ...body, numberOfPosts: 10 });
    expect((await c.post('/ai/generate', { ...body, numberOfPosts: 1 })).status).toBe(402);
    const { id } = (await c.get('/me')).body;
    await g.app.db.user.update({ where: { id }, data: { plan: 'PRO' } });
    // The reservation reads the plan in its own SQL, never from the per-process user cache.
    expect((await c.post('/ai/generate', { ...body, numberOfPosts: 1 })).status).toBe(202);
  });
});
