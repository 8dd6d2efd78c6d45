// Bad input at the edge (issue 12, item 7): every case here once answered 500, a bare Node error,
// the wrong 2xx or a message in a parser's words. Each answers a clear 4xx in the error envelope,
// names what was wrong, and writes nothing.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeEmulator, type StripeEmulator } from '../../emulators/src/index.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { signInLocally } from '../helpers/auth.ts';
import { client, type Client, type Reply } from '../helpers/http.ts';

let app: TestApp;
let stripe: StripeEmulator;
let token: string;
let c: Client;
let userId: string;

beforeAll(async () => {
  stripe = await startStripeEmulator();
  app = await startTestApp({
    env: { STRIPE_API_BASE: stripe.url, STRIPE_WEBHOOK_SECRET: stripe.webhookSecret },
  });
  token = await signInLocally(app.api, undefined, 'Ada');
  c = client(app.api, token);
  userId = (await c.get('/me')).body.id as string;
});
afterAll(async () => {
  await app?.close();
  await stripe?.close();
});

/** The envelope, and the fields a 400 names. */
function envelope(res: Reply, status: number, code: string) {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.body.requestId).toEqual(expect.any(String));
  return res.body.error as { message: string; details?: { issues?: Array<{ path: string; message: string }> } };
}
function invalid(res: Reply, path: string) {
  const error = envelope(res, 400, 'VALIDATION_ERROR');
  expect((error.details?.issues ?? []).map((i) => i.path)).toContain(path);
  return error;
}
const messageOf = (error: { details?: { issues?: Array<{ path: string; message: string }> } }, path: string) =>
  error.details?.issues?.find((i) => i.path === path)?.message;

/** Rows this user owns in the tables a request could write. */
const rows = async () => {
  const where = { userId };
  const [brands, posts, jobs, keys] = await Promise.all([
    app.db.brand.count({ where }),
    app.db.post.count({ where }),
    app.db.job.count({ where }),
    app.db.idempotencyKey.count({ where }),
  ]);
  return { brands, posts, jobs, keys };
};

/** One raw HTTP/1.1 request (fetch cannot send a bad percent-encoding or a 17 kB path as is). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | string,
): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const { hostname, port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}
const auth = () => ({ authorization: `Bearer ${token}` });

describe('NUL bytes and lone surrogates are refused at the edge, naming the field', () => {
  it('a NUL byte in a brand, a post, a job input, a query and a path: 400, nothing written', async () => {
    const before = await rows();
    invalid(await c.post('/brands', { name: 'Nord\u0000wind' }), 'body.name');
    invalid(await c.post('/posts', { platform: 'TELEGRAM', content: 'Hi\u0000there' }), 'body.content');
    invalid(
      await c.post('/ai/generate', {
        transcript: 'A long note about our first pottery class\u0000 and what people made.',
        platform: 'LINKEDIN',
        numberOfPosts: 1,
        style: 'CASUAL',
      }),
      'body.transcript',
    );
    invalid(await c.get('/posts?cursor=%00'), 'query.cursor');
    invalid(await c.get('/brands/%00'), 'params.id');
    expect(await rows()).toEqual(before);
  });

  it('an unpaired surrogate in a brand, a post and a job input: 400, not a silent replacement', async () => {
    const before = await rows();
    // JSON.stringify escapes a lone surrogate (\ud800), which is how a client sends one.
    invalid(await c.post('/brands', { name: 'Nord\ud800wind' }), 'body.name');
    invalid(await c.post('/posts', { platform: 'TELEGRAM', content: 'Hi \udc00' }), 'body.content');
    invalid(
      await c.post('/ai/generate', {
        transcript: 'A long note about our first pottery class and what \udfff people made.',
        platform: 'LINKEDIN',
        numberOfPosts: 1,
        style: 'CASUAL',
      }),
      'body.transcript',
    );
    expect(await rows()).toEqual(before);
    // A proper pair (an emoji) is fine.
    expect((await c.post('/brands', { name: 'Nordwind \ud83d\ude00' })).status).toBe(201);
  });
});

describe('errors of the HTTP layer answer in the envelope', () => {
  it('a malformed percent-encoding in a path id is 400, not 500', async () => {
    const res = await raw('GET', '/api/v1/brands/%E0%A4%A', auth());
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error.code).toBe('VALIDATION_ERROR');
  });

  it('a Content-Encoding: gzip body that is not gzip is 400, nothing written', async () => {
    const before = await rows();
    const res = await raw(
      'POST',
      '/api/v1/brands',
      { ...auth(), 'content-type': 'application/json', 'content-encoding': 'gzip' },
      Buffer.from('{"name":"Nordwind"}'),
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(await rows()).toEqual(before);
  });

  it('a path over 16 kB gets the envelope, not a bare 431', async () => {
    const res = await raw('GET', `/api/v1/brands/${'a'.repeat(17_000)}`, auth());
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(res.text);
    expect(body.error.code).toBe('HEADERS_TOO_LARGE');
    expect(body.error.message).toMatch(/16 kB/);
  });

  it('a wrong method is 405 with Allow listing the methods the path has', async () => {
    const put = await raw('PUT', '/api/v1/brands', auth());
    expect(put.status).toBe(405);
    expect(JSON.parse(put.text).error.code).toBe('METHOD_NOT_ALLOWED');
    expect(String(put.headers.allow).split(/,\s*/).sort()).toEqual(['GET', 'HEAD', 'POST']);
    const post = await raw('POST', '/api/v1/posts/5f1c2a9e-8b3d-4c7a-9e21-6d4b8f0a3c17', auth());
    expect(post.status).toBe(405);
    expect(String(post.headers.allow).split(/,\s*/).sort()).toEqual(['DELETE', 'GET', 'HEAD', 'PATCH']);
    // A path that does not exist stays 404.
    expect((await raw('PUT', '/api/v1/nowhere', auth())).status).toBe(404);
  });

  it('a JSON body sent as another content type is 415 and says so, nothing written', async () => {
    const before = await rows();
    const res = await c.post('/brands', JSON.stringify({ name: 'Nordwind' }), { 'Content-Type': 'text/plain' });
    const error = envelope(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(error.message).toMatch(/application\/json/);
    expect(await rows()).toEqual(before);
  });
});

