// POST /api/v1/dev/session: the zero-config default's sign-in. Exists only when Clerk is not
// configured (never in production: config refuses to start without Clerk there). Tokens are
// RS256 session tokens shaped like Clerk's, signed with the local key pair.
//
// It signs in anyone as anyone, so it serves this machine alone, and not on NODE_ENV's word only:
// config refuses a non-loopback API_URL without Clerk at boot, and each request is refused unless
// API_URL, the request's Host and the connection's peer address are all loopback (a process
// reachable from elsewhere, under another name or with a forged `Host: localhost`, or built from a
// configuration that skipped those checks, signs in nobody). The peer is the socket's own address,
// never X-Forwarded-For: a proxy in front means the request came from elsewhere.
import { createHash, randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { SignJWT, importPKCS8 } from 'jose';
import { z } from 'zod';
import type { RouteTable } from '../../http/route.js';
import { AppError } from '../../lib/errors.js';
import { isLoopbackHost, isLoopbackUrl } from '../../lib/loopback.js';
import { LOCAL_ISSUER } from './clerk.js';
import type { LocalKeys } from './local-keys.js';

const TOKEN_TTL_SECONDS = 12 * 60 * 60;

const body = z
  .strictObject({
    email: z.email().max(254).describe('The same email is the same user, across restarts.'),
    name: z.string().trim().min(1).max(100).optional(),
  })
  .meta({ id: 'LocalSessionRequest' });

export interface LocalSignInOptions {
  /** The token's `azp` (the web app's origin). */
  authorizedParty: string;
  /** The API's public URL (API_URL): the route signs in nobody unless it is loopback. */
  apiUrl: string;
}

/** The Host header's name without its port, or undefined when it is missing or not a host. */
function hostOf(req: Request): string | undefined {
  const host = req.headers.host;
  if (!host) return undefined;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
}

export function localSignInRoutes(table: RouteTable, keys: LocalKeys, { authorizedParty, apiUrl }: LocalSignInOptions) {
  const key = importPKCS8(keys.privateKeyPem, 'RS256');
  const apiIsLocal = isLoopbackUrl(apiUrl);
  table.add(
    {
      method: 'post',
      path: '/dev/session',
      operationId: 'createLocalSession',
      summary: 'Sign in locally',
      description:
        'Local mode only (no Clerk keys; never in production): a session token for an email address, valid 12 hours. Send it as `Authorization: Bearer <token>`.',
      tag: 'Local sign-in',
      auth: false,
      body,
      status: 201,
      response: z
        .object({ token: z.string().describe('A session token (RS256 JWT).'), expiresAt: z.iso.datetime() })
        .meta({ id: 'LocalSession' }),
      examples: {
        body: { email: 'ada@example.com', name: 'Ada Lovelace' },
        response: {
          token: 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyX2xvY2FsXzk2ZjQifQ.c2lnbmF0dXJl',
          expiresAt: '2026-11-22T21:30:00.000Z',
        },
      },
    },
    async ({ body, req }) => {
      const host = hostOf(req);
      const peer = req.socket.remoteAddress;
      if (!apiIsLocal || host === undefined || !isLoopbackHost(host) || !peer || !isLoopbackHost(peer)) {
        throw new AppError(
          'FORBIDDEN',
          'The local sign-in answers only on this machine (a loopback API_URL, reached as localhost or 127.0.0.1). Configure Clerk to sign in from elsewhere.',
        );
      }
      const email = body.email.toLowerCase();
      // The same email is the same user across restarts.
      const sub = `user_local_${createHash('sha256').update(email).digest('hex').slice(0, 24)}`;
      const now = Math.floor(Date.now() / 1000);
      const exp = now + TOKEN_TTL_SECONDS;
      const token = await new SignJWT({
        azp: authorizedParty,
        sid: `sess_local_${randomBytes(12).toString('hex')}`,
        email,
        ...(body.name ? { name: body.name } : {}),
      })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
        .setSubject(sub)
        .setIssuer(LOCAL_ISSUER)
        .setIssuedAt(now)
        .setNotBefore(now - 5)
        .setExpirationTime(exp)
        .sign(await key);
      return { token, expiresAt: new Date(exp * 1000).toISOString() };
    },
  );
}
