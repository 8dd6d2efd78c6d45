// OWASP API4 (unrestricted resource consumption): hand-written posts spend no quota, so without a
// cap one account could fill the database, or schedule thousands of posts for one minute and fill
// every sender. Per plan, stored and scheduled posts are capped: past a cap the write is 402
// QUOTA_EXCEEDED (the quota's details shape) and nothing is written, atomically under concurrency,
// for hand-written posts, duplicates, scheduling, send-now and the drafts generation writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAN_CAPS } from '../../backend/src/modules/plans/plans.service.ts';
import { startGeneration, waitForJob, FAST_RESILIENCE, type GenerationSetup } from '../helpers/generation.ts';
import type { Client, Reply } from '../helpers/http.ts';
import { startTestWorker } from '../helpers/worker.ts';

const DAY = 24 * 60 * 60 * 1000;
const { storedPosts: STORED, scheduledPosts: SCHEDULED } = PLAN_CAPS.FREE;

// No worker: generation jobs stay QUEUED until a test starts one.
let g: GenerationSetup;
beforeAll(async () => {
  g = await startGeneration({ withWorker: false });
});
afterAll(() => g?.close());

let nextChatId = 810_000_000n;

async function newUser({ linked = false } = {}) {
  const c = await g.signIn();
  const { id } = (await c.get('/me')).body as { id: string };
  if (linked) await g.app.db.telegramChat.create({ data: { userId: id, chatId: nextChatId++, status: 'LINKED' } });
  return { c, id };
}

/** Setup: `n` posts of the user written straight to the database. */
async function seedPosts(userId: string, n: number, status: 'DRAFT' | 'SCHEDULED' = 'DRAFT') {
  await g.app.db.post.createMany({
    data: Array.from({ length: n }, (_, i) => ({
      userId,
      platform: 'TWITTER' as const,
      content: `Seeded post ${i}`,
      status,
      scheduledFor: status === 'SCHEDULED' ? new Date(Date.now() + DAY + i * 60_000) : null,
    })),
  });
}

const count = (userId: string, where: Record<string, unknown> = {}) =>
  g.app.db.post.count({ where: { userId, ...where } });
const scheduledCount = (userId: string) => count(userId, { status: { in: ['SCHEDULED', 'DELIVERING'] } });

function expectCap(res: Reply, metric: 'storedPosts' | 'scheduledPosts', limit: number, used: number, requested = 1) {
  expect(res.status).toBe(402);
  expect(res.body.error).toEqual({
    code: 'QUOTA_EXCEEDED',
    message: expect.any(String),
    details: { metric, limit, used, requested, resetsAt: null },
  });
}

const newPost = (c: Client) => c.post('/posts', { platform: 'TWITTER', content: 'Fresh beans today.' });
const generate = (n: number) => ({
  transcript: 'Notes from the launch: what worked, what did not, and what we will do next time.',
  platform: 'LINKEDIN',
  style: 'PROFESSIONAL',
  numberOfPosts: n,
});

describe('stored posts', () => {
  it('refuses a hand-written post or a duplicate past the FREE cap, writing nothing', async () => {
    const { c, id } = await newUser();
    await seedPosts(id, STORED - 1);
    const last = await newPost(c);
    expect(last.status).toBe(201);

    expectCap(await newPost(c), 'storedPosts', STORED, STORED);
    expectCap(await c.post(`/posts/${last.body.id}/duplicate`), 'storedPosts', STORED, STORED);
    expect(await count(id)).toBe(STORED);

    // Deleting one makes room again.
    expect((await c.delete(`/posts/${last.body.id}`)).status).toBe(204);
    expect((await newPost(c)).status).toBe(201);
  });

  it('lets 20 concurrent creates and duplicates at the edge take exactly what is left', async () => {
    const { c, id } = await newUser();
    await seedPosts(id, STORED - 6);
    const original = await newPost(c);
    expect(original.status).toBe(201);
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? newPost(c) : c.post(`/posts/${original.body.id}/duplicate`))),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(5);
    const refused = replies.filter((r) => r.status === 402);
    expect(refused).toHaveLength(15);
    for (const r of refused) expectCap(r, 'storedPosts', STORED, STORED);
    expect(await count(id)).toBe(STORED);
  });

  it('refuses a generation job whose drafts would not fit, before any provider call or charge', async () => {
    const { c, id } = await newUser();
    await seedPosts(id, STORED - 2);
    const before = g.emulators.openrouter.requests.length;
    expectCap(await c.post('/ai/generate', generate(3)), 'storedPosts', STORED, STORED - 2, 3);
    expect(await g.app.db.job.count({ where: { userId: id } })).toBe(0);
    expect((await c.get('/usage')).body.posts.used).toBe(0);
    expect(g.emulators.openrouter.requests.length).toBe(before);
    expect((await c.post('/ai/generate', generate(2))).status).toBe(202);
  });
});

