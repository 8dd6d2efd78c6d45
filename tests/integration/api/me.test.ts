// /me, /plans and /usage.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { USER_INVALIDATION_CHANNEL } from '../../../backend/src/modules/users/user-cache.ts';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { signInLocally } from '../../helpers/auth.ts';
import { client, type Client } from '../../helpers/http.ts';
import { until } from '../../helpers/wait.ts';

let app: TestApp;
let me: Client;
beforeAll(async () => {
  app = await startTestApp();
  me = client(app.api, await signInLocally(app.api, 'mia@example.com', 'Mia'));
});
afterAll(() => app?.close());

const periodNow = () => {
  const now = new Date();
  return {
    start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(),
    end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
  };
};

describe('/me', () => {
  it('shows the user, an unlinked Telegram and zero usage of the FREE plan this month', async () => {
    const res = await me.get('/me');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.any(String),
      email: 'mia@example.com',
      name: 'Mia',
      plan: 'FREE',
      timezone: 'UTC',
      telegram: { status: 'UNLINKED', linked: false, username: null, linkedAt: null },
      usage: {
        period: periodNow(),
        posts: { used: 0, limit: 20 },
        images: { used: 0, limit: 5 },
        voiceChars: { used: 0, limit: 2000 },
      },
    });
  });

  it('changes name and timezone, and the change shows at once', async () => {
    const res = await me.patch('/me', { name: 'Mia K.', timezone: 'Europe/Berlin' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Mia K.', timezone: 'Europe/Berlin' });
    expect((await me.get('/me')).body).toMatchObject({ name: 'Mia K.', timezone: 'Europe/Berlin' });
  });

  it('rejects a timezone that is not IANA, an empty patch and unknown fields, writing nothing', async () => {
    const before = await me.get('/me');
    for (const [body, path] of [
      [{ timezone: 'Mars/Olympus' }, 'body.timezone'],
      [{ timezone: '+02:00' }, 'body.timezone'],
      [{}, 'body'],
      [{ plan: 'BUSINESS' }, 'body'],
      [{ name: '' }, 'body.name'],
    ] as const) {
      const res = await me.patch('/me', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details.issues[0].path).toBe(path);
    }
    expect((await me.get('/me')).body).toEqual(before.body);
  });

  it('rejects a query parameter or a body on routes that take none, naming the field', async () => {
    for (const path of ['/me?verbose=1', '/usage?month=2026-01', '/plans?currency=EUR']) {
      const res = await me.get(path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.message).toMatch(/query/);
    }
    const post = (await me.post('/posts', { platform: 'TWITTER', content: 'Body test.' })).body;
    const res = await me.post(`/posts/${post.id}/duplicate`, { content: 'Changed on the way?' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/body/);
    expect(await app.db.post.count({ where: { content: 'Changed on the way?' } })).toBe(0);
    expect((await me.post(`/posts/${post.id}/duplicate`)).status).toBe(201);
  });

  it('shows a linked and an unreachable chat, never the chat id', async () => {
    const { id } = (await me.get('/me')).body;
    await app.db.telegramChat.create({ data: { userId: id, chatId: 777000111n, username: 'mia_k' } });
    const linked = await me.get('/me');
    expect(linked.body.telegram).toEqual({
      status: 'LINKED',
      linked: true,
      username: 'mia_k',
      linkedAt: expect.any(String),
    });
    expect(JSON.stringify(linked.body)).not.toContain('777000111');
    await app.db.telegramChat.update({ where: { userId: id }, data: { status: 'UNREACHABLE' } });
    expect((await me.get('/me')).body.telegram).toMatchObject({ status: 'UNREACHABLE', linked: false });
  });
});

describe('/plans and /usage', () => {
  it('lists the plans with prices in cents, publicly', async () => {
    const res = await client(app.api).get('/plans');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { id: 'FREE', priceMonthlyUsdCents: 0, limits: { posts: 20, images: 5, voiceChars: 2000 } },
      { id: 'PRO', priceMonthlyUsdCents: 1900, limits: { posts: 1000, images: 200, voiceChars: 100000 } },
      { id: 'BUSINESS', priceMonthlyUsdCents: 9900, limits: { posts: 90000, images: 5000, voiceChars: 1000000 } },
    ]);
  });

  it("reports this month's counters against the plan, ignoring other months", async () => {
    const { id } = (await me.get('/me')).body;
    const { start } = periodNow();
    await app.db.usageCounter.createMany({
      data: [
        { userId: id, periodStart: new Date(start), metric: 'POSTS', used: 7 },
        { userId: id, periodStart: new Date(start), metric: 'VOICE_CHARS', used: 1234 },
        { userId: id, periodStart: new Date('2020-01-01T00:00:00Z'), metric: 'IMAGES', used: 99 },
      ],
    });
    // A plan change (as the Stripe webhook will make it) is published to every replica's cache.
    const { clerkId } = await app.db.user.update({ where: { id }, data: { plan: 'PRO' } });
    const redis = new Redis(inject('redisUrl'));
    await redis.publish(USER_INVALIDATION_CHANNEL, clerkId);
    redis.disconnect();
    const res = await until('the PRO plan to show', async () => {
      const r = await me.get('/usage');
      return r.body.plan?.id === 'PRO' ? r : undefined;
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      period: periodNow(),
      posts: { used: 7, limit: 1000 },
      images: { used: 0, limit: 200 },
      voiceChars: { used: 1234, limit: 100000 },
      plan: { id: 'PRO', priceMonthlyUsdCents: 1900, limits: { posts: 1000, images: 200, voiceChars: 100000 } },
    });
  });

  it('needs a session', async () => {
    expect((await client(app.api).get('/usage')).status).toBe(401);
    expect((await client(app.api).get('/me')).status).toBe(401);
  });
});
