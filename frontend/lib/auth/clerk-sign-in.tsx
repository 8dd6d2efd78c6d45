'use client';
// Clerk's own sign-in form (Clerk mode only; loaded on demand like clerk-auth.tsx).
import { SignIn } from '@clerk/nextjs';

export default function ClerkSignIn({ next }: { next: string }) {
  return <SignIn routing="hash" forceRedirectUrl={next} />;
}
