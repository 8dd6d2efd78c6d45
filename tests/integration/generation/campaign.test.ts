// /ai/campaign: a goal becomes a calendar of posts at reading times of the user's time zone,
// scheduled for delivery when asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGeneration, waitForJob, type GenerationSetup } from '../../helpers/generation.ts';

let g: GenerationSetup;
beforeAll(async () => {
  g = await startGeneration();
});
afterAll(() => g?.close());

const campaign = {
  goal: 'Fill the first cooking class of the season at our bakery in Leipzig.',
  platforms: ['LINKEDIN', 'TWITTER'],
  startDate: '2026-12-07',
  durationDays: 7,
  postsPerWeek: 3,
};

describe('campaigns', () => {
  it('writes one post per platform per slot, at local reading times, scheduled and delivered to the linked chat', async () => {
    const c = await g.signIn();
    const me = (await c.patch('/me', { timezone: 'Europe/Berlin' })).body;
    await g.app.db.telegramChat.create({ data: { userId: me.id, chatId: 4242n } });

    const accepted = await c.post('/ai/campaign', { ...campaign, schedule: true });
    expect(accepted.status).toBe(202);
    expect((await c.get('/usage')).body.posts.used).toBe(6);
    const job = await waitForJob(c, accepted.body.id);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.result).toMatchObject({ scheduled: true });
    expect(job.result.postIds).toHaveLength(6);

    const posts = (await Promise.all(job.result.postIds.map((id: string) => c.get(`/posts/${id}`)))).map((r) => r.body);
    expect(posts.map((p) => p.platform)).toEqual(['LINKEDIN', 'LINKEDIN', 'LINKEDIN', 'TWITTER', 'TWITTER', 'TWITTER']);
    expect(posts.every((p) => p.status === 'SCHEDULED' && p.aiGenerated)).toBe(true);
    // 09:00 in Berlin (UTC+1 in December) on days 1, 3 and 5.
    expect(posts.slice(0, 3).map((p) => p.scheduledFor)).toEqual([
      '2026-12-07T08:00:00.000Z',
      '2026-12-09T08:00:00.000Z',
      '2026-12-11T08:00:00.000Z',
    ]);
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
    expect(posts[0].scheduledFor).toBe('2026-12-07T09:00:00.000Z');
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
});
