// Clerk without CLERK_JWT_KEY: the SDK fetches the instance's signing keys from Clerk's Backend API
// (CLERK_API_URL, here a local server speaking GET /v1/jwks) and verifies tokens with them.
import { createPublicKey } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clerkEnv, mintToken, newKeyPair } from '../../helpers/auth.ts';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { client } from '../../helpers/http.ts';

const KID = 'ins_test_jwks_1';
const keys = newKeyPair();
const jwksRequests: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
const clerkApi = createServer((req, res) => {
  jwksRequests.push({ url: req.url ?? '', headers: req.headers });
  if (req.method === 'GET' && req.url === '/v1/jwks') {
    void exportJWK(createPublicKey(keys.publicKeyPem)).then((jwk) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [{ ...jwk, kid: KID, alg: 'RS256', use: 'sig' }] }));
    });
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ code: 'resource_not_found', message: 'not found' }] }));
});
let app: TestApp;

beforeAll(async () => {
  await new Promise<void>((resolve) => clerkApi.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(clerkApi.address() as AddressInfo).port}`;
  // Blank counts as unset: no JWT key, so verification goes through the JWKS.
  app = await startTestApp({ env: { ...clerkEnv(keys), CLERK_JWT_KEY: '', CLERK_API_URL: apiUrl } });
});
afterAll(async () => {
  await app?.close();
  await new Promise<void>((resolve) => clerkApi.close(() => resolve()));
});

describe('Clerk tokens verified through the JWKS', () => {
  it('fetches the signing keys with the secret key once, then verifies locally', async () => {
    const token = await mintToken(keys, { sub: 'user_jwks_1', kid: KID });
    expect((await client(app.api, token).get('/me')).status).toBe(200);
    const fetched = jwksRequests.filter((r) => r.url === '/v1/jwks');
    expect(fetched.length).toBeGreaterThanOrEqual(1);
    expect(fetched[0]!.headers.authorization).toBe('Bearer sk_test_not_used_offline');

    const other = await mintToken(keys, { sub: 'user_jwks_2', kid: KID });
    expect((await client(app.api, other).get('/me')).status).toBe(200);
    expect(jwksRequests.filter((r) => r.url === '/v1/jwks')).toHaveLength(fetched.length);
  });

  it('answers 401 for a token signed by another key under the same kid, or with an unknown kid', async () => {
    const forged = await mintToken(newKeyPair(), { sub: 'user_jwks_3', kid: KID });
    const res = await client(app.api, forged).get('/me');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect((await client(app.api, await mintToken(keys, { kid: 'ins_unknown' })).get('/me')).status).toBe(401);
  });
});
