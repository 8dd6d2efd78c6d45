// Whether this browser may be signed in, read from a cookie on the server. It is a hint, never a
// credential (the API checks every token): it lets the server render the landing page for a
// visitor who is certainly signed out, so the first paint is the page itself rather than a
// placeholder that waits for the browser to read its session.
export const SIGNED_IN_COOKIE = 'postaify.signed-in';

interface CookieJar {
  getAll(): { name: string; value: string }[];
}

/**
 * Local mode: the local sign-in sets `postaify.signed-in` beside its session. Clerk: its
 * `__client_uat` cookie (suffixed per instance in newer versions) is "0" or absent when signed
 * out, a timestamp when signed in; `__session` holds a live session token.
 */
export function maybeSignedIn(mode: 'clerk' | 'local', jar: CookieJar): boolean {
  const cookies = jar.getAll();
  if (mode === 'local') return cookies.some((c) => c.name === SIGNED_IN_COOKIE);
  return cookies.some(
    (c) => (c.name.startsWith('__client_uat') && c.value !== '' && c.value !== '0') || c.name.startsWith('__session'),
  );
}

/** Sets or clears the local sign-in's hint (browser only). */
export function writeSignedInHint(signedIn: boolean) {
  const secure = window.location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = signedIn
    ? `${SIGNED_IN_COOKIE}=1; Path=/; SameSite=Lax${secure}`
    : `${SIGNED_IN_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax${secure}`;
}
