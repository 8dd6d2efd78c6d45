// Whether this browser may be signed in, read from its cookies on the server: it lets the server
// render the landing page for a visitor who is certainly signed out, and skip asking the API for
// a signed-in page's data when there is no session to ask with. Never a credential: the API
// checks every token.
import { SESSION_COOKIE } from './session-cookie';

interface CookieJar {
  getAll(): { name: string; value: string }[];
}

/**
 * Local mode: the local sign-in's session cookie. Clerk: its `__client_uat` cookie (suffixed per
 * instance in newer versions) is "0" or absent when signed out, a timestamp when signed in;
 * `__session` holds a live session token.
 */
export function maybeSignedIn(mode: 'clerk' | 'local', jar: CookieJar): boolean {
  const cookies = jar.getAll();
  if (mode === 'local') return cookies.some((c) => c.name === SESSION_COOKIE && c.value !== '');
  return cookies.some(
    (c) => (c.name.startsWith('__client_uat') && c.value !== '' && c.value !== '0') || c.name.startsWith('__session'),
  );
}
