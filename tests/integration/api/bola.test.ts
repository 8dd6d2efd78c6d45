// Broken object-level authorization: user B tries every route on user A's brand and posts, and
// every id B can put in a body. Each attempt must be 404 NOT_FOUND exactly like a missing id, must
// change nothing, and B's lists never show A's items.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { signInLocally } from '../../helpers/auth.ts';
import { client, type Client, type Reply } from '../../helpers/http.ts';
import { until } from '../../helpers/wait.ts';

const DAY = 24 * 60 * 60 * 1000;
const inADay = () => new Date(Date.now() + DAY).toISOString();

let app: TestApp;

interface User {
  c: Client;
  id: string;
}

/** The ids a request is aimed at: A's real ones, or random ones nobody owns. */
interface Target {
  brandId: string;
  postId: string;
}

type Attempt = (c: Client, target: Target, ownPostId: string) => Promise<Reply>;

let a: User;
let b: User;
let aBrand: string;
/** A's posts by status. */
const aPosts: Record<'DRAFT' | 'SCHEDULED' | 'DELIVERING' | 'DELIVERED', string> = {
  DRAFT: '',
  SCHEDULED: '',
  DELIVERING: '',
  DELIVERED: '',
};
let bPost: string;
let initial: Awaited<ReturnType<typeof snapshot>>;
let initialAsA: Reply[];

async function signIn(): Promise<User> {
  const c = client(app.api, await signInLocally(app.api));
  const me = await c.get('/me');
  expect(me.status).toBe(200);
  return { c, id: me.body.id as string };
}

/** Every row B could touch: all brands, posts, deliveries and chats, of every user. */
async function snapshot() {
  const [brands, posts, deliveries, chats] = await Promise.all([
    app.db.brand.findMany({ orderBy: { id: 'asc' } }),
    app.db.post.findMany({ orderBy: { id: 'asc' } }),
    app.db.delivery.findMany({ orderBy: { id: 'asc' } }),
    app.db.telegramChat.findMany({ orderBy: { id: 'asc' } }),
  ]);
  return { brands, posts, deliveries, chats };
}

/** A's resources as A reads them over HTTP. */
const readAsA = () =>
  Promise.all([
    a.c.get(`/brands/${aBrand}`),
    ...Object.values(aPosts).map((id) => a.c.get(`/posts/${id}`)),
    a.c.get('/brands'),
    a.c.get('/posts'),
  ]);

/** The parts of a 404 that must not differ between "not yours" and "does not exist". */
function shape(res: Reply) {
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    keys: Object.keys(res.body ?? {}).sort(),
    error: res.body?.error,
  };
}

beforeAll(async () => {
  // The per-IP rate-limit counter lives in Redis under one key for 127.0.0.1, shared by every test
  // file of the run; this file uses its own Redis database and a high limit (see posts.test.ts).
  app = await startTestApp({ env: { REDIS_URL: `${inject('redisUrl')}/14`, RATE_LIMIT_PER_IP: '1000000' } });
  await until('the app to reach Redis', async () => (await fetch(`${app.url}/ready`)).status === 200);

  a = await signIn();
  b = await signIn();
  // Both have a linked chat, so that TELEGRAM_NOT_LINKED cannot stand in for the answer.
  await app.db.telegramChat.create({ data: { userId: a.id, chatId: 810_000_001n, username: 'alice' } });
  await app.db.telegramChat.create({ data: { userId: b.id, chatId: 810_000_002n, username: 'bob' } });

  const brand = await a.c.post('/brands', { name: 'Alice Bakery', voice: 'Warm', audience: 'Neighbours' });
  expect(brand.status).toBe(201);
  aBrand = brand.body.id;
  for (const status of Object.keys(aPosts) as Array<keyof typeof aPosts>) {
    const post = await a.c.post('/posts', { brandId: aBrand, platform: 'TWITTER', content: `Alice's ${status} post` });
    expect(post.status).toBe(201);
    aPosts[status] = post.body.id;
    if (status === 'DRAFT') continue;
    const scheduled = await a.c.post(`/posts/${post.body.id}/schedule`, {
      scheduledFor: new Date(Date.now() + DAY).toISOString(),
    });
    expect(scheduled.status).toBe(200);
    if (status === 'SCHEDULED') continue;
    // The delivery worker's states, which the API cannot reach by itself.
    await app.db.post.update({
      where: { id: post.body.id },
      data: { status, ...(status === 'DELIVERED' ? { deliveredAt: new Date() } : {}) },
    });
    await app.db.delivery.updateMany({
      where: { postId: post.body.id },
      data: { status: status === 'DELIVERED' ? 'SENT' : 'SENDING' },
    });
  }

  // B has a brand and a post of its own, so that B's lists are not trivially empty.
  expect((await b.c.post('/brands', { name: 'Bob Books' })).status).toBe(201);
  const own = await b.c.post('/posts', { platform: 'TWITTER', content: "Bob's own post" });
  expect(own.status).toBe(201);
  bPost = own.body.id;

  initial = await snapshot();
  initialAsA = await readAsA();
  for (const res of initialAsA) expect(res.status).toBe(200);
  expect(initial.deliveries.filter((d) => d.userId === a.id)).toHaveLength(3);
});
afterAll(() => app?.close());

