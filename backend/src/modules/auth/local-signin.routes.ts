// POST /api/v1/dev/session: the zero-config default's sign-in. Exists only when Clerk is not
// configured (never in production: config refuses to start without Clerk there). Tokens are
// RS256 session tokens shaped like Clerk's, signed with the local key pair.
import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import { z } from 'zod';
import type { RouteTable } from '../../http/route.js';
import { LOCAL_ISSUER } from './clerk.js';
import type { LocalKeys } from './local-keys.js';

const TOKEN_TTL_SECONDS = 12 * 60 * 60;

const body = z
  .strictObject({
    email: z.email().max(254).describe('The same email is the same user, across restarts.'),
    name: z.string().trim().min(1).max(100).optional(),
  })
  .meta({ id: 'LocalSessionRequest' });

export function localSignInRoutes(table: RouteTable, keys: LocalKeys, authorizedParty: string) {
  const key = importPKCS8(keys.privateKeyPem, 'RS256');
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
    async ({ body }) => {
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
