'use client';
// Clerk's side of the auth facade. This module is loaded only when both Clerk keys are set (see
// auth-provider.tsx), so no Clerk code runs, or is even downloaded, in local mode.
import { ClerkProvider, useAuth as useClerkAuth } from '@clerk/nextjs';
import { useMemo, type ReactNode } from 'react';
import { AuthContext, type Auth } from './context';

function ClerkBridge({ children }: { children: ReactNode }) {
  const { isLoaded, isSignedIn, getToken, signOut } = useClerkAuth();
  const auth = useMemo<Auth>(
    () => ({
      mode: 'clerk',
      status: !isLoaded ? 'loading' : isSignedIn ? 'signed-in' : 'signed-out',
      // Clerk refreshes its short-lived token itself; asking per request always gives a live one.
      getToken: () => getToken(),
      signOut: () => signOut(),
    }),
    [isLoaded, isSignedIn, getToken, signOut],
  );
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

export default function ClerkAuthProvider({
  publishableKey,
  children,
}: {
  publishableKey: string;
  children: ReactNode;
}) {
  return (
    <ClerkProvider publishableKey={publishableKey} signInUrl="/sign-in" afterSignOutUrl="/">
      <ClerkBridge>{children}</ClerkBridge>
    </ClerkProvider>
  );
}
