// Clerk session tokens, verified by @clerk/express. With a JWT key (CLERK_JWT_KEY, or the local
// sign-in's public key) verification needs no network call; otherwise Clerk's JWKS is fetched
// from CLERK_API_URL and cached by the SDK. A bad token is never a redirect: the request is
// signed out and `requireUser` answers 401 in the spec's envelope.
import { clerkMiddleware, createClerkClient } from '@clerk/express';
import type { RequestHandler } from 'express';
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
  return clerkMiddleware({
    clerkClient,
    publishableKey,
    secretKey,
    jwtKey,
    authorizedParties: [...config.clerk.authorizedParties],
  });
}
