// Clerk session tokens, verified by @clerk/express. With a JWT key (CLERK_JWT_KEY, or the local
// sign-in's public key) verification needs no network call; otherwise Clerk's JWKS is fetched
// from CLERK_API_URL and cached by the SDK. Only the Authorization header counts (no cookie
// sessions), and a bad token is never a redirect: the request is signed out and `requireUser`
// answers 401 in the spec's envelope.
import { clerkMiddleware, createClerkClient, getAuth } from '@clerk/express';
import type { Request, RequestHandler } from 'express';
import type { Config } from '../../config/index.js';
import type { LocalKeys } from './local-keys.js';

/** A well-formed but unusable publishable key (base64 of a host and `$`), for the local sign-in. */
export const LOCAL_PUBLISHABLE_KEY = `pk_test_${Buffer.from('local.postaify.dev$').toString('base64')}`;
export const LOCAL_ISSUER = 'https://local.postaify.dev';

export function clerkAuth(config: Config, localKeys: LocalKeys | undefined): RequestHandler {
  const real = config.clerk.mode === 'real';
  const publishableKey = real ? config.clerk.publishableKey : LOCAL_PUBLISHABLE_KEY;
  const secretKey = real ? config.clerk.secretKey : 'sk_test_local_signin_never_sent';
  const jwtKey = real ? config.clerk.jwtKey : localKeys?.publicKeyPem;
  const clerkClient = createClerkClient({
    publishableKey,
    secretKey,
    jwtKey,
    ...(config.clerk.apiUrl ? { apiUrl: config.clerk.apiUrl } : {}),
    telemetry: { disabled: true },
  });
  return withVerifiedTokenCache(
    bearerOnly(
      clerkMiddleware({
        clerkClient,
        publishableKey,
        secretKey,
        jwtKey,
        authorizedParties: [...config.clerk.authorizedParties],
      }),
    ),
  );
}

/** What Clerk may see of a request besides the token: what locates the request (URL, proxy). */
const HEADERS_FOR_CLERK = ['host', 'x-forwarded-host', 'x-forwarded-proto', 'origin', 'user-agent'];

/**
 * The token of `Authorization: Bearer <token>`. The scheme is case-insensitive (RFC 7235:
 * `bearer` and `BEARER` are the same scheme); a header without one (a bare token) or with another
 * scheme carries no session. Clerk's own reading takes a bare token and refuses `bearer`.
 */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * The API takes session tokens from the Authorization header only. Clerk's middleware also reads
 * the `__session` cookie and answers a browser navigation that has no valid one with a 307 to its
 * handshake: right for a page, wrong for an API (a redirect where a client expects 401, and a
 * cookie session would let cross-site requests ride on the user's login). So Clerk is handed a
 * view of the request with only the headers above; the auth it decides is copied back.
 */
export function bearerOnly(clerk: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    const headers: Record<string, string | string[] | undefined> = Object.fromEntries(
      HEADERS_FOR_CLERK.filter((h) => h in req.headers).map((h) => [h, req.headers[h]]),
    );
    if (token) headers.authorization = `Bearer ${token}`;
    const view = Object.create(req, { headers: { value: headers, enumerable: true } }) as Request;
    void clerk(view, res, (err?: unknown) => {
      if ('auth' in view) (req as unknown as { auth: unknown }).auth = (view as unknown as { auth: unknown }).auth;
      next(err);
    });
  };
}

type AuthFn = ((options?: unknown) => unknown) & Record<symbol, unknown>;

/**
 * Clerk's `req.auth` builds a new auth object (and a Backend API client) on every call; for the
 * same token the answer is the same, so the first one is kept. The function carries Clerk's brand
 * (symbol properties) that `getAuth` checks, so they are copied.
 */
function memoized(auth: AuthFn): AuthFn {
  let plain: unknown;
  const fn = ((options?: unknown) => (options === undefined ? (plain ??= auth()) : auth(options))) as AuthFn;
  for (const key of Object.getOwnPropertySymbols(auth)) fn[key] = auth[key];
  return fn;
}

const CACHE_MAX_ENTRIES = 10_000;
const CACHE_MAX_MS = 60_000;

/**
 * Verifying an RS256 token costs more than the rest of a signed-in request (the SDK imports the
 * key and builds a request object each time). A verdict is a pure function of the exact token
 * string, so a token verified once is trusted again until it expires (at most a minute): the same
 * auth object Clerk's middleware produced is put back on the request. Any other string, a
 * tampered token included, is verified in full; only signed-in verdicts are kept.
 */
export function withVerifiedTokenCache(clerk: RequestHandler): RequestHandler {
  const verified = new Map<string, { auth: unknown; expiresAt: number }>();
  return (req, res, next) => {
    // Keyed by the token: `bearer x` and `Bearer x` are one credential.
    const header = bearerToken(req.headers.authorization);
    const hit = header ? verified.get(header) : undefined;
    if (hit && hit.expiresAt > Date.now()) {
      (req as unknown as { auth: unknown }).auth = hit.auth;
      next();
      return;
    }
    if (hit) verified.delete(header!);
    void clerk(req, res, (err?: unknown) => {
      if (!err && header) {
        const carrier = req as unknown as { auth: AuthFn };
        carrier.auth = memoized(carrier.auth);
        const auth = getAuth(req);
        const exp = (auth.sessionClaims as { exp?: number } | null)?.exp;
        if (auth.isAuthenticated && typeof exp === 'number') {
          if (verified.size >= CACHE_MAX_ENTRIES) verified.delete(verified.keys().next().value!);
          const expiresAt = Math.min(exp * 1000, Date.now() + CACHE_MAX_MS);
          verified.set(header, { auth: carrier.auth, expiresAt });
        }
      }
      next(err);
    });
  };
}
