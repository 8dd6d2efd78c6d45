// OWASP API4 / API6 (resource consumption, sensitive business flows): per-user limits on the
// actions that cost an outside call or write deliveries: checkout and portal sessions (10 a
// minute), link codes (10), test messages (5) and the post actions schedule / unschedule /
// send-now / duplicate (60 together). Over the limit: 429 RATE_LIMITED with Retry-After and the
// RateLimit / RateLimit-Policy headers. Counted in Redis, so two replicas share one budget; one
// user's spent budget leaves another user's alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramEmulator, type TelegramEmulator } from '../../emulators/src/index.ts';
import { LOCAL_BOT_TOKEN } from '../../backend/src/integrations/telegram/client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { signInLocally } from '../helpers/auth.ts';
import { client, type Reply } from '../helpers/http.ts';

let telegram: TelegramEmulator;
let app: TestApp;
let replica: TestApp;

beforeAll(async () => {
  telegram = await startTelegramEmulator({ token: LOCAL_BOT_TOKEN });
  const env = {
    TELEGRAM_API_ROOT: telegram.url,
    TELEGRAM_UPDATES: 'webhook',
    TELEGRAM_WEBHOOK_SECRET: 's3cret-s3cret',
  };
  app = await startTestApp({ env });
  // A second web replica over the same database and Redis (local sign-in keys are per data
  // folder, so a user signs in on each).
  replica = await startTestApp({ env, databaseUrl: app.databaseUrl });
});
afterAll(async () => {
  await replica?.close();
  await app?.close();
  await telegram?.close();
});

const signIn = async (on: TestApp = app, email?: string) => client(on.api, await signInLocally(on.api, email));

/** A 429 of the named per-user budget (IETF draft-8 headers: `"<name>"; q=<limit>; w=60`). */
function expectLimited(res: Reply, name: string, limit: number) {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('RATE_LIMITED');
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(res.headers.get('ratelimit-policy')).toContain(`"${name}"; q=${limit}; w=60`);
  expect(res.headers.get('ratelimit')).toContain(`"${name}"; r=0;`);
}

/** Sends `n` requests one after the other; none of them may be limited. */
async function spend(n: number, send: () => Promise<Reply>) {
  for (let i = 0; i < n; i++) {
    const res = await send();
    expect(res.status, `request ${i + 1} of ${n}`).not.toBe(429);
  }
}

describe('per-user limits', () => {
  it('link codes: 10 a minute per user, and another user is not affected', async () => {
    const c = await signIn();
    await spend(10, () => c.post('/telegram/link'));
    const limited = await c.post('/telegram/link');
    expectLimited(limited, 'telegram-link', 10);
    expect(await app.db.telegramLinkCode.count({ where: { userId: (await c.get('/me')).body.id } })).toBe(10);
    expect((await (await signIn()).post('/telegram/link')).status).toBe(201);
  });

  it('test messages: 5 a minute per user', async () => {
    const c = await signIn();
    await spend(5, () => c.post('/telegram/test')); // 409 TELEGRAM_NOT_LINKED: still a request
    expectLimited(await c.post('/telegram/test'), 'telegram-test', 5);
  });

  it('checkout and portal: 10 a minute per user, together', async () => {
    const c = await signIn();
    await spend(5, () => c.post('/subscriptions/create-checkout', { plan: 'PRO' }));
    await spend(5, () => c.post('/subscriptions/portal'));
    expectLimited(await c.post('/subscriptions/create-checkout', { plan: 'PRO' }), 'billing', 10);
    expectLimited(await c.post('/subscriptions/portal'), 'billing', 10);
  });

  it('post actions: 60 a minute per user across schedule, unschedule, send-now and duplicate', async () => {
    const c = await signIn();
    const post = (await c.post('/posts', { platform: 'TWITTER', content: 'Fresh bread at seven.' })).body;
    const actions: Array<() => Promise<Reply>> = [
      () => c.post(`/posts/${post.id}/schedule`, { scheduledFor: new Date(Date.now() + 3_600_000).toISOString() }),
      () => c.post(`/posts/${post.id}/unschedule`),
      () => c.post(`/posts/${post.id}/send-now`),
      () => c.post(`/posts/${post.id}/duplicate`),
    ];
    let i = 0;
    await spend(60, () => actions[i++ % actions.length]!());
    for (const action of actions) expectLimited(await action(), 'post-actions', 60);
    // Nothing was written by the refused duplicate: exactly 15 copies exist besides the post.
    expect(await app.db.post.count({ where: { userId: (await c.get('/me')).body.id } })).toBe(16);
    // Reads are not part of the budget.
    expect((await c.get(`/posts/${post.id}`)).status).toBe(200);
  });

  it('is one budget across replicas', async () => {
    const email = `replicas-${Date.now()}@example.com`;
    const a = await signIn(app, email);
    const b = await signIn(replica, email);
    expect((await a.get('/me')).body.id).toBe((await b.get('/me')).body.id);
    await spend(5, () => a.post('/telegram/link'));
    await spend(5, () => b.post('/telegram/link'));
    expectLimited(await a.post('/telegram/link'), 'telegram-link', 10);
    expectLimited(await b.post('/telegram/link'), 'telegram-link', 10);
  });
});