describe('dates and numbers Postgres cannot take', () => {
  const cursorOf = (at: string) => Buffer.from(`${at}|5f1c2a9e-8b3d-4c7a-9e21-6d4b8f0a3c17`).toString('base64url');

  it('a date of year 0 or past 9999 in a query or a cursor is 400, not 500', async () => {
    const error = invalid(await c.get('/posts?from=0000-01-01T00:00:00Z'), 'query.from');
    expect(messageOf(error, 'query.from')).toMatch(/1970.*9999/);
    invalid(await c.get('/posts?to=9999-12-31T23:59:59-01:00'), 'query.to');
    invalid(await c.get(`/posts?cursor=${cursorOf('0000-01-01T00:00:00.000Z')}`), 'query.cursor');
    invalid(await c.get(`/brands?cursor=${cursorOf(new Date(8.64e15).toISOString())}`), 'query.cursor');
    invalid(await c.get(`/jobs?cursor=${cursorOf('0000-06-01T00:00:00.000Z')}`), 'query.cursor');
  });

  it('a date without an offset says it needs one', async () => {
    const error = invalid(await c.get('/posts?from=2026-11-22T09:30:00'), 'query.from');
    expect(messageOf(error, 'query.from')).toMatch(/offset/i);
  });

  it('limit=0x10 is not 16: only decimal digits, in words a person reads', async () => {
    for (const limit of ['0x10', '1e1', ' 5', 'abc', '0', '101', '2.5']) {
      const error = invalid(await c.get(`/brands?limit=${encodeURIComponent(limit)}`), 'query.limit');
      expect(messageOf(error, 'query.limit')).toBe('limit must be a whole number from 1 to 100');
    }
    expect((await c.get('/brands?limit=16')).status).toBe(200);
  });
});

