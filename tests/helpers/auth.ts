// Session tokens for tests. `signInLocally` uses the product's own local sign-in route; the
// `clerkKeys` pair stands in for a Clerk instance's signing key (CLERK_JWT_KEY) so tests can mint
// tokens exactly as Clerk would, and forge bad ones.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';

export interface KeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

export function newKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

export const TEST_APP_URL = 'https://app.postaify.test';

/** Environment for an app that trusts `keys` as its Clerk instance's signing key. */
export function clerkEnv(keys: KeyPair): Record<string, string> {
  return {
    CLERK_PUBLISHABLE_KEY: `pk_test_${Buffer.from('clerk.postaify.test$').toString('base64')}`,
    CLERK_SECRET_KEY: 'sk_test_not_used_offline',
    CLERK_JWT_KEY: keys.publicKeyPem,
    CLERK_AUTHORIZED_PARTIES: TEST_APP_URL,
    APP_URL: TEST_APP_URL,
  };
}

export interface TokenOptions {
  sub?: string;
  azp?: string;
  /** Seconds from now (negative: already expired). */
  expiresIn?: number;
  claims?: Record<string, unknown>;
  /** Key id in the header, as Clerk sets it (the JWKS path looks the key up by it). */
  kid?: string;
}

export async function mintToken(
  keys: KeyPair,
  {
    sub = `user_${randomBytes(8).toString('hex')}`,
    azp = TEST_APP_URL,
    expiresIn = 600,
    claims = {},
    kid,
  }: TokenOptions = {},
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ azp, sid: `sess_${randomBytes(8).toString('hex')}`, ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(kid ? { kid } : {}) })
    .setSubject(sub)
    .setIssuer('https://clerk.postaify.test')
    .setIssuedAt(now - 10)
    .setNotBefore(now - 10)
    .setExpirationTime(now + expiresIn)
    .sign(await importPKCS8(keys.privateKeyPem, 'RS256'));
}

/** Signs in through POST /api/v1/dev/session (apps without Clerk) and returns the token. */
export async function signInLocally(
  api: string,
  email = `${randomBytes(6).toString('hex')}@example.com`,
  name?: string,
): Promise<string> {
  const res = await fetch(`${api}/dev/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, ...(name ? { name } : {}) }),
  });
  if (res.status !== 201) throw new Error(`local sign-in failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}
