// Posts over HTTP: list filters (status, brand, platform, scheduledFor range) and cursor pagination.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../helpers/http.ts';
import {
  app,
  createPost,
  DAY,
  expectInvalid,
  linkedUser,
  newUser,
  useTestApp,
  wholeMinute,
  withPlus2,
} from './posts-fixtures.ts';

useTestApp();

describe('posts: list filters and pagination', () => {
  it('filters by status, brandId, platform and scheduledFor (from inclusive, to exclusive)', async () => {
    const u = await linkedUser();
    const brand = (await u.c.post('/brands', { name: 'Filters' })).body.id as string;
    const base = wholeMinute(Date.now() + DAY).getTime();
    const at = (days: number) => new Date(base + days * DAY).toISOString();

    const p1 = await createPost(u.c, { platform: 'TWITTER', brandId: brand });
    const p2 = await createPost(u.c, { platform: 'LINKEDIN' });
    const p3 = await createPost(u.c, { platform: 'TWITTER', brandId: brand });
    const p4 = await createPost(u.c, { platform: 'THREADS' });
    for (const [post, days] of [
      [p2, 1],
      [p3, 2],
      [p4, 3],
    ] as const) {
      expect((await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: at(days) })).status).toBe(200);
    }

    const ids = async (query: string) => {
      const res = await u.c.get(`/posts?${query}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.nextCursor).toBeNull();
      return (res.body.items as any[]).map((p) => p.id as string).sort();
    };
    const set = (...posts: any[]) => posts.map((p) => p.id as string).sort();

    expect(await ids('')).toEqual(set(p1, p2, p3, p4));
    expect(await ids('status=SCHEDULED')).toEqual(set(p2, p3, p4));
    expect(await ids('status=DRAFT')).toEqual(set(p1));
    expect(await ids('status=DELIVERED')).toEqual([]);
    expect(await ids(`brandId=${brand}`)).toEqual(set(p1, p3));
    expect(await ids(`brandId=${randomUUID()}`)).toEqual([]);
    expect(await ids('platform=TWITTER')).toEqual(set(p1, p3));
    expect(await ids('platform=INSTAGRAM')).toEqual([]);
    expect(await ids(`platform=TWITTER&brandId=${brand}&status=SCHEDULED`)).toEqual(set(p3));
    expect(await ids(`from=${at(1.5)}`)).toEqual(set(p3, p4));
    expect(await ids(`to=${at(2.5)}`)).toEqual(set(p2, p3));
    expect(await ids(`from=${at(1.5)}&to=${at(2.5)}`)).toEqual(set(p3));
    expect(await ids(`from=${at(2)}`)).toEqual(set(p3, p4));
    expect(await ids(`to=${at(2)}`)).toEqual(set(p2));
    // An instant with an offset, URL-encoded as a client must.
    expect(await ids(`from=${encodeURIComponent(withPlus2(new Date(at(2))))}`)).toEqual(set(p3, p4));
    expectInvalid(await u.c.get(`/posts?from=${at(2)}&to=${at(1)}`), 'query.from');
  });

  it('pages 5 posts two at a time in createdAt-desc order, each exactly once, ending with nextCursor null', async () => {
    const u = await newUser();
    for (let i = 0; i < 5; i++) await createPost(u.c, { content: `post ${i}` });
    const rows = await app.db.post.findMany({
      where: { userId: u.id },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
    expect(rows).toHaveLength(5);

    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: Reply = await u.c.get(`/posts?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      sizes.push(res.body.items.length);
      seen.push(...res.body.items.map((p: any) => p.id));
      cursor = res.body.nextCursor;
      if (cursor === null) break;
      expect(cursor).toEqual(expect.any(String));
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(rows.map((r) => r.id));
    const createdAt = rows.map((r) => r.createdAt.getTime());
    expect([...createdAt].sort((a, b) => b - a)).toEqual(createdAt);

    // A page that ends exactly at the last post says so.
    const whole = await u.c.get('/posts?limit=5');
    expect(whole.body.items.map((p: any) => p.id)).toEqual(rows.map((r) => r.id));
    expect(whole.body.nextCursor).toBeNull();

    // Keyset pages are stable under inserts: a post created between pages shows on neither.
    const first = await u.c.get('/posts?limit=2');
    const newer = await createPost(u.c, { content: 'newer' });
    const rest = await u.c.get(`/posts?limit=10&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect([...first.body.items, ...rest.body.items].map((p: any) => p.id)).toEqual(rows.map((r) => r.id));
    expect(rest.body.items.map((p: any) => p.id)).not.toContain(newer.id);
  });

  it('defaults to 20 items a page and takes 1..100', async () => {
    const u = await newUser();
    await app.db.post.createMany({
      data: Array.from({ length: 21 }, (_, i) => ({ userId: u.id, platform: 'TWITTER' as const, content: `n${i}` })),
    });
    const page = await u.c.get('/posts');
    expect(page.body.items).toHaveLength(20);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    expect((await u.c.get('/posts?limit=1')).body.items).toHaveLength(1);
    const hundred = await u.c.get('/posts?limit=100');
    expect(hundred.status).toBe(200);
    expect(hundred.body).toMatchObject({ nextCursor: null });
    expect(hundred.body.items).toHaveLength(21);
  });

  it('rejects limit 0, 101 and non-integers, and a cursor it did not make', async () => {
    const u = await newUser();
    await createPost(u.c);
    for (const limit of ['0', '101', '-1', '1.5', 'ten', '']) {
      expectInvalid(await u.c.get(`/posts?limit=${limit}`), 'query.limit');
    }
    const forged = [
      'garbage',
      '!!!!',
      Buffer.from('not-a-date|not-a-uuid').toString('base64url'),
      Buffer.from(`2026-01-01T00:00:00.000Z|x`).toString('base64url'),
      Buffer.from(`yesterday|${randomUUID()}`).toString('base64url'),
      'A'.repeat(201),
    ];
    for (const cursor of forged) {
      expectInvalid(await u.c.get(`/posts?cursor=${encodeURIComponent(cursor)}`), 'query.cursor');
    }
  });
});
