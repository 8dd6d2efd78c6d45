// The local sign-in's session cookie, read alike by the browser (local-session.ts) and by the
// server's first render of a page (lib/api/prefetch.tsx). No browser APIs here.
export const SESSION_COOKIE = 'postaify.session';

export interface LocalSession {
  token: string;
  expiresAt: string;
}

/**
 * The cookie's value (`<expiry in ms>~<token>`; a JWT needs no escaping) as a session, or null
 * when it is malformed or about to expire: the API would refuse such a token mid-task.
 */
export function parseSession(value: string | undefined, now = Date.now()): LocalSession | null {
  if (!value) return null;
  const cut = value.indexOf('~');
  const expires = Number(value.slice(0, cut));
  const token = value.slice(cut + 1);
  if (cut <= 0 || !Number.isFinite(expires) || token === '') return null;
  if (expires - now < 60_000) return null;
  return { token, expiresAt: new Date(expires).toISOString() };
}
