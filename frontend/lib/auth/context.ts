'use client';
// The one auth facade every page uses, whatever signs people in: Clerk when both of its keys are
// set, the local sign-in otherwise. Pages ask only: signed in or out, a fresh token, sign out.
import { createContext, useContext } from 'react';

export type AuthStatus = 'loading' | 'signed-in' | 'signed-out';

export interface Auth {
  mode: 'clerk' | 'local';
  status: AuthStatus;
  /** A session token for `Authorization: Bearer`, asked for per request; null when signed out. */
  getToken: () => Promise<string | null>;
  signOut: () => Promise<void>;
  /** Local mode only: sign in with an email address and a name. */
  signInLocally?: (email: string, name: string) => Promise<void>;
}

export const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside <AuthProvider>');
  return auth;
}