type PostState = keyof typeof aPosts;
const STATES: PostState[] = ['DRAFT', 'SCHEDULED', 'DELIVERING', 'DELIVERED'];

interface Row {
  name: string;
  /** Which of A's posts `target.postId` is, for the requests aimed at a post. */
  post?: PostState;
  /** What the owner gets for the same request (on a fresh brand and SCHEDULED post). */
  ownerStatus: number;
  send: Attempt;
}

/** Requests aimed at a post id; each is tried on A's post in every state. */
const postRequests: Array<Omit<Row, 'post'>> = [
  { name: 'GET /posts/:id', ownerStatus: 200, send: (c, t) => c.get(`/posts/${t.postId}`) },
  {
    name: 'PATCH /posts/:id',
    ownerStatus: 200,
    send: (c, t) => c.patch(`/posts/${t.postId}`, { content: 'Hijacked' }),
  },
  {
    name: 'PATCH /posts/:id with brandId',
    ownerStatus: 200,
    send: (c, t) => c.patch(`/posts/${t.postId}`, { brandId: t.brandId }),
  },
  { name: 'DELETE /posts/:id', ownerStatus: 204, send: (c, t) => c.delete(`/posts/${t.postId}`) },
  {
    name: 'POST /posts/:id/schedule',
    ownerStatus: 200,
    send: (c, t) => c.post(`/posts/${t.postId}/schedule`, { scheduledFor: inADay() }),
  },
  { name: 'POST /posts/:id/unschedule', ownerStatus: 200, send: (c, t) => c.post(`/posts/${t.postId}/unschedule`) },
  { name: 'POST /posts/:id/send-now', ownerStatus: 200, send: (c, t) => c.post(`/posts/${t.postId}/send-now`) },
  { name: 'POST /posts/:id/duplicate', ownerStatus: 201, send: (c, t) => c.post(`/posts/${t.postId}/duplicate`) },
];

const rows: Row[] = [
  { name: 'GET /brands/:id', ownerStatus: 200, send: (c, t) => c.get(`/brands/${t.brandId}`) },
  {
    name: 'PATCH /brands/:id',
    ownerStatus: 200,
    send: (c, t) => c.patch(`/brands/${t.brandId}`, { name: 'Hijacked', voice: null }),
  },
  { name: 'DELETE /brands/:id', ownerStatus: 204, send: (c, t) => c.delete(`/brands/${t.brandId}`) },
  ...STATES.flatMap((post) => postRequests.map((r) => ({ ...r, name: `${r.name} on a ${post} post`, post }))),
  {
    name: 'POST /posts with brandId',
    ownerStatus: 201,
    send: (c, t) => c.post('/posts', { brandId: t.brandId, platform: 'TWITTER', content: 'Under your brand' }),
  },
  {
    name: 'PATCH /posts/:id (own post) with brandId',
    ownerStatus: 200,
    send: (c, t, own) => c.patch(`/posts/${own}`, { brandId: t.brandId }),
  },
  {
    name: 'PATCH /posts/:id (own post) with brandId and content',
    ownerStatus: 200,
    send: (c, t, own) => c.patch(`/posts/${own}`, { brandId: t.brandId, content: 'Moved under your brand' }),
  },
];

