'use client';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, NetworkError } from '@/lib/api/errors';
import { AuthContext, type Auth } from './context';
import { readSession, writeSession, type LocalSession } from './local-session';

/** The local sign-in (no Clerk keys): an email and a name, answered by the API's dev session route. */
export function LocalAuthProvider({ apiUrl, children }: { apiUrl: string; children: ReactNode }) {
  const [session, setSession] = useState<LocalSession | null | undefined>(undefined);
  useEffect(() => {
    const stored = readSession();
    setSession(stored);
    // An expired session's cookie would still tell the server "maybe signed in": forget it, so the
    // server renders the landing page.
    if (!stored) writeSession(null);
  }, []);

  const signInLocally = useCallback(
    async (email: string, name: string) => {
      let response: Response;
      try {
        response = await fetch(`${apiUrl}/api/v1/dev/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, name }),
        });
      } catch (err) {
        throw new NetworkError(err);
      }
      const body = (await response.json().catch(() => undefined)) as unknown;
      if (!response.ok) throw new ApiError(response.status, body as never, response.headers.get('X-Request-Id'));
      const next = body as LocalSession;
      writeSession(next);
      setSession(next);
    },
    [apiUrl],
  );

  const auth = useMemo<Auth>(
    () => ({
      mode: 'local',
      status: session === undefined ? 'loading' : session ? 'signed-in' : 'signed-out',
      getToken: () => Promise.resolve(readSession()?.token ?? null),
      signOut: () => {
        writeSession(null);
        setSession(null);
        return Promise.resolve();
      },
      signInLocally,
    }),
    [session, signInLocally],
  );
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}
