// The local sign-in's session: the token `POST /api/v1/dev/session` gave, kept in a cookie for
// this browser session (no expiry date: closing the browser signs out). A cookie, not
// sessionStorage, so that the web app's server can render a signed-in page with its data: it
// calls the API with the same token (`lib/api/prefetch.tsx`). The API reads only the
// Authorization header, never a cookie, so a request another site makes gains nothing by it.
// The cookie's format: session-cookie.ts.
import { parseSession, SESSION_COOKIE, type LocalSession } from './session-cookie';

export type { LocalSession };

/** Browser only. */
export function readSession(): LocalSession | null {
  const prefix = `${SESSION_COOKIE}=`;
  const entry = document.cookie.split('; ').find((c) => c.startsWith(prefix));
  return parseSession(entry?.slice(prefix.length));
}

/** Browser only: keeps the session, or forgets it (null). */
export function writeSession(session: LocalSession | null) {
  const secure = window.location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = session
    ? `${SESSION_COOKIE}=${Date.parse(session.expiresAt)}~${session.token}; Path=/; SameSite=Lax${secure}`
    : `${SESSION_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax${secure}`;
}
