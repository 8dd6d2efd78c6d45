'use client';
import dynamic from 'next/dynamic';
import type { ReactNode } from 'react';
import { useRuntimeConfig } from '@/lib/runtime-config-context';
import { LocalAuthProvider } from './local-auth';

const ClerkAuthProvider = dynamic(() => import('./clerk-auth'));

export function AuthProvider({ children }: { children: ReactNode }) {
  const { authMode, clerkPublishableKey, apiUrl } = useRuntimeConfig();
  if (authMode === 'clerk' && clerkPublishableKey) {
    return <ClerkAuthProvider publishableKey={clerkPublishableKey}>{children}</ClerkAuthProvider>;
  }
  return <LocalAuthProvider apiUrl={apiUrl}>{children}</LocalAuthProvider>;
}
