// Clerk session tokens: every bad variant is 401 in the spec's envelope (never a redirect); users
// are created once on first sight, even under a burst of concurrent first requests.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { USER_INVALIDATION_CHANNEL } from '../../../backend/src/modules/users/user-cache.ts';
import { clerkEnv, mintToken, newKeyPair, signInLocally, TEST_APP_URL } from '../../helpers/auth.ts';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { client } from '../../helpers/http.ts';
import { until } from '../../helpers/wait.ts';

const clerkKeys = newKeyPair();
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: clerkEnv(clerkKeys) });
});
afterAll(() => app?.close());

async function expect401(token: string | undefined, label: string) {
  const res = await client(app.api, token).get('/me');
  expect(res.status, label).toBe(401);
  expect(res.body.error.code, label).toBe('UNAUTHORIZED');
  expect(res.headers.get('location'), label).toBeNull();
  expect(res.body.requestId).toBe(res.headers.get('x-request-id'));
}

describe('Clerk session tokens', () => {
  it('accepts a valid token and creates the user from its claims', async () => {
    const token = await mintToken(clerkKeys, {
      sub: 'user_valid_1',
      claims: { email: 'ann@example.com', name: 'Ann' },
    });
    const res = await client(app.api, token).get('/me');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: 'ann@example.com', name: 'Ann', plan: 'FREE', timezone: 'UTC' });
    expect(await app.db.user.count({ where: { clerkId: 'user_valid_1' } })).toBe(1);
  });

  it('answers 401 for a missing, malformed, expired, tampered, wrong-key, wrong-azp or alg:none token', async () => {
    await expect401(undefined, 'missing');
    await expect401('not-a-jwt', 'malformed');
    await expect401(await mintToken(clerkKeys, { expiresIn: -120 }), 'expired');

    const good = await mintToken(clerkKeys, { sub: 'user_tamper' });
    const [header, payload, signature] = good.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'user_admin' }),
    ).toString('base64url');
    await expect401(`${header}.${forged}.${signature}`, 'tampered');

    await expect401(await mintToken(newKeyPair(), { sub: 'user_other_key' }), 'wrong key');
    await expect401(await mintToken(clerkKeys, { azp: 'https://evil.example' }), 'wrong azp');

    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({
        sub: 'user_none',
        azp: TEST_APP_URL,
        sid: 'sess_x',
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 600,
      }),
    ).toString('base64url')}.`;
    await expect401(none, 'alg none');

    // HS256 signed with the public key as the secret: the classic algorithm-confusion attack.
    const confused = await new SignJWT({ azp: TEST_APP_URL, sid: 'sess_y' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user_confused')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(clerkKeys.publicKeyPem));
    await expect401(confused, 'HS256 with the public key');

    expect(
      await app.db.user.count({
        where: { clerkId: { in: ['user_admin', 'user_tamper', 'user_none', 'user_other_key', 'user_confused'] } },
      }),
    ).toBe(0);
  });

  it('answers 401, never a redirect, to a browser navigation or a cookie session', async () => {
    for (const headers of [
      { accept: 'text/html', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' },
      { accept: 'text/html', 'sec-fetch-dest': 'document', cookie: '__session=not-a-jwt; __client_uat=1' },
      { accept: 'text/html', referer: 'https://example.com/' },
      // A valid session token in Clerk's cookie is not a credential here: only the header counts.
      { cookie: `__session=${await mintToken(clerkKeys, { sub: 'user_cookie_1' })}` },
    ]) {
      const res = await fetch(`${app.api}/me`, { headers, redirect: 'manual' });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('location')).toBeNull();
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    }
  });

  it('creates exactly one user for fifty concurrent first requests', async () => {
    const token = await mintToken(clerkKeys, { sub: 'user_burst', claims: { email: 'burst@example.com' } });
    const replies = await Promise.all(Array.from({ length: 50 }, () => client(app.api, token).get('/me')));
    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect(await app.db.user.count({ where: { clerkId: 'user_burst' } })).toBe(1);
  });

  it('has no local sign-in when Clerk is configured', async () => {
    const res = await client(app.api).post('/dev/session', { email: 'x@example.com' });
    expect(res.status).toBe(404);
  });

  it('sees a change made by another replica at once, and never erases an email the token does not carry', async () => {
    const sub = 'user_keeps_email';
    await client(app.api, await mintToken(clerkKeys, { sub, claims: { email: 'first@example.com' } })).get('/me');
    // Another replica (here: the Clerk webhook's effect, written directly) changes the user and
    // publishes the invalidation every replica listens to.
    await app.db.user.update({ where: { clerkId: sub }, data: { name: 'From webhook' } });
    const redis = new Redis(inject('redisUrl'));
    try {
      await redis.publish(USER_INVALIDATION_CHANNEL, sub);
    } finally {
      redis.disconnect();
    }
    const bare = client(app.api, await mintToken(clerkKeys, { sub }));
    const me = await until('the new name to show', async () => {
      const res = await bare.get('/me');
      return res.body.name === 'From webhook' ? res.body : undefined;
    });
    expect(me.email).toBe('first@example.com');
  });
});

describe('local sign-in (no Clerk)', () => {
  let local: TestApp;
  beforeAll(async () => {
    local = await startTestApp();
  });
  afterAll(() => local?.close());

  it('issues tokens that the same Clerk middleware verifies, one user per email', async () => {
    const first = await signInLocally(local.api, 'Dana@Example.com', 'Dana');
    const again = await signInLocally(local.api, 'dana@example.com');
    const [a, b] = await Promise.all([client(local.api, first).get('/me'), client(local.api, again).get('/me')]);
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ email: 'dana@example.com', name: 'Dana' });
    expect(b.body.id).toBe(a.body.id);
  });

  it('rejects a token signed with another key even though the route is local', async () => {
    const foreign = await mintToken(newKeyPair(), { azp: 'http://localhost:3000' });
    expect((await client(local.api, foreign).get('/me')).status).toBe(401);
  });

  it('validates its body', async () => {
    const res = await client(local.api).post('/dev/session', { email: 'not-an-email' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues[0].path).toBe('body.email');
    const extra = await client(local.api).post('/dev/session', { email: 'a@example.com', admin: true });
    expect(extra.status).toBe(400);
    expect(extra.body.error.message).toContain('admin');
  });

  it('signs tokens with a key kept in the data folder, so they survive a restart', async () => {
    const token = await signInLocally(local.api, 'erin@example.com');
    const restarted = await startTestApp({
      env: { POSTAIFY_DATA_DIR: local.config.dataDir },
      databaseUrl: local.databaseUrl,
    });
    try {
      expect((await client(restarted.api, token).get('/me')).status).toBe(200);
    } finally {
      await restarted.close();
    }
  });

  it('keeps its private key readable by the owner only', () => {
    const mode = statSync(join(local.config.dataDir, 'auth', 'local-signin.key')).mode & 0o777;
    expect(mode).toBe(0o600);
  });
});