describe('scheduled posts', () => {
  it('refuses scheduling and send-now past the FREE cap, and moving a scheduled post is still fine', async () => {
    const { c, id } = await newUser({ linked: true });
    await seedPosts(id, SCHEDULED, 'SCHEDULED');
    const draft = (await newPost(c)).body;
    const scheduledFor = new Date(Date.now() + 2 * DAY).toISOString();

    expectCap(await c.post(`/posts/${draft.id}/schedule`, { scheduledFor }), 'scheduledPosts', SCHEDULED, SCHEDULED);
    expectCap(await c.post(`/posts/${draft.id}/send-now`), 'scheduledPosts', SCHEDULED, SCHEDULED);
    expect(await g.app.db.post.findUniqueOrThrow({ where: { id: draft.id } })).toMatchObject({
      status: 'DRAFT',
      scheduledFor: null,
    });
    expect(await g.app.db.delivery.count({ where: { postId: draft.id } })).toBe(0);

    // A post already scheduled does not take another place.
    const scheduled = await g.app.db.post.findFirstOrThrow({ where: { userId: id, status: 'SCHEDULED' } });
    expect((await c.post(`/posts/${scheduled.id}/schedule`, { scheduledFor })).status).toBe(200);

    // Unscheduling one frees its place.
    expect((await c.post(`/posts/${scheduled.id}/unschedule`)).status).toBe(200);
    expect((await c.post(`/posts/${draft.id}/schedule`, { scheduledFor })).status).toBe(200);
    expect(await scheduledCount(id)).toBe(SCHEDULED);
  });

  it('lets 20 concurrent schedules at the edge take exactly what is left', async () => {
    const { c, id } = await newUser({ linked: true });
    await seedPosts(id, SCHEDULED - 5, 'SCHEDULED');
    await seedPosts(id, 20);
    const drafts = await g.app.db.post.findMany({ where: { userId: id, status: 'DRAFT' } });
    const scheduledFor = new Date(Date.now() + 3 * DAY).toISOString();
    const replies = await Promise.all(drafts.map((d) => c.post(`/posts/${d.id}/schedule`, { scheduledFor })));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(5);
    expect(replies.filter((r) => r.status === 402)).toHaveLength(15);
    expect(await scheduledCount(id)).toBe(SCHEDULED);
    expect(await g.app.db.delivery.count({ where: { userId: id } })).toBe(5);
  });

  it('refuses a scheduled campaign that would pass the cap at accept; the same as drafts is fine', async () => {
    const { c, id } = await newUser({ linked: true });
    await seedPosts(id, SCHEDULED - 2, 'SCHEDULED');
    const campaign = {
      goal: 'Fill the terrace on spring weekends',
      platforms: ['TWITTER'],
      startDate: new Date(Date.now() + DAY).toISOString().slice(0, 10),
      durationDays: 3,
      postsPerWeek: 7,
    };
    expectCap(
      await c.post('/ai/campaign', { ...campaign, schedule: true }),
      'scheduledPosts',
      SCHEDULED,
      SCHEDULED - 2,
      3,
    );
    expect(await g.app.db.job.count({ where: { userId: id } })).toBe(0);
    expect((await c.post('/ai/campaign', { ...campaign, schedule: false })).status).toBe(202);
  });
});

describe('posts written by a job', () => {
  it('fails (and refunds) a job whose posts no longer fit when it writes them, writing none', async () => {
    const drafts = await newUser();
    await seedPosts(drafts.id, STORED - 10);
    const postsJob = await drafts.c.post('/ai/generate', generate(5));
    expect(postsJob.status).toBe(202);
    // While it waits in the queue, hand-written posts take the room it was accepted with.
    await seedPosts(drafts.id, 8);

    const linked = await newUser({ linked: true });
    await seedPosts(linked.id, SCHEDULED - 10, 'SCHEDULED');
    const campaignJob = await linked.c.post('/ai/campaign', {
      goal: 'Fill the terrace on spring weekends',
      platforms: ['TWITTER'],
      startDate: new Date(Date.now() + DAY).toISOString().slice(0, 10),
      durationDays: 5,
      postsPerWeek: 7,
      schedule: true,
    });
    expect(campaignJob.status).toBe(202);
    await seedPosts(linked.id, 8, 'SCHEDULED');

    const worker = await startTestWorker(g.app, {
      env: {
        OPENROUTER_BASE_URL: g.emulators.openrouter.url,
        FAL_BASE_URL: g.emulators.fal.url,
        ELEVENLABS_BASE_URL: g.emulators.elevenlabs.url,
      },
      resilience: FAST_RESILIENCE,
    });
    try {
      const failed = await waitForJob(drafts.c, postsJob.body.id);
      expect(failed.status).toBe('FAILED');
      expect(failed.error.code).toBe('QUOTA_EXCEEDED');
      expect(await count(drafts.id, { jobId: postsJob.body.id })).toBe(0);
      expect(await count(drafts.id)).toBe(STORED - 2);
      expect((await drafts.c.get('/usage')).body.posts.used).toBe(0);

      const campaign = await waitForJob(linked.c, campaignJob.body.id);
      expect(campaign.status).toBe('FAILED');
      expect(campaign.error.code).toBe('QUOTA_EXCEEDED');
      expect(await count(linked.id, { jobId: campaignJob.body.id })).toBe(0);
      expect(await scheduledCount(linked.id)).toBe(SCHEDULED - 2);

      // With room, the same job writes its drafts.
      const ok = await waitForJob(drafts.c, (await drafts.c.post('/ai/generate', generate(2))).body.id);
      expect(ok.status).toBe('SUCCEEDED');
      expect(await count(drafts.id)).toBe(STORED);
    } finally {
      await worker.close();
    }
  });
});
