// The admin pages' session: a browser cannot send a bearer header when it opens a page, so the
// admin trades their session token (POST …/admin/session, Authorization: Bearer) for this cookie.
// Its value is `v1.<user id>.<expiry, unix seconds>.<HMAC-SHA256 of the rest, base64url>` under
// the server's secret: nothing to look up, nothing a client can forge or extend. It proves only
// who signed in and until when; whether that user is still an admin is checked on every request.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

export const ADMIN_COOKIE = 'postaify_admin';
/** How long a sign-in lasts (no sliding renewal: after it, the admin pastes a token again). */
export const ADMIN_SESSION_SECONDS = 15 * 60;

export interface AdminSession {
  userId: string;
  /** Unix seconds. */
  expiresAt: number;
}

const VALUE = /^v1\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export function createAdminSessions(secret: string | undefined) {
  // Without a configured secret (never in production with admins, config/production.ts): a key of
  // this process alone, so its sign-ins end when it does.
  const key = secret ?? randomBytes(32).toString('hex');
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');
  return {
    sign(userId: string, now = Date.now()): string {
      const payload = `v1.${userId}.${Math.floor(now / 1000) + ADMIN_SESSION_SECONDS}`;
      return `${payload}.${mac(payload)}`;
    },
    /** The session a cookie value carries, or undefined when it is malformed, forged or expired. */
    verify(value: string | undefined, now = Date.now()): AdminSession | undefined {
      const match = VALUE.exec(value ?? '');
      if (!match) return undefined;
      const [, userId, exp, signature] = match as unknown as [string, string, string, string];
      const expected = Buffer.from(mac(`v1.${userId}.${exp}`));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      const expiresAt = Number(exp);
      if (expiresAt * 1000 <= now) return undefined;
      return { userId, expiresAt };
    },
  };
}

export type AdminSessions = ReturnType<typeof createAdminSessions>;

/** One cookie's value from the request's Cookie header (no cookie parser for the whole app). */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