describe('BOLA: B on A’s resources', () => {
  it.each(rows)('$name answers 404 NOT_FOUND exactly like a missing id, and changes nothing', async (row) => {
    const before = await snapshot();
    const missing = await row.send(b.c, { brandId: randomUUID(), postId: randomUUID() }, bPost);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');

    const res = await row.send(b.c, { brandId: aBrand, postId: aPosts[row.post ?? 'DRAFT'] }, bPost);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect(res.headers.get('x-request-id')).toBe(res.body.requestId);
    expect(shape(res)).toEqual(shape(missing));
    expect(JSON.stringify(res.body)).not.toContain('Alice');

    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['/brands', 'brands'],
    ['/posts', 'posts'],
    [`/posts?brandId=%A`, 'posts'],
    ['/posts?status=SCHEDULED', 'posts'],
    ['/posts?status=DELIVERED', 'posts'],
    ['/posts?status=DELIVERING', 'posts'],
    ['/posts?platform=TWITTER', 'posts'],
    [`/posts?from=${new Date(Date.now() - DAY).toISOString()}`, 'posts'],
  ] as const)('GET %s as B never lists A’s items', async (path, kind) => {
    const res = await b.c.get(path.replace('%A', aBrand));
    expect(res.status).toBe(200);
    const ids = (res.body.items as any[]).map((item) => item.id as string);
    const aIds = kind === 'brands' ? [aBrand] : Object.values(aPosts);
    for (const id of aIds) expect(ids).not.toContain(id);
    const bOwn =
      kind === 'brands'
        ? await app.db.brand.findMany({ where: { userId: b.id }, select: { id: true } })
        : await app.db.post.findMany({ where: { userId: b.id }, select: { id: true } });
    const bIds = new Set(bOwn.map((r) => r.id));
    for (const id of ids) expect(bIds.has(id)).toBe(true);
    if (path === '/brands' || path === '/posts') expect(ids).toHaveLength(bIds.size);
    expect(JSON.stringify(res.body)).not.toContain('Alice');
  });

  it('GET /posts?brandId=<A’s brand> as B answers like a brand that does not exist', async () => {
    const mine = await b.c.get(`/posts?brandId=${aBrand}`);
    const nobody = await b.c.get(`/posts?brandId=${randomUUID()}`);
    expect(mine.status).toBe(nobody.status);
    expect(mine.body).toEqual(nobody.body);
    expect(mine.body).toEqual({ items: [], nextCursor: null });
  });

  it('a cursor from A’s list shows B none of A’s items', async () => {
    const page = await a.c.get('/posts?limit=1');
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const brands = await a.c.get('/brands');
    expect(brands.body.items.map((x: any) => x.id)).toEqual([aBrand]);
    const res = await b.c.get(`/posts?limit=100&cursor=${encodeURIComponent(page.body.nextCursor)}`);
    expect(res.status).toBe(200);
    for (const item of res.body.items) expect(Object.values(aPosts)).not.toContain(item.id);
  });

  it('leaves A’s brand and posts exactly as they were, in the database and over HTTP', async () => {
    const now = await snapshot();
    expect(now).toEqual(initial);
    const asA = await readAsA();
    expect(asA.map((r) => [r.status, r.body])).toEqual(initialAsA.map((r) => [r.status, r.body]));
  });
});

describe('BOLA: the same requests from the owner', () => {
  // Proves that the 404s above come from ownership, not from a request the API would refuse anyway.
  it.each(rows.filter((r) => r.post === undefined || r.post === 'SCHEDULED'))(
    '$name succeeds for A on fresh resources of A',
    async (row) => {
      const brand = await a.c.post('/brands', { name: 'Fresh' });
      const post = await a.c.post('/posts', { brandId: brand.body.id, platform: 'TWITTER', content: 'Fresh' });
      expect((await a.c.post(`/posts/${post.body.id}/schedule`, { scheduledFor: inADay() })).status).toBe(200);
      const own = await a.c.post('/posts', { platform: 'LINKEDIN', content: 'Own' });

      const res = await row.send(a.c, { brandId: brand.body.id, postId: post.body.id }, own.body.id);
      expect(res.status, JSON.stringify(res.body)).toBe(row.ownerStatus);
    },
  );
});
