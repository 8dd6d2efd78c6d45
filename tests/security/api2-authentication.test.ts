// OWASP API2:2023 Broken Authentication. The routes that need no token are one explicit list,
// checked against the served document in both sign-in modes; every other operation of the document
// is sent no token and each kind of bad one (malformed, wrong scheme, expired, not yet valid,
// signed by another key, tampered, alg:none, HS256 with the public key, another app's azp, no
// subject): each answer is 401 UNAUTHORIZED in the error envelope, never a redirect, and no row is
// written (no user appears for a forged subject). A valid token reaches every one of them, so the
// 401s come from the token. In local mode, a token of another instance's key or an expired local
// token is refused the same way.
// Not here: a bare token without `Bearer` and a lower-case `bearer` (issue 12 item 7), a deleted
// user's live token (item 6, the tombstone), the local sign-in outside loopback (item 5).
import { randomUUID } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { clerkEnv, mintToken, newKeyPair, signInLocally, TEST_APP_URL, type KeyPair } from '../helpers/auth.ts';
import { fill, fingerprint, operations, servedDocument, type Operation } from './owasp-helpers.ts';

/** Every /api/v1 operation that answers without a token, in any mode. */
const PUBLIC = [
  'GET /api/v1/plans',
  'GET /api/v1/openapi.json',
  'GET /api/v1/docs',
  // <audio src> sends no token; the voice catalog is the same for everyone.
  'GET /api/v1/voice/voices/{id}/sample',
  // Signed by their senders instead (see api5-function-level.test.ts).
  'POST /api/v1/webhooks/stripe',
  'POST /api/v1/webhooks/clerk',
  'POST /api/v1/webhooks/telegram',
].sort();
/** Served only without Clerk: the local sign-in itself. */
const LOCAL_ONLY = ['POST /api/v1/dev/session'];

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Sends `op` with the Authorization header `authorization` (none when undefined). */
async function call(app: TestApp, o: Operation, authorization: string | undefined) {
  const path = fill(o.path, Object.fromEntries(o.pathParams.map((p) => [p, randomUUID()])));
  const res = await fetch(`${app.api}${path}`, {
    method: o.method.toUpperCase(),
    redirect: 'manual',
    headers: {
      ...(authorization !== undefined ? { Authorization: authorization } : {}),
      ...(o.body ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(o.body ? { body: '{}' } : {}),
  });
  const type = res.headers.get('content-type') ?? '';
  const body: any = type.startsWith('application/json') ? await res.json() : await res.body?.cancel();
  return { status: res.status, body, headers: res.headers };
}

const publicOf = (doc: any) =>
  operations(doc)
    .filter((o) => o.isPublic)
    .map((o) => o.key)
    .sort();

describe('API2 with Clerk (tokens verified against CLERK_JWT_KEY)', () => {
  const keys = newKeyPair();
  let app: TestApp;
  let signedIn: Operation[];
  const variants: Array<[string, () => Promise<string | undefined> | string | undefined]> = [
    ['no Authorization header', () => undefined],
    ['an empty bearer', () => 'Bearer '],
    ['a malformed token', () => 'Bearer not.a-jwt'],
    ['Basic credentials', () => `Basic ${Buffer.from('admin:admin').toString('base64')}`],
    ['an expired token', async () => `Bearer ${await mintToken(keys, { expiresIn: -120 })}`],
    [
      'a token not yet valid',
      async () => {
        const now = Math.floor(Date.now() / 1000);
        const token = await new SignJWT({ azp: TEST_APP_URL, sid: 'sess_future' })
          .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
          .setSubject('user_future')
          .setIssuedAt(now + 3600)
          .setNotBefore(now + 3600)
          .setExpirationTime(now + 7200)
          .sign(await importPKCS8(keys.privateKeyPem, 'RS256'));
        return `Bearer ${token}`;
      },
    ],
    ['a token signed by another key', async () => `Bearer ${await mintToken(newKeyPair(), { sub: 'user_foreign' })}`],
    [
      'a tampered payload',
      async () => {
        const [header, payload, signature] = (await mintToken(keys, { sub: 'user_tampered' })).split('.');
        const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
        return `Bearer ${header}.${b64({ ...claims, sub: 'user_admin' })}.${signature}`;
      },
    ],
    [
      'alg: none',
      () => {
        const now = Math.floor(Date.now() / 1000);
        const claims = { sub: 'user_none', azp: TEST_APP_URL, sid: 'sess_none', iat: now, nbf: now, exp: now + 600 };
        return `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
      },
    ],
    [
      'HS256 keyed with the public key',
      async () => {
        const token = await new SignJWT({ azp: TEST_APP_URL, sid: 'sess_hs' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('user_hs256')
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(new TextEncoder().encode(keys.publicKeyPem));
        return `Bearer ${token}`;
      },
    ],
    ['another app’s azp', async () => `Bearer ${await mintToken(keys, { azp: 'https://evil.example' })}`],
  ];

  beforeAll(async () => {
    app = await startTestApp({ env: clerkEnv(keys) });
    signedIn = operations(await servedDocument(app)).filter((o) => !o.isPublic);
  });
  afterAll(() => app?.close());

  it('marks exactly the explicit public list as public (no local sign-in)', async () => {
    expect(publicOf(await servedDocument(app))).toEqual(PUBLIC);
    expect(signedIn.length).toBeGreaterThan(25);
    for (const o of signedIn) expect(o.op.security, o.key).toBeUndefined(); // the document's bearerAuth
  });

  it.each(variants)('answers 401 in the envelope to every signed-in operation given %s', async (_label, token) => {
    const before = await fingerprint(app.db);
    const authorization = await token();
    for (const o of signedIn) {
      const res = await call(app, o, authorization);
      expect([res.status, res.body?.error?.code], o.key).toEqual([401, 'UNAUTHORIZED']);
      expect(res.body.requestId, o.key).toBe(res.headers.get('x-request-id'));
      expect(res.headers.get('location'), o.key).toBeNull();
      expect(Object.keys(res.body).sort()).toEqual(['error', 'requestId']);
    }
    expect(await fingerprint(app.db)).toEqual(before);
  });

  it('lets a valid token through to every signed-in operation (no 401)', async () => {
    const authorization = `Bearer ${await mintToken(keys, { sub: 'user_valid', claims: { email: 'ok@example.com' } })}`;
    for (const o of signedIn) {
      if (o.op.operationId === 'listVoices') continue; // reaches ElevenLabs, which this app does not have
      const res = await call(app, o, authorization);
      expect(res.status, `${o.key}: ${JSON.stringify(res.body)}`).not.toBe(401);
    }
    expect(await app.db.user.count({ where: { clerkId: 'user_valid' } })).toBe(1);
  });
});

describe('API2 with the local sign-in', () => {
  let app: TestApp;
  let other: TestApp;
  let signedIn: Operation[];

  beforeAll(async () => {
    [app, other] = await Promise.all([startTestApp(), startTestApp()]);
    signedIn = operations(await servedDocument(app)).filter((o) => !o.isPublic);
  });
  afterAll(async () => {
    await app?.close();
    await other?.close();
  });

  it('marks the explicit public list and the local sign-in as public', async () => {
    expect(publicOf(await servedDocument(app))).toEqual([...PUBLIC, ...LOCAL_ONLY].sort());
    const served = operations(await servedDocument(app)).map((o) => o.key);
    for (const key of [...PUBLIC, ...LOCAL_ONLY]) expect(served).toContain(key);
  });

  it('refuses another instance’s local token, an expired local token and a Clerk-style foreign one', async () => {
    const localKeys = app.localKeys as KeyPair;
    const azp = app.config.clerk.authorizedParties[0] ?? app.config.appUrl;
    const valid = await mintToken(localKeys, { azp });
    // The control: this instance's own key and azp are accepted.
    expect(
      (
        await call(
          app,
          signedIn.find((o) => o.op.operationId === 'getMe')!,
          `Bearer ${valid}`,
        )
      ).status,
    ).toBe(200);

    const tokens = {
      'another instance’s token': await signInLocally(other.api),
      'an expired local token': await mintToken(localKeys, { azp, expiresIn: -120 }),
      'a token of another key': await mintToken(newKeyPair(), { azp }),
    };
    const before = await fingerprint(app.db);
    for (const [label, token] of Object.entries(tokens)) {
      for (const o of signedIn) {
        const res = await call(app, o, `Bearer ${token}`);
        expect([res.status, res.body?.error?.code], `${label}: ${o.key}`).toEqual([401, 'UNAUTHORIZED']);
      }
    }
    expect(await fingerprint(app.db)).toEqual(before);
  });
});
