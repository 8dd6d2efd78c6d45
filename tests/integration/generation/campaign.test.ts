// /ai/campaign: a goal becomes a calendar of posts at reading times of the user's time zone,
// scheduled for delivery when asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGeneration, waitForJob, type GenerationSetup } from '../../helpers/generation.ts';

let g: GenerationSetup;
beforeAll(async () => {
  g = await startGeneration();
});
afterAll(() => g?.close());

/** The UTC calendar date `days` from `from` (YYYY-MM-DD). */
const day = (days: number, from = new Date()) =>
  new Date(from.getTime() + days * 86_400_000).toISOString().slice(0, 10);
const start = day(7);

const campaign = {
  goal: 'Fill the first cooking class of the season at our bakery in Leipzig.',
  platforms: ['LINKEDIN', 'TWITTER'],
  startDate: start,
  durationDays: 7,
  postsPerWeek: 3,
};

describe('campaigns', () => {
  it('writes one post per platform per slot, at local reading times, scheduled for the linked chat', async () => {
    const c = await g.signIn();
    // Tokyo has no daylight-saving time: 09:00 there is always 00:00Z.
    const me = (await c.patch('/me', { timezone: 'Asia/Tokyo' })).body;
    await g.app.db.telegramChat.create({ data: { userId: me.id, chatId: 4242n } });

    const accepted = await c.post('/ai/campaign', { ...campaign, schedule: true });
    expect(accepted.status).toBe(202);
    expect((await c.get('/usage')).body.posts.used).toBe(6);
    const job = await waitForJob(c, accepted.body.id);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.result).toMatchObject({ scheduled: true });
    expect(job.result.postIds).toHaveLength(6);
    // The model and the tokens of both OpenRouter calls (one per platform) are on the job.
    const row = await g.app.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.model).toEqual(expect.any(String));
    const calls = g.emulators.openrouter.requests.filter((r) => r.path.endsWith('/chat/completions')).length;
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(row.tokensIn).toBeGreaterThan(0);
    expect(row.tokensOut).toBeGreaterThan(0);

    const posts = (await Promise.all(job.result.postIds.map((id: string) => c.get(`/posts/${id}`)))).map((r) => r.body);
    expect(posts.map((p) => p.platform)).toEqual(['LINKEDIN', 'LINKEDIN', 'LINKEDIN', 'TWITTER', 'TWITTER', 'TWITTER']);
    expect(posts.every((p) => p.status === 'SCHEDULED' && p.aiGenerated)).toBe(true);
    // 09:00 in Tokyo on days 1, 3 and 5.
    const startUtc = new Date(`${start}T00:00:00.000Z`);
    expect(posts.slice(0, 3).map((p) => p.scheduledFor)).toEqual(
      [0, 2, 4].map((d) => `${day(d, startUtc)}T00:00:00.000Z`),
    );
    expect(posts.slice(3).map((p) => p.scheduledFor)).toEqual(posts.slice(0, 3).map((p) => p.scheduledFor));
    expect(posts.filter((p) => p.platform === 'TWITTER').every((p) => [...p.content].length <= 280)).toBe(true);

    const deliveries = await g.app.db.delivery.findMany({ where: { postId: { in: job.result.postIds } } });
    expect(deliveries).toHaveLength(6);
    expect(deliveries.every((d) => d.chatId === 4242n && d.status === 'SCHEDULED')).toBe(true);
  });

  it('leaves drafts (with their planned times) when not asked to schedule', async () => {
    const c = await g.signIn();
    const job = await waitForJob(
      c,
      (await c.post('/ai/campaign', { ...campaign, platforms: ['THREADS'], schedule: false })).body.id,
    );
    expect(job.status).toBe('SUCCEEDED');
    const posts = (await Promise.all(job.result.postIds.map((id: string) => c.get(`/posts/${id}`)))).map((r) => r.body);
    expect(posts.map((p) => p.status)).toEqual(['DRAFT', 'DRAFT', 'DRAFT']);
    // UTC user: 09:00Z.
    expect(posts[0].scheduledFor).toBe(`${start}T09:00:00.000Z`);
  });

  it('needs a linked chat to schedule, and refuses campaigns over 300 posts', async () => {
    const c = await g.signIn();
    const unlinked = await c.post('/ai/campaign', { ...campaign, schedule: true });
    expect(unlinked.status).toBe(409);
    expect(unlinked.body.error.code).toBe('TELEGRAM_NOT_LINKED');
    const huge = await c.post('/ai/campaign', {
      ...campaign,
      durationDays: 90,
      postsPerWeek: 21,
      platforms: ['LINKEDIN', 'TWITTER'],
    });
    expect(huge.status).toBe(400);
    expect((await c.get('/usage')).body.posts.used).toBe(0);
  });

  it('refuses a calendar that starts before today or ends more than 365 days ahead', async () => {
    const c = await g.signIn();
    const past = await c.post('/ai/campaign', { ...campaign, startDate: day(-2) });
    expect(past.status).toBe(400);
    expect(past.body.error.details.issues[0].path).toBe('body.startDate');
    const far = await c.post('/ai/campaign', { ...campaign, startDate: day(360), durationDays: 14 });
    expect(far.status).toBe(400);
    expect(far.body.error.message).toMatch(/more than 365 days ahead/);
    expect((await c.post('/ai/campaign', { ...campaign, startDate: day(1) })).status).toBe(202);
    expect((await c.get('/usage')).body.posts.used).toBe(6);
  });
});
