// The generation sweeper: a job whose queue entry was lost is enqueued again and completes; a job
// that BullMQ gave up on behind the handler's back (stalled too often) is failed and refunded.
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GENERATION_QUEUE } from '../../../backend/src/modules/jobs/queues.ts';
import { startGeneration, waitForJob, type GenerationSetup } from '../../helpers/generation.ts';
import { until } from '../../helpers/wait.ts';
import { startTestWorker } from '../../helpers/worker.ts';

let g: GenerationSetup;
let queue: Queue;
const connection = () => ({ url: inject('redisUrl'), maxRetriesPerRequest: null });
beforeAll(async () => {
  // No worker yet: each test decides what happens to the queue entry first.
  g = await startGeneration({ withWorker: false });
  queue = new Queue(GENERATION_QUEUE, { connection: connection(), prefix: g.app.queuePrefix });
});
afterAll(async () => {
  await queue?.close();
  await g?.close();
});

const request = {
  transcript: 'We bake sourdough every morning at six.',
  platform: 'THREADS',
  numberOfPosts: 2,
  style: 'CASUAL',
};
/** Makes the row look untouched for longer than the sweeper waits before it looks. */
const age = (id: string) =>
  g.app.db.job.update({ where: { id }, data: { updatedAt: new Date(Date.now() - 3_600_000) } });

describe('generation sweeper', () => {
  it('fails and refunds a job BullMQ gave up on without the handler', async () => {
    const c = await g.signIn();
    const { id } = (await c.post('/ai/generate', request)).body;
    expect((await c.get('/usage')).body.posts.used).toBe(2);
    // A worker that dies on the job the way a stall-out ends: BullMQ marks it failed, the row stays.
    const dying = new Worker(
      GENERATION_QUEUE,
      () => Promise.reject(new UnrecoverableError('job stalled more than allowable limit')),
      {
        connection: connection(),
        prefix: g.app.queuePrefix,
      },
    );
    await until('the queue entry to fail', async () => (await queue.getJob(id))?.isFailed());
    await dying.close();
    expect((await c.get(`/jobs/${id}`)).body.status).toBe('QUEUED');
    await age(id);

    const worker = await startTestWorker(g.app);
    try {
      await worker.generation.sweep();
    } finally {
      await worker.close();
    }
    const job = await waitForJob(c, id);
    expect(job).toMatchObject({ status: 'FAILED', error: { code: 'INTERNAL_ERROR' } });
    expect((await c.get('/usage')).body.posts.used).toBe(0);
  });

  it('enqueues again a job whose queue entry was lost, and it completes once', async () => {
    const c = await g.signIn();
    const { id } = (await c.post('/ai/generate', request)).body;
    await queue.remove(id);
    await age(id);

    const worker = await startTestWorker(g.app, { env: { OPENROUTER_BASE_URL: g.emulators.openrouter.url } });
    try {
      await worker.generation.sweep();
      const job = await waitForJob(c, id);
      expect(job.status).toBe('SUCCEEDED');
      expect(await g.app.db.post.count({ where: { jobId: id } })).toBe(2);
      expect((await c.get('/usage')).body.posts.used).toBe(2);
    } finally {
      await worker.close();
    }
  });
});
