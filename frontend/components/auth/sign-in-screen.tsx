'use client';
import dynamic from 'next/dynamic';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect } from 'react';
import { Loading } from '@/components/ui/skeleton';
import { useAuth } from '@/lib/auth/context';
import { safeNext } from '@/lib/safe-next';
import { LocalSignInForm } from './local-sign-in-form';

const ClerkSignIn = dynamic(() => import('@/lib/auth/clerk-sign-in'), {
  loading: () => <Loading label="Loading the sign-in" rows={3} />,
});

export function SignInScreen() {
  const auth = useAuth();
  const router = useRouter();
  const next = safeNext(useSearchParams().get('next'));
  useEffect(() => {
    if (auth.status === 'signed-in') router.replace(next);
  }, [auth.status, next, router]);
  return (
    <main id="main" className="mx-auto flex min-h-dvh max-w-sm flex-col justify-center gap-6 px-4 py-10">
      <div>
        <Link href="/" className="text-base font-semibold">
          Postaify
        </Link>
        <h1 className="mt-4 text-xl font-semibold tracking-tight">Sign in</h1>
        {auth.mode === 'local' ? (
          <p className="mt-1 text-sm text-muted">
            This Postaify runs with the <strong>local sign-in</strong>: no Clerk keys are set, so an email address and a
            name are enough. Use the same email to come back to your posts.
          </p>
        ) : null}
      </div>
      {auth.mode === 'clerk' ? (
        <ClerkSignIn next={next} />
      ) : auth.status === 'loading' ? (
        <Loading rows={3} />
      ) : (
        <LocalSignInForm onSignedIn={() => router.replace(next)} />
      )}
    </main>
  );
}
