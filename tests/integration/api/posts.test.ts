// Posts over HTTP: CRUD, the platforms' length limits, validation, list filters and cursor
// pagination, scheduling with its Delivery rows, the state rules, and the error envelope.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { signInLocally } from '../../helpers/auth.ts';
import { client, type Client, type Reply } from '../../helpers/http.ts';
import { until } from '../../helpers/wait.ts';

// The limits as the contract states them (product.md, Resources → Post), in code points.
const LIMITS = {
  TWITTER: 280,
  LINKEDIN: 3_000,
  INSTAGRAM: 2_200,
  FACEBOOK: 5_000,
  THREADS: 500,
  TELEGRAM: 4_096,
} as const;
type Platform = keyof typeof LIMITS;
const PLATFORMS = Object.keys(LIMITS) as Platform[];

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let app: TestApp;
beforeAll(async () => {
  // The per-IP rate-limit counter lives in Redis under one key for 127.0.0.1, shared by every test
  // file of the run. This file uses its own Redis database and a high limit, so that it neither
  // trips over the other files' requests nor pushes them over their limit.
  app = await startTestApp({ env: { REDIS_URL: `${inject('redisUrl')}/13`, RATE_LIMIT_PER_IP: '1000000' } });
  await until('the app to reach Redis', async () => (await fetch(`${app.url}/ready`)).status === 200);
});
afterAll(() => app?.close());

interface User {
  c: Client;
  id: string;
}

async function newUser(): Promise<User> {
  const c = client(app.api, await signInLocally(app.api));
  const me = await c.get('/me');
  expect(me.status).toBe(200);
  return { c, id: me.body.id as string };
}

let nextChatId = 700_000_000n;
/** A Telegram chat for the user, as the bot's /start would leave it. */
async function linkChat(userId: string, status: 'LINKED' | 'UNREACHABLE' = 'LINKED'): Promise<bigint> {
  const chatId = nextChatId++;
  await app.db.telegramChat.create({ data: { userId, chatId, username: 'ann', status } });
  return chatId;
}

async function linkedUser(): Promise<User & { chatId: bigint }> {
  const user = await newUser();
  return { ...user, chatId: await linkChat(user.id) };
}

async function createPost(c: Client, body: Record<string, unknown> = {}): Promise<any> {
  const res = await c.post('/posts', { platform: 'TWITTER', content: 'Fresh beans today.', ...body });
  expect(res.status).toBe(201);
  return res.body;
}

/** Asserts the spec's error envelope and X-Request-Id, and returns the `error` object. */
function expectError(res: Reply, status: number, code: string): any {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(Object.keys(res.body).sort()).toEqual(['error', 'requestId']);
  expect(['code', 'details', 'message']).toEqual(expect.arrayContaining(Object.keys(res.body.error)));
  expect(res.body.error.message).toEqual(expect.any(String));
  expect(res.body.error.message.length).toBeGreaterThan(0);
  if ('details' in res.body.error) expect(res.body.error.details).toEqual(expect.any(Object));
  expect(res.body.requestId).toEqual(expect.any(String));
  expect(res.body.requestId.length).toBeGreaterThan(0);
  expect(res.headers.get('x-request-id')).toBe(res.body.requestId);
  return res.body.error;
}

/** A 400 VALIDATION_ERROR that names `path` (e.g. `body.content`). */
function expectInvalid(res: Reply, path: string): any {
  const error = expectError(res, 400, 'VALIDATION_ERROR');
  const named = (error.details?.issues ?? []).flatMap((i: any) => [i.path, ...(i.fields ?? [])]);
  expect(named).toContain(path);
  return error;
}

const row = (id: string) => app.db.post.findUniqueOrThrow({ where: { id } });
const deliveries = (postId: string) => app.db.delivery.findMany({ where: { postId }, orderBy: { createdAt: 'asc' } });
const postCount = () => app.db.post.count();

/** `at` written with a +02:00 offset, without milliseconds (e.g. 2026-12-05T14:00:00+02:00). */
function withPlus2(at: Date): string {
  return new Date(at.getTime() + 2 * 60 * MINUTE).toISOString().replace(/\.\d{3}Z$/, '+02:00');
}
const wholeMinute = (ms: number) => new Date(Math.floor(ms / MINUTE) * MINUTE);

