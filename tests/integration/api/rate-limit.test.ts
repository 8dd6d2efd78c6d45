// Rate limits (spec: 100 requests a minute per IP on /api/v1, 20 a minute per user on /ai/*, 10 a
// minute per user on /images/* and /voice/* together; 429 RATE_LIMITED with Retry-After and the
// RateLimit / RateLimit-Policy headers; counted in Redis, so shared by every replica).
//
// Every test app shares the one test Redis, and so do the other test files running in parallel,
// whose requests all come from 127.0.0.1. So that no test here depends on, or eats into, anyone
// else's budget, each test sends its requests from an address of its own in 127.0.0.0/8 (the
// whole block is loopback on Linux; the server sees that address as the client IP) and signs in
// fresh users. Counters are keyed by address and user, so no flushing of shared keys is needed.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../../stack/src/ports.ts';
import { startLocalRedis } from '../../../stack/src/redis.ts';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { until } from '../../helpers/wait.ts';

const agent = new Agent({ keepAlive: true });
afterAll(() => agent.destroy());

const used = new Set<string>();
/** A loopback address no other test uses (never 127.0.0.1, which every other test file shares). */
function freshIp(): string {
  for (;;) {
    const [a, b, c] = [...randomBytes(3)].map((n) => (n % 254) + 1);
    const ip = `127.${a}.${b}.${c}`;
    if (ip !== '127.0.0.1' && !used.has(ip)) {
      used.add(ip);
      return ip;
    }
  }
}

/** A random address from the documentation ranges, for X-Forwarded-For. */
const forwardedIp = () => `203.0.${randomBytes(1)[0]! % 114}.${(randomBytes(1)[0]! % 254) + 1}`;

interface Hit {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
}

interface HitOptions {
  /** The client address the request is sent from. */
  from: string;
  method?: string;
  token?: string;
  headers?: Record<string, string>;
  body?: string;
}

function hit(url: string, { from, method = 'GET', token, headers = {}, body }: HitOptions): Promise<Hit> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        localAddress: from,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode!, headers: res.headers, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Signs in from an address of its own: every test file shares the counter of 127.0.0.1, so a
 * sign-in from there could meet another file's traffic in this file's 100-a-minute budget.
 */
async function signIn(api: string): Promise<string> {
  const email = `${randomBytes(6).toString('hex')}@example.com`;
  const res = await hit(`${api}/dev/session`, { from: freshIp(), method: 'POST', body: JSON.stringify({ email }) });
  if (res.status !== 201) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { token: string }).token;
}

const header = (h: Hit, name: string) => {
  const v = h.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
};

/** The remaining count that a limiter's item of the `RateLimit` header announces. */
function remaining(h: Hit, name: string): number | undefined {
  const m = new RegExp(`"${name}"; *r=(\\d+); *t=(\\d+)`).exec(header(h, 'RateLimit'));
  return m ? Number(m[1]) : undefined;
}

function expectRateLimited(h: Hit, limiter: string, limit: number) {
  expect(h.status).toBe(429);
  expect(h.body).toEqual({
    error: { code: 'RATE_LIMITED', message: expect.any(String) },
    requestId: header(h, 'X-Request-Id'),
  });
  expect(header(h, 'Retry-After')).toMatch(/^[1-9]\d*$/);
  expect(Number(header(h, 'Retry-After'))).toBeLessThanOrEqual(60);
  expect(remaining(h, limiter)).toBe(0);
  expect(header(h, 'RateLimit-Policy')).toMatch(new RegExp(`"${limiter}"; *q=${limit}; *w=60\\b`));
}

/** tests/helpers/app.ts lifts the per-IP limit for everyone else; an empty value is "unset" (100). */
const DEFAULT_IP_LIMIT = { RATE_LIMIT_PER_IP: '' };

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: DEFAULT_IP_LIMIT });
});
afterAll(() => app?.close());

