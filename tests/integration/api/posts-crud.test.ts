// Posts over HTTP: CRUD, the platforms' length limits, validation, posts of a deleted brand, and
// request bodies (malformed JSON, size, the error envelope). Lists: posts-lists.test.ts;
// scheduling and the state rules: posts-schedule.test.ts.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  app,
  createPost,
  DAY,
  expectError,
  expectInvalid,
  newUser,
  postCount,
  row,
  useTestApp,
  type User,
} from './posts-fixtures.ts';

// The limits as the contract states them (product.md, Resources → Post): code points, except on
// TWITTER, where X's weighted length counts (a link 23, an emoji or a CJK character 2).
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

useTestApp();

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
  it.each(PLATFORMS.filter((p) => p !== 'TWITTER'))(
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

  it("TWITTER: counts X's weighted length, so 280 weighted is accepted and 281 is not", async () => {
    const url = 'https://example.com/a/long/path/that/x/shortens/to/twenty-three/characters';
    const cases = [
      { ok: `${'a'.repeat(256)} ${url}`, tooLong: `${'a'.repeat(257)} ${url}` }, // a link counts 23
      { ok: '😀'.repeat(140), tooLong: `${'😀'.repeat(140)}a` }, // an emoji 2
      { ok: '日本'.repeat(70), tooLong: `${'日本'.repeat(70)}!` }, // a CJK character 2
    ];
    for (const { ok, tooLong } of cases) {
      const created = await u.c.post('/posts', { platform: 'TWITTER', content: ok });
      expect(created.status, JSON.stringify(created.body?.error)).toBe(201);
      expect(created.body.content).toBe(ok);

      const before = await postCount();
      const refused = expectInvalid(
        await u.c.post('/posts', { platform: 'TWITTER', content: tooLong }),
        'body.content',
      );
      expect(refused.message).toMatch(/TWITTER allows 280 characters .*this content has 281\./);
      expect(await postCount()).toBe(before);

      const draft = await createPost(u.c, { platform: 'TWITTER', content: 'short' });
      expectInvalid(await u.c.patch(`/posts/${draft.id}`, { content: tooLong }), 'body.content');
      expect((await u.c.patch(`/posts/${draft.id}`, { content: ok })).status).toBe(200);
    }
    // 141 emoji are 141 code points (LINKEDIN takes them) but 282 on X.
    const linkedin = await createPost(u.c, { platform: 'LINKEDIN', content: '😀'.repeat(141) });
    expectInvalid(await u.c.patch(`/posts/${linkedin.id}`, { platform: 'TWITTER' }), 'body.content');
  });

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