describe('posts: CRUD', () => {
  it('creates, reads, lists, changes and deletes a post written by hand', async () => {
    const { c } = await newUser();
    const brand = await c.post('/brands', { name: 'Hilltop Coffee' });
    expect(brand.status).toBe(201);

    const created = await c.post('/posts', {
      brandId: brand.body.id,
      platform: 'LINKEDIN',
      content: 'We roast on Mondays.',
      imageUrl: 'https://cdn.example.com/beans.png',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      brandId: brand.body.id,
      platform: 'LINKEDIN',
      content: 'We roast on Mondays.',
      status: 'DRAFT',
      scheduledFor: null,
      deliveredAt: null,
      imageUrl: 'https://cdn.example.com/beans.png',
      audioUrl: null,
      aiGenerated: false,
      aiModel: null,
      lastError: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    const id = created.body.id as string;

    const read = await c.get(`/posts/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    const list = await c.get('/posts');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [created.body], nextCursor: null });

    const changed = await c.patch(`/posts/${id}`, { content: 'We roast on Tuesdays now.', imageUrl: null });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({
      ...created.body,
      content: 'We roast on Tuesdays now.',
      imageUrl: null,
      updatedAt: expect.any(String),
    });
    expect(Date.parse(changed.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.body.updatedAt));
    expect((await c.get(`/posts/${id}`)).body).toEqual(changed.body);

    const unbranded = await c.patch(`/posts/${id}`, { brandId: null, platform: 'THREADS' });
    expect(unbranded.status).toBe(200);
    expect(unbranded.body).toMatchObject({ brandId: null, platform: 'THREADS', content: 'We roast on Tuesdays now.' });

    // A post written by hand does not count against the quota.
    expect((await c.get('/me')).body.usage.posts.used).toBe(0);

    const deleted = await c.delete(`/posts/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expectError(await c.get(`/posts/${id}`), 404, 'NOT_FOUND');
    expectError(await c.delete(`/posts/${id}`), 404, 'NOT_FOUND');
    expectError(await c.patch(`/posts/${id}`, { content: 'again' }), 404, 'NOT_FOUND');
    expect(await app.db.post.findUnique({ where: { id } })).toBeNull();
  });
});

describe('posts: platform length limits', () => {
  let u: User;
  beforeAll(async () => {
    u = await newUser();
  });

  it.each(PLATFORMS)('%s: create takes content at its limit and rejects one character more', async (platform) => {
    const limit = LIMITS[platform];
    const ok = await u.c.post('/posts', { platform, content: 'x'.repeat(limit) });
    expect(ok.status).toBe(201);
    expect(ok.body.content).toHaveLength(limit);

    const before = await postCount();
    expectInvalid(await u.c.post('/posts', { platform, content: 'x'.repeat(limit + 1) }), 'body.content');
    expect(await postCount()).toBe(before);
  });

  it.each(PLATFORMS)('%s: patch takes content at its limit and rejects one character more', async (platform) => {
    const limit = LIMITS[platform];
    const post = await createPost(u.c, { platform, content: 'short' });
    const tooLong = await u.c.patch(`/posts/${post.id}`, { content: 'y'.repeat(limit + 1) });
    const error = expectInvalid(tooLong, 'body.content');
    expect(error.message).toContain('body.content');
    expect((await row(post.id)).content).toBe('short');

    const ok = await u.c.patch(`/posts/${post.id}`, { content: 'y'.repeat(limit) });
    expect(ok.status).toBe(200);
    expect(ok.body.content).toHaveLength(limit);
  });

  // Each of these emoji is one code point but two UTF-16 units: the limit counts code points.
  it.each(PLATFORMS)(
    '%s: counts code points, so its limit in emoji is accepted and one more is not',
    async (platform) => {
      const limit = LIMITS[platform];
      const ok = await u.c.post('/posts', { platform, content: '😀'.repeat(limit) });
      expect(ok.status, JSON.stringify(ok.body?.error)).toBe(201);
      expect([...ok.body.content]).toHaveLength(limit);
      expectInvalid(await u.c.post('/posts', { platform, content: '😀'.repeat(limit + 1) }), 'body.content');

      const draft = await createPost(u.c, { platform, content: 'short' });
      const patched = await u.c.patch(`/posts/${draft.id}`, { content: '🚀'.repeat(limit) });
      expect(patched.status, JSON.stringify(patched.body?.error)).toBe(200);
      expectInvalid(await u.c.patch(`/posts/${draft.id}`, { content: '🚀'.repeat(limit + 1) }), 'body.content');
    },
  );

  it('rejects a patch that moves a 300-character LINKEDIN post to TWITTER, and leaves it as it was', async () => {
    const post = await createPost(u.c, { platform: 'LINKEDIN', content: 'z'.repeat(300) });
    const before = await row(post.id);
    const error = expectInvalid(await u.c.patch(`/posts/${post.id}`, { platform: 'TWITTER' }), 'body.content');
    expect(error.message).toContain('body.content');
    expect(await row(post.id)).toEqual(before);

    // The new platform and new content are checked together.
    const both = await u.c.patch(`/posts/${post.id}`, { platform: 'TWITTER', content: 'z'.repeat(280) });
    expect(both.status).toBe(200);
    expect(both.body).toMatchObject({ platform: 'TWITTER', content: 'z'.repeat(280) });
    expectInvalid(
      await u.c.patch(`/posts/${post.id}`, { platform: 'THREADS', content: 'z'.repeat(501) }),
      'body.content',
    );
  });
});

describe('posts: validation', () => {
  let u: User;
  beforeAll(async () => {
    u = await newUser();
  });

  it('rejects unknown fields on create and patch, naming each field, and writes nothing', async () => {
    const before = await postCount();
    const error = expectInvalid(
      await u.c.post('/posts', { platform: 'TWITTER', content: 'hi', status: 'DELIVERED', userId: randomUUID() }),
      'body.status',
    );
    expect(error.details.issues.flatMap((i: any) => i.fields ?? [])).toEqual(
      expect.arrayContaining(['body.status', 'body.userId']),
    );
    expect(error.message).toContain('status');
    expect(await postCount()).toBe(before);

    const post = await createPost(u.c);
    const snapshot = await row(post.id);
    for (const extra of [{ aiGenerated: true }, { scheduledFor: new Date().toISOString() }, { id: randomUUID() }]) {
      const res = await u.c.patch(`/posts/${post.id}`, { content: 'changed', ...extra });
      expectInvalid(res, `body.${Object.keys(extra)[0]}`);
    }
    expect(await row(post.id)).toEqual(snapshot);
  });

  it('rejects wrong enum values and wrong types with the field named', async () => {
    const before = await postCount();
    for (const [body, path] of [
      [{ platform: 'MYSPACE', content: 'hi' }, 'body.platform'],
      [{ platform: 'twitter', content: 'hi' }, 'body.platform'],
      [{ content: 'hi' }, 'body.platform'],
      [{ platform: 'TWITTER' }, 'body.content'],
      [{ platform: 'TWITTER', content: '' }, 'body.content'],
      [{ platform: 'TWITTER', content: 42 }, 'body.content'],
      [{ platform: 'TWITTER', content: 'hi', brandId: 'not-a-uuid' }, 'body.brandId'],
      [{ platform: 'TWITTER', content: 'hi', imageUrl: 'javascript:alert(1)' }, 'body.imageUrl'],
    ] as const) {
      expectInvalid(await u.c.post('/posts', body), path);
    }
    expectInvalid(await u.c.post('/posts', []), 'body');
    expect(await postCount()).toBe(before);

    const post = await createPost(u.c);
    expectInvalid(await u.c.patch(`/posts/${post.id}`, { platform: 'MYSPACE' }), 'body.platform');
    expectInvalid(await u.c.patch(`/posts/${post.id}`, { content: null }), 'body.content');
    expectError(await u.c.patch(`/posts/${post.id}`, {}), 400, 'VALIDATION_ERROR');

    for (const [query, path] of [
      ['status=PUBLISHED', 'query.status'],
      ['status=draft', 'query.status'],
      ['status=DRAFT&status=SCHEDULED', 'query.status'],
      ['platform=MYSPACE', 'query.platform'],
      ['brandId=nope', 'query.brandId'],
      ['from=yesterday', 'query.from'],
      ['unknown=1', 'query'],
    ] as const) {
      expectInvalid(await u.c.get(`/posts?${query}`), path);
    }
  });

  it('answers 404 NOT_FOUND for a brandId that does not exist, on create and on patch, writing nothing', async () => {
    const before = await postCount();
    const missing = randomUUID();
    const error = expectError(
      await u.c.post('/posts', { platform: 'TWITTER', content: 'hi', brandId: missing }),
      404,
      'NOT_FOUND',
    );
    expect(error.message).toMatch(/brand/i);
    expect(await postCount()).toBe(before);

    const post = await createPost(u.c);
    const snapshot = await row(post.id);
    expectError(await u.c.patch(`/posts/${post.id}`, { brandId: missing, content: 'x' }), 404, 'NOT_FOUND');
    expect(await row(post.id)).toEqual(snapshot);
  });

  it.each([
    ['GET', '/posts/%s', undefined],
    ['PATCH', '/posts/%s', { content: 'hi' }],
    ['DELETE', '/posts/%s', undefined],
    ['POST', '/posts/%s/schedule', { scheduledFor: new Date(Date.now() + DAY).toISOString() }],
    ['POST', '/posts/%s/unschedule', undefined],
    ['POST', '/posts/%s/send-now', undefined],
    ['POST', '/posts/%s/duplicate', undefined],
  ] as const)('%s %s with a malformed id answers 404 NOT_FOUND', async (method, path, body) => {
    for (const bad of ['not-a-uuid', '123', `${randomUUID()}x`, "1' OR '1'='1"]) {
      const url = path.replace('%s', encodeURIComponent(bad));
      const res =
        method === 'GET'
          ? await u.c.get(url)
          : method === 'DELETE'
            ? await u.c.delete(url)
            : method === 'PATCH'
              ? await u.c.patch(url, body)
              : await u.c.post(url, body);
      expectError(res, 404, 'NOT_FOUND');
    }
  });
});

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

describe('posts: scheduling', () => {
  it('answers 409 TELEGRAM_NOT_LINKED without a chat, and with an UNREACHABLE one, changing nothing', async () => {
    const u = await newUser();
    const post = await createPost(u.c);
    const before = await row(post.id);
    const scheduledFor = new Date(Date.now() + DAY).toISOString();

    expectError(await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor }), 409, 'TELEGRAM_NOT_LINKED');
    expectError(await u.c.post(`/posts/${post.id}/send-now`), 409, 'TELEGRAM_NOT_LINKED');

    await linkChat(u.id, 'UNREACHABLE');
    expectError(await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor }), 409, 'TELEGRAM_NOT_LINKED');
    expectError(await u.c.post(`/posts/${post.id}/send-now`), 409, 'TELEGRAM_NOT_LINKED');

    expect(await row(post.id)).toEqual(before);
    expect(await deliveries(post.id)).toEqual([]);
  });

  it('schedules with a LINKED chat: the input offset is accepted, the answer is UTC, and one Delivery is due then', async () => {
    const u = await linkedUser();
    const post = await createPost(u.c);
    const target = wholeMinute(Date.now() + 10 * DAY);
    const input = withPlus2(target);
    expect(input).toMatch(/\+02:00$/);

    const res = await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: input });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: post.id, status: 'SCHEDULED', scheduledFor: target.toISOString() });
    expect((await u.c.get(`/posts/${post.id}`)).body).toEqual(res.body);

    const rows = await deliveries(post.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ postId: post.id, userId: u.id, chatId: u.chatId, status: 'SCHEDULED' });
    expect(rows[0]!.dueAt.toISOString()).toBe(target.toISOString());
  });

  it('takes scheduledFor from one minute ago to 365 days ahead and rejects the rest with 400', async () => {
    const u = await linkedUser();
    const post = await createPost(u.c);
    const before = await row(post.id);
    for (const scheduledFor of [
      new Date(Date.now() - 2 * MINUTE).toISOString(),
      new Date(Date.now() - 365 * DAY).toISOString(),
      new Date(Date.now() + 365 * DAY + 5 * MINUTE).toISOString(),
      new Date(Date.now() + 2 * 365 * DAY).toISOString(),
    ]) {
      const error = expectInvalid(await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor }), 'body.scheduledFor');
      expect(error.message).toContain('scheduledFor');
    }
    for (const body of [{}, { scheduledFor: 'tomorrow' }, { scheduledFor: 1767225600000 }, { scheduledFor: null }]) {
      expectInvalid(await u.c.post(`/posts/${post.id}/schedule`, body), 'body.scheduledFor');
    }
    expectInvalid(
      await u.c.post(`/posts/${post.id}/schedule`, {
        scheduledFor: new Date(Date.now() + DAY).toISOString(),
        chatId: '1',
      }),
      'body.chatId',
    );
    expect(await row(post.id)).toEqual(before);
    expect(await deliveries(post.id)).toEqual([]);

    const justPast = new Date(Date.now() - 20_000).toISOString();
    const late = await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: justPast });
    expect(late.status).toBe(200);
    expect(late.body.scheduledFor).toBe(justPast);
    const farAhead = new Date(Date.now() + 364 * DAY).toISOString();
    const far = await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: farAhead });
    expect(far.status).toBe(200);
    expect(far.body.scheduledFor).toBe(farAhead);
  });

  it('reschedules by moving the one Delivery; unschedules back to DRAFT and cancels it', async () => {
    const u = await linkedUser();
    const post = await createPost(u.c);
    const first = wholeMinute(Date.now() + DAY);
    const second = wholeMinute(Date.now() + 3 * DAY);

    expect((await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: first.toISOString() })).status).toBe(200);
    const moved = await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: second.toISOString() });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ status: 'SCHEDULED', scheduledFor: second.toISOString() });
    let rows = await deliveries(post.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'SCHEDULED', chatId: u.chatId });
    expect(rows[0]!.dueAt.toISOString()).toBe(second.toISOString());

    const back = await u.c.post(`/posts/${post.id}/unschedule`);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ id: post.id, status: 'DRAFT', scheduledFor: null });
    expect((await u.c.get(`/posts/${post.id}`)).body).toEqual(back.body);
    rows = await deliveries(post.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('CANCELLED');

    const again = expectError(await u.c.post(`/posts/${post.id}/unschedule`), 409, 'INVALID_STATE');
    expect(again.details).toMatchObject({ status: 'DRAFT' });
    const draft = await createPost(u.c);
    expect(expectError(await u.c.post(`/posts/${draft.id}/unschedule`), 409, 'INVALID_STATE').details).toMatchObject({
      status: 'DRAFT',
    });

    // Scheduling again revives the same Delivery row.
    const third = wholeMinute(Date.now() + 5 * DAY);
    expect((await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: third.toISOString() })).status).toBe(200);
    rows = await deliveries(post.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('SCHEDULED');
    expect(rows[0]!.dueAt.toISOString()).toBe(third.toISOString());
  });

  it('moves a scheduled post to a newly linked chat, cancelling the old chat’s Delivery', async () => {
    const u = await linkedUser();
    const post = await createPost(u.c);
    const at = wholeMinute(Date.now() + DAY).toISOString();
    expect((await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: at })).status).toBe(200);

    const newChat = nextChatId++;
    await app.db.telegramChat.update({ where: { userId: u.id }, data: { chatId: newChat } });
    expect((await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: at })).status).toBe(200);
    const rows = await deliveries(post.id);
    expect(rows.map((d) => [d.chatId, d.status])).toEqual([
      [u.chatId, 'CANCELLED'],
      [newChat, 'SCHEDULED'],
    ]);
  });

  it('send-now schedules for this instant', async () => {
    const u = await linkedUser();
    const post = await createPost(u.c);
    const before = Date.now();
    const res = await u.c.post(`/posts/${post.id}/send-now`);
    const after = Date.now();
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('SCHEDULED');
    const at = Date.parse(res.body.scheduledFor);
    expect(at).toBeGreaterThanOrEqual(before - 2_000);
    expect(at).toBeLessThanOrEqual(after + 2_000);
    const rows = await deliveries(post.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.dueAt.toISOString()).toBe(res.body.scheduledFor);
  });

  it('concurrent send-now requests answer 200 or 409, never 5xx, and leave one Delivery', async () => {
    const u = await linkedUser();
    const post = await createPost(u.c);
    const answers = await Promise.all(Array.from({ length: 6 }, () => u.c.post(`/posts/${post.id}/send-now`)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    for (const a of answers.filter((x) => x.status !== 200)) {
      expect(['INVALID_STATE', 'CONFLICT']).toContain(expectError(a, 409, a.body.error.code).code);
    }
    const after = await row(post.id);
    expect(after.status).toBe('SCHEDULED');
    const rows = await deliveries(post.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'SCHEDULED', dueAt: after.scheduledFor });
  });

  it('lets exactly one of several concurrent unschedule requests win', async () => {
    const u = await linkedUser();
    const post = await createPost(u.c);
    const at = new Date(Date.now() + DAY).toISOString();
    expect((await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: at })).status).toBe(200);
    const answers = await Promise.all(Array.from({ length: 6 }, () => u.c.post(`/posts/${post.id}/unschedule`)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) {
      expect(['INVALID_STATE', 'CONFLICT']).toContain(expectError(a, 409, a.body.error.code).code);
    }
    expect((await row(post.id)).status).toBe('DRAFT');
    expect((await deliveries(post.id)).map((d) => d.status)).toEqual(['CANCELLED']);
  });
});