describe('per IP on /api/v1 (default 100 a minute)', () => {
  it('serves requests 1..100, answers the 101st 429 RATE_LIMITED with Retry-After and RateLimit headers', async () => {
    const ip = freshIp();
    for (let i = 1; i <= 100; i++) {
      const res = await hit(`${app.api}/plans`, { from: ip });
      expect(res.status, `request ${i}`).toBe(200);
      expect(remaining(res, 'ip'), `request ${i}: RateLimit ${header(res, 'RateLimit')}`).toBe(100 - i);
      expect(header(res, 'RateLimit-Policy')).toMatch(/^"ip"; *q=100; *w=60\b/);
    }
    const limited = await hit(`${app.api}/plans`, { from: ip, headers: { 'X-Request-Id': 'rl-101' } });
    expectRateLimited(limited, 'ip', 100);
    expect(limited.body.requestId).toBe('rl-101');
    expect(limited.headers['content-type']).toMatch(/^application\/json/);

    // The budget covers all of /api/v1, but only this address and only /api/v1.
    expectRateLimited(await hit(`${app.api}/openapi.json`, { from: ip }), 'ip', 100);
    expectRateLimited(await hit(`${app.api}/me`, { from: ip }), 'ip', 100);
    expect((await hit(`${app.url}/health`, { from: ip })).status).toBe(200);
    const other = await hit(`${app.api}/plans`, { from: freshIp() });
    expect(other.status).toBe(200);
    expect(remaining(other, 'ip')).toBe(99);
  });

  it('puts the RateLimit headers on answers that are not 429 too (404, 401, 400), and exposes them to the browser', async () => {
    const ip = freshIp();
    const notFound = await hit(`${app.api}/no-such-route`, { from: ip });
    expect(notFound.status).toBe(404);
    expect(remaining(notFound, 'ip')).toBe(99);
    expect(header(notFound, 'RateLimit-Policy')).toMatch(/^"ip"; *q=100; *w=60\b/);

    const unauthorized = await hit(`${app.api}/me`, { from: ip });
    expect(unauthorized.status).toBe(401);
    expect(remaining(unauthorized, 'ip')).toBe(98);

    const invalid = await hit(`${app.api}/posts?limit=1000`, { from: ip, token: await signIn(app.api) });
    expect(invalid.status).toBe(400);
    expect(remaining(invalid, 'ip')).toBe(97);
    expect(header(invalid, 'Retry-After')).toBe('');

    const cors = await hit(`${app.api}/plans`, { from: ip, headers: { Origin: app.config.appUrl } });
    const exposed = header(cors, 'Access-Control-Expose-Headers').toLowerCase();
    for (const name of ['retry-after', 'ratelimit', 'ratelimit-policy']) expect(exposed.split(/, */)).toContain(name);
  });

  it('counts requests whose body cannot be parsed, and answers them 429 once the budget is spent', async () => {
    const limited = await startTestApp({ env: { RATE_LIMIT_PER_IP: '3' } });
    const malformed = (from: string) =>
      hit(`${limited.api}/posts`, { from, method: 'POST', body: '{"content": "unterminated' });
    try {
      // Every request on /api/v1 is a request against the budget, whatever its body.
      const spender = freshIp();
      for (let i = 1; i <= 3; i++) {
        const res = await malformed(spender);
        expect(res.status, `malformed ${i}`).toBe(400);
        expect.soft(remaining(res, 'ip'), `malformed ${i}: RateLimit "${header(res, 'RateLimit')}"`).toBe(3 - i);
      }
      expect
        .soft((await hit(`${limited.api}/plans`, { from: spender })).status, 'after 3 malformed requests')
        .toBe(429);

      // Once the budget is spent, a malformed body is no way around the limit.
      const ip = freshIp();
      for (let i = 1; i <= 3; i++) expect((await hit(`${limited.api}/plans`, { from: ip })).status).toBe(200);
      expectRateLimited(await hit(`${limited.api}/plans`, { from: ip }), 'ip', 3);
      const broken = await malformed(ip);
      expect.soft(broken.status, 'a malformed request after the budget is spent').toBe(429);
      const oversized = await hit(`${limited.api}/posts`, {
        from: ip,
        method: 'POST',
        body: JSON.stringify({ content: 'x'.repeat(101 * 1024) }),
      });
      expect.soft(oversized.status, 'a body over 100 kB after the budget is spent').toBe(429);
    } finally {
      await limited.close();
    }
  });

  it('is one budget across two app instances on the same Redis: 60 to A + 40 to B, then 429 from both', async () => {
    const a = await startTestApp({ env: DEFAULT_IP_LIMIT });
    const b = await startTestApp({ env: DEFAULT_IP_LIMIT, databaseUrl: a.databaseUrl });
    try {
      const ip = freshIp();
      for (let i = 1; i <= 60; i++) expect((await hit(`${a.api}/plans`, { from: ip })).status, `A ${i}`).toBe(200);
      for (let i = 1; i <= 40; i++) {
        const res = await hit(`${b.api}/plans`, { from: ip });
        expect(res.status, `B ${i}`).toBe(200);
        expect(remaining(res, 'ip'), `B ${i}`).toBe(40 - i);
      }
      expectRateLimited(await hit(`${a.api}/plans`, { from: ip }), 'ip', 100);
      expectRateLimited(await hit(`${b.api}/plans`, { from: ip }), 'ip', 100);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('per user on the expensive prefixes (local sign-in)', () => {
  it('allows 20 requests a minute per user on /api/v1/ai/*, the 21st is 429; another user is not affected', async () => {
    const ip = freshIp();
    const [alice, bob] = [await signIn(app.api), await signIn(app.api)];
    for (let i = 1; i <= 20; i++) {
      // Below the limit: the route's own answer. A path with no route is the plain 404; a real
      // generation route with an empty body is 400 (validated before anything is queued or charged).
      const res =
        i % 2
          ? await hit(`${app.api}/ai/generate`, { from: ip, method: 'POST', token: alice, body: '{}' })
          : await hit(`${app.api}/ai/x`, { from: ip, token: alice });
      const expected = i % 2 ? [400, 'VALIDATION_ERROR'] : [404, 'NOT_FOUND'];
      expect([res.status, res.body?.error?.code], `request ${i}`).toEqual(expected);
      expect(remaining(res, 'ai'), `request ${i}: RateLimit ${header(res, 'RateLimit')}`).toBe(20 - i);
    }
    const limited = await hit(`${app.api}/ai/x`, { from: ip, token: alice });
    expectRateLimited(limited, 'ai', 20);
    expect(remaining(limited, 'ip')).toBeGreaterThan(0); // the user limit answered, not the IP one

    // Same address, another user: a budget of its own.
    const other = await hit(`${app.api}/ai/x`, { from: ip, token: bob });
    expect(other.status).toBe(404);
    expect(remaining(other, 'ai')).toBe(19);
    // The AI budget limits only /ai/*: the media prefixes and the rest of the API still answer.
    expect((await hit(`${app.api}/images/x`, { from: ip, token: alice })).status).toBe(404);
    expect((await hit(`${app.api}/me`, { from: ip, token: alice })).status).toBe(200);
  });

  it('allows 10 requests a minute per user on /images/* and /voice/* together', async () => {
    const ip = freshIp();
    const [alice, bob] = [await signIn(app.api), await signIn(app.api)];
    for (let i = 1; i <= 10; i++) {
      // Half on a real /images route (an empty body: 400, nothing queued), half on /voice paths
      // with no route (404).
      const res =
        i <= 5
          ? await hit(`${app.api}/images/generate`, { from: ip, method: 'POST', token: alice, body: '{}' })
          : await hit(`${app.api}/voice/x${i}`, { from: ip, token: alice });
      const expected = i <= 5 ? [400, 'VALIDATION_ERROR'] : [404, 'NOT_FOUND'];
      expect([res.status, res.body?.error?.code], `request ${i}`).toEqual(expected);
      expect(remaining(res, 'media'), `request ${i}`).toBe(10 - i);
    }
    expectRateLimited(await hit(`${app.api}/images/x`, { from: ip, token: alice }), 'media', 10);
    expectRateLimited(
      await hit(`${app.api}/voice/generate`, { from: ip, method: 'POST', token: alice, body: '{}' }),
      'media',
      10,
    );
    const other = await hit(`${app.api}/voice/x`, { from: ip, token: bob });
    expect(other.status).toBe(404);
    expect(remaining(other, 'media')).toBe(9);
    // The media budget is not the AI one.
    expect((await hit(`${app.api}/ai/x`, { from: ip, token: alice })).status).toBe(404);
  });

  it('answers unauthenticated requests to /api/v1/ai/* 401, never 429', async () => {
    const ip = freshIp();
    for (let i = 1; i <= 25; i++) {
      const res = await hit(`${app.api}/ai/x`, { from: ip, ...(i % 2 ? {} : { token: 'not-a-token' }) });
      expect([res.status, res.body?.error?.code], `request ${i}`).toEqual([401, 'UNAUTHORIZED']);
    }
    for (const path of ['/images/x', '/voice/x']) {
      const res = await hit(`${app.api}${path}`, { from: ip });
      expect([res.status, res.body?.error?.code], path).toEqual([401, 'UNAUTHORIZED']);
    }
  });

  it('reads its limits from RATE_LIMIT_AI_PER_USER and RATE_LIMIT_MEDIA_PER_USER', async () => {
    const small = await startTestApp({ env: { RATE_LIMIT_AI_PER_USER: '2', RATE_LIMIT_MEDIA_PER_USER: '1' } });
    try {
      const ip = freshIp();
      const token = await signIn(small.api);
      for (let i = 1; i <= 2; i++) expect((await hit(`${small.api}/ai/x`, { from: ip, token })).status).toBe(404);
      expectRateLimited(await hit(`${small.api}/ai/x`, { from: ip, token }), 'ai', 2);
      expect((await hit(`${small.api}/voice/x`, { from: ip, token })).status).toBe(404);
      expectRateLimited(await hit(`${small.api}/images/x`, { from: ip, token }), 'media', 1);
    } finally {
      await small.close();
    }
  });
});

describe('the client address behind a proxy', () => {
  it('with TRUST_PROXY=1, X-Forwarded-For decides the client: two forwarded addresses have separate budgets', async () => {
    const proxied = await startTestApp({ env: { TRUST_PROXY: '1', RATE_LIMIT_PER_IP: '3' } });
    try {
      const proxy = freshIp(); // both clients arrive through the same proxy address
      const [first, second] = [forwardedIp(), forwardedIp()];
      expect(first).not.toBe(second);
      const from = (client: string) =>
        hit(`${proxied.api}/plans`, { from: proxy, headers: { 'X-Forwarded-For': client } });
      for (let i = 1; i <= 3; i++) expect((await from(first)).status, `first ${i}`).toBe(200);
      expectRateLimited(await from(first), 'ip', 3);
      for (let i = 1; i <= 3; i++) {
        const res = await from(second);
        expect(res.status, `second ${i}`).toBe(200);
        expect(remaining(res, 'ip')).toBe(3 - i);
      }
      expectRateLimited(await from(second), 'ip', 3);
      // Only the hop next to the proxy counts: a client cannot choose its address by prepending one.
      expectRateLimited(
        await hit(`${proxied.api}/plans`, {
          from: proxy,
          headers: { 'X-Forwarded-For': `${forwardedIp()}, ${first}` },
        }),
        'ip',
        3,
      );
    } finally {
      await proxied.close();
    }
  });

  it('with TRUST_PROXY unset, X-Forwarded-For is ignored: spoofing it gives no fresh budget', async () => {
    const direct = await startTestApp({ env: { RATE_LIMIT_PER_IP: '3' } });
    try {
      const ip = freshIp();
      for (let i = 1; i <= 3; i++) {
        const res = await hit(`${direct.api}/plans`, {
          from: ip,
          headers: { 'X-Forwarded-For': forwardedIp(), Forwarded: `for=${forwardedIp()}`, 'X-Real-IP': forwardedIp() },
        });
        expect(res.status, `request ${i}`).toBe(200);
        expect(remaining(res, 'ip')).toBe(3 - i);
      }
      expectRateLimited(
        await hit(`${direct.api}/plans`, { from: ip, headers: { 'X-Forwarded-For': forwardedIp() } }),
        'ip',
        3,
      );
    } finally {
      await direct.close();
    }
  });
});

describe('when Redis is unreachable at start', () => {
  it('passes requests while Redis is away and limits them once it is back, with no restart', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'postaify-rl-redis-'));
    const late = await startTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_PER_IP: '3' } });
    let redis: Awaited<ReturnType<typeof startLocalRedis>> | undefined;
    // express-rate-limit reports each store error with console.error (a stack trace per request).
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      // No counter store: the API stays up (the limiter lets requests through), /ready says why.
      const ip = freshIp();
      for (let i = 1; i <= 5; i++) expect((await hit(`${late.api}/plans`, { from: ip })).status, `down ${i}`).toBe(200);
      expect((await hit(`${late.url}/ready`, { from: ip })).status).toBe(503);

      redis = await startLocalRedis({ dataDir: dir, port, persistent: false });
      await until('/ready to answer 200', async () => (await hit(`${late.url}/ready`, { from: ip })).status === 200);

      const fresh = freshIp();
      for (let i = 1; i <= 3; i++) {
        const res = await hit(`${late.api}/plans`, { from: fresh });
        expect(res.status, `up ${i}`).toBe(200);
        expect(remaining(res, 'ip'), `up ${i}`).toBe(3 - i);
      }
      expectRateLimited(await hit(`${late.api}/plans`, { from: fresh }), 'ip', 3);
    } finally {
      quiet.mockRestore();
      await late.close();
      await redis?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
