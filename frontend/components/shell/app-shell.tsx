'use client';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { useAuth } from '@/lib/auth/context';
import { Loading } from '@/components/ui/skeleton';
import { BottomBar, Sidebar } from './sidebar';
import { TopBar } from './top-bar';
import { ZoneSuggestion } from './zone-suggestion';

/** The signed-in frame: sidebar (bottom bar on a phone), top bar, and the page. */
export function AppShell({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-dvh">
      <Sidebar />
      <div className="flex min-w-0 flex-1 flex-col">
        <TopBar />
        <main id="main" tabIndex={-1} className="mx-auto w-full max-w-6xl flex-1 px-4 pt-5 pb-24 sm:px-6 md:pb-10">
          <ZoneSuggestion />
          {children}
        </main>
      </div>
      <BottomBar />
    </div>
  );
}

/** Signed-in pages: the shell around the page; sign-in first when signed out (and back here after). */
export function SignedIn({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  const router = useRouter();
  const pathname = usePathname();
  useEffect(() => {
    if (status === 'signed-out') {
      const next = `${pathname}${window.location.search}`;
      router.replace(`/sign-in?next=${encodeURIComponent(next)}`);
    }
  }, [status, pathname, router]);
  if (status === 'signed-out') {
    return (
      <main id="main" className="mx-auto max-w-md p-8">
        <Loading label="Taking you to sign-in" rows={2} />
      </main>
    );
  }
  // While the session is read (and on the server, which cannot see it) the page renders in the
  // shell with its data in loading states: what does not need data paints at once.
  return <AppShell>{children}</AppShell>;
}

export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="mb-5 flex flex-wrap items-end justify-between gap-3">
      <div className="min-w-0">
        <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
        {description ? <p className="mt-1 text-sm text-muted">{description}</p> : null}
      </div>
      {actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
    </div>
  );
}