describe('posts: state rules', () => {
  let u: User & { chatId: bigint };
  beforeAll(async () => {
    u = await linkedUser();
  });

  /** A post that the delivery worker has taken (DELIVERING) or finished (DELIVERED). */
  async function postIn(status: 'DELIVERING' | 'DELIVERED', extra: Record<string, unknown> = {}) {
    const post = await createPost(u.c, { platform: 'THREADS', content: `A ${status} post.`, ...extra });
    const scheduledFor = new Date(Date.now() - MINUTE);
    expect((await u.c.post(`/posts/${post.id}/send-now`)).status).toBe(200);
    await app.db.post.update({
      where: { id: post.id },
      data: { status, scheduledFor, ...(status === 'DELIVERED' ? { deliveredAt: new Date() } : {}) },
    });
    await app.db.delivery.updateMany({
      where: { postId: post.id },
      data: status === 'DELIVERED' ? { status: 'SENT', sentAt: new Date() } : { status: 'SENDING' },
    });
    return post.id as string;
  }

  const actions = [
    ['PATCH', (id: string) => u.c.patch(`/posts/${id}`, { content: 'edited' })],
    [
      'schedule',
      (id: string) => u.c.post(`/posts/${id}/schedule`, { scheduledFor: new Date(Date.now() + DAY).toISOString() }),
    ],
    ['unschedule', (id: string) => u.c.post(`/posts/${id}/unschedule`)],
    ['send-now', (id: string) => u.c.post(`/posts/${id}/send-now`)],
  ] as const;

  it.each(
    (['DELIVERING', 'DELIVERED'] as const).flatMap((status) =>
      actions.map(([name, act]) => [status, name, act] as const),
    ),
  )('a %s post cannot be changed by %s (409 INVALID_STATE, details.status)', async (status, _name, act) => {
    const id = await postIn(status);
    const before = await row(id);
    const beforeDeliveries = await deliveries(id);
    const error = expectError(await act(id), 409, 'INVALID_STATE');
    expect(error.details).toMatchObject({ status });
    expect(await row(id)).toEqual(before);
    expect(await deliveries(id)).toEqual(beforeDeliveries);
  });

  it('a DELIVERING post cannot be deleted; a DELIVERED one can', async () => {
    const delivering = await postIn('DELIVERING');
    const error = expectError(await u.c.delete(`/posts/${delivering}`), 409, 'INVALID_STATE');
    expect(error.details).toMatchObject({ status: 'DELIVERING' });
    expect((await row(delivering)).status).toBe('DELIVERING');
    expect(await deliveries(delivering)).toHaveLength(1);

    const delivered = await postIn('DELIVERED');
    expect((await u.c.delete(`/posts/${delivered}`)).status).toBe(204);
    expect(await app.db.post.findUnique({ where: { id: delivered } })).toBeNull();
  });

  it('a DELIVERED post can be duplicated into a new DRAFT', async () => {
    const brand = (await u.c.post('/brands', { name: 'Dup' })).body.id as string;
    const id = await postIn('DELIVERED', { brandId: brand, imageUrl: 'https://cdn.example.com/a.png' });
    const original = await u.c.get(`/posts/${id}`);
    expect(original.body).toMatchObject({ status: 'DELIVERED', deliveredAt: expect.any(String) });

    const copy = await u.c.post(`/posts/${id}/duplicate`);
    expect(copy.status).toBe(201);
    expect(copy.body).toMatchObject({
      status: 'DRAFT',
      content: original.body.content,
      platform: original.body.platform,
      brandId: brand,
      imageUrl: 'https://cdn.example.com/a.png',
      scheduledFor: null,
      deliveredAt: null,
      lastError: null,
    });
    expect(copy.body.id).not.toBe(id);
    expect((await u.c.get(`/posts/${copy.body.id}`)).body).toEqual(copy.body);
    expect(await deliveries(copy.body.id)).toEqual([]);
    expect((await u.c.get(`/posts/${id}`)).body).toEqual(original.body);

    // The copy is an ordinary draft.
    expect((await u.c.patch(`/posts/${copy.body.id}`, { content: 'Again, better.' })).status).toBe(200);
  });

  it('a FAILED post can be edited and scheduled again, which clears its error', async () => {
    const post = await createPost(u.c);
    await app.db.post.update({ where: { id: post.id }, data: { status: 'FAILED', lastError: 'chat not found' } });
    expect((await u.c.patch(`/posts/${post.id}`, { content: 'Retry' })).status).toBe(200);
    const res = await u.c.post(`/posts/${post.id}/schedule`, {
      scheduledFor: new Date(Date.now() + DAY).toISOString(),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'SCHEDULED', lastError: null, content: 'Retry' });
  });
});