describe('auth, idempotency and state', () => {
  it('the Bearer scheme is case-insensitive and a bare token is refused', async () => {
    const as = (authorization: string) => raw('GET', '/api/v1/me', { authorization });
    expect((await as(token)).status).toBe(401);
    expect((await as(`bearer ${token}`)).status).toBe(200);
    expect((await as(`BEARER ${token}`)).status).toBe(200);
    expect((await as(`Basic ${token}`)).status).toBe(401);
  });

  it('checkout with a reused Idempotency-Key and another body is 409 IDEMPOTENCY_KEY_REUSED', async () => {
    const u = client(app.api, await signInLocally(app.api));
    const key = { 'Idempotency-Key': `checkout-${Date.now()}` };
    const first = await u.post('/subscriptions/create-checkout', { plan: 'PRO' }, key);
    expect(first.status).toBe(201);
    const again = await u.post('/subscriptions/create-checkout', { plan: 'PRO' }, key);
    expect(again).toMatchObject({ status: 201, body: { url: first.body.url } });
    envelope(await u.post('/subscriptions/create-checkout', { plan: 'BUSINESS' }, key), 409, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('whitespace-only post content is refused on create and on edit', async () => {
    const before = await rows();
    invalid(await c.post('/posts', { platform: 'TELEGRAM', content: ' \n\t\u00a0 ' }), 'body.content');
    expect(await rows()).toEqual(before);
    const post = await c.post('/posts', { platform: 'TELEGRAM', content: 'Fresh beans today.' });
    expect(post.status).toBe(201);
    invalid(await c.patch(`/posts/${post.body.id}`, { content: '   ' }), 'body.content');
    expect((await c.get(`/posts/${post.body.id}`)).body.content).toBe('Fresh beans today.');
  });

  it('PATCH /me {"name": null} is refused, and GET /me agrees with the answer', async () => {
    const res = await c.patch('/me', { name: null });
    invalid(res, 'body.name');
    expect((await c.get('/me')).body.name).toBe('Ada');
  });

  it('the time zone is stored under its canonical IANA name', async () => {
    const res = await c.patch('/me', { timezone: 'europe/berlin' });
    expect(res.status).toBe(200);
    expect(res.body.timezone).toBe('Europe/Berlin');
    expect((await app.db.user.findUniqueOrThrow({ where: { id: userId } })).timezone).toBe('Europe/Berlin');
    await c.patch('/me', { timezone: 'UTC' });
  });

  it("the database's current name of a zone ICU lists under an old one is kept as chosen", async () => {
    // ICU lists Asia/Calcutta and resolves Asia/Kolkata to it; the time-zone database says Kolkata.
    expect((await c.patch('/me', { timezone: 'Asia/Kolkata' })).body.timezone).toBe('Asia/Kolkata');
    expect((await c.patch('/me', { timezone: 'Europe/Kyiv' })).body.timezone).toBe('Europe/Kyiv');
    await c.patch('/me', { timezone: 'UTC' });
  });

  it('ten concurrent send-now calls: one 200, the rest 409 INVALID_STATE, one delivery', async () => {
    const u = client(app.api, await signInLocally(app.api));
    const id = (await u.get('/me')).body.id as string;
    await app.db.telegramChat.create({ data: { userId: id, chatId: 912_000_001n, username: 'ada', status: 'LINKED' } });
    const post = await u.post('/posts', { platform: 'TELEGRAM', content: 'Out now.' });
    const answers = await Promise.all(Array.from({ length: 10 }, () => u.post(`/posts/${post.body.id}/send-now`)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) envelope(a, 409, 'INVALID_STATE');
    expect(await app.db.delivery.count({ where: { postId: post.body.id, status: { not: 'CANCELLED' } } })).toBe(1);
  });
});

describe('messages in a person’s words', () => {
  it('a missing field "is required"', async () => {
    const error = invalid(await c.post('/brands', {}), 'body.name');
    expect(messageOf(error, 'body.name')).toBe('name is required');
    expect(error.message).not.toMatch(/expected string|received undefined/);
  });

  it('a huge number is "at most 10", not the safe-integer bound', async () => {
    const res = await c.post('/ai/generate', {
      transcript: 'A long note about the first week of our pottery class.',
      platform: 'LINKEDIN',
      numberOfPosts: 1e300,
      style: 'CASUAL',
    });
    const error = invalid(res, 'body.numberOfPosts');
    expect(messageOf(error, 'body.numberOfPosts')).toBe('numberOfPosts must be at most 10');
    expect(JSON.stringify(res.body)).not.toMatch(/9007199254740991/);
  });

  it('echoed input is capped in length', async () => {
    const long = 'x'.repeat(5_000);
    const unknown = await c.post('/brands', { name: 'Nordwind', [long]: 1 });
    invalid(unknown, 'body');
    expect(JSON.stringify(unknown.body).length).toBeLessThan(1_000);
    const noRoute = await c.get(`/${long}`);
    envelope(noRoute, 404, 'NOT_FOUND');
    expect(JSON.stringify(noRoute.body).length).toBeLessThan(1_000);
  });
});