describe('posts and brands', () => {
  it('deleting a brand keeps its posts, without a brand', async () => {
    const u = await newUser();
    const brand = (await u.c.post('/brands', { name: 'Short-lived' })).body.id as string;
    const a = await createPost(u.c, { brandId: brand });
    const b = await createPost(u.c, { brandId: brand, platform: 'INSTAGRAM' });
    expect((await u.c.delete(`/brands/${brand}`)).status).toBe(204);

    for (const post of [a, b]) {
      const res = await u.c.get(`/posts/${post.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: post.id, brandId: null, content: post.content, platform: post.platform });
    }
    expect(await app.db.post.count({ where: { userId: u.id } })).toBe(2);
    expect((await u.c.get(`/posts?brandId=${brand}`)).body.items).toEqual([]);
  });
});

describe('posts: request bodies', () => {
  it('answers malformed JSON with 400 VALIDATION_ERROR and writes nothing', async () => {
    const u = await newUser();
    const post = await createPost(u.c);
    const snapshot = await row(post.id);
    const before = await postCount();

    for (const broken of [
      '{"platform": "TWITTER", "content": "unterminated',
      '{platform: TWITTER}',
      '"just a string"',
    ]) {
      const error = expectError(await u.c.post('/posts', broken), 400, 'VALIDATION_ERROR');
      expect(JSON.stringify(error)).not.toMatch(/SyntaxError|at JSON\.parse|node_modules/);
      expectError(await u.c.patch(`/posts/${post.id}`, broken), 400, 'VALIDATION_ERROR');
    }
    expect(await postCount()).toBe(before);
    expect(await row(post.id)).toEqual(snapshot);
  });

  it('answers a body over 100 kB with 413 PAYLOAD_TOO_LARGE and writes nothing', async () => {
    const u = await newUser();
    const post = await createPost(u.c);
    const snapshot = await row(post.id);
    const before = await postCount();
    const big = JSON.stringify({ platform: 'FACEBOOK', content: 'x'.repeat(101 * 1024) });

    expectError(await u.c.post('/posts', big), 413, 'PAYLOAD_TOO_LARGE');
    expectError(await u.c.patch(`/posts/${post.id}`, big), 413, 'PAYLOAD_TOO_LARGE');
    expect(await postCount()).toBe(before);
    expect(await row(post.id)).toEqual(snapshot);
  });

  it('echoes an inbound X-Request-Id in the error envelope', async () => {
    const u = await newUser();
    const res = await u.c.get(`/posts/${randomUUID()}`, { 'X-Request-Id': 'posts-req-1' });
    expectError(res, 404, 'NOT_FOUND');
    expect(res.body.requestId).toBe('posts-req-1');
  });
});
