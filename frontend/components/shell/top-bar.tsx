'use client';
import { Globe, LogOut } from 'lucide-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useQueryClient } from '@tanstack/react-query';
import { useMe } from '@/lib/api/hooks/me';
import { useAuth } from '@/lib/auth/context';
import { Button } from '@/components/ui/button';
import { ThemeSwitch } from './theme-switch';

const number = new Intl.NumberFormat('en-US');

export function TopBar() {
  const auth = useAuth();
  const { data: me } = useMe();
  const router = useRouter();
  const queryClient = useQueryClient();
  const signOut = async () => {
    await auth.signOut();
    queryClient.clear();
    router.replace('/');
  };
  return (
    <header className="sticky top-0 z-20 flex min-h-14 items-center gap-2 border-b border-border bg-bg/95 px-3 backdrop-blur sm:gap-3 sm:px-5">
      <Link href="/" className="font-semibold md:hidden">
        Postaify
      </Link>
      <div className="ml-auto flex min-w-0 items-center gap-2 sm:gap-3">
        {auth.mode === 'local' ? (
          <span
            title="Signed in with the local sign-in: no Clerk keys are set"
            className="hidden rounded-full border border-amber-300 bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-900 sm:inline dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
          >
            local sign-in
          </span>
        ) : null}
        {me ? (
          <>
            <Link
              href="/billing"
              className="inline-flex min-h-8 items-center gap-2 rounded-md px-1.5 text-xs hover:bg-subtle"
            >
              <span className="sr-only">Plan </span>
              <span className="rounded bg-subtle px-1.5 py-0.5 font-semibold">{me.plan}</span>
              <span className="tabular hidden text-muted sm:inline">
                {number.format(me.usage.posts.used)} / {number.format(me.usage.posts.limit)} posts
              </span>
            </Link>
            <Link
              href="/settings#timezone"
              className="inline-flex min-h-8 max-w-40 items-center gap-1 truncate rounded-md px-1.5 text-xs text-muted hover:bg-subtle hover:text-fg sm:max-w-none"
              title="Change your time zone"
            >
              <Globe aria-hidden className="size-3.5 shrink-0" />
              <span className="sr-only">Time zone: </span>
              <span className="truncate">{me.timezone}</span>
            </Link>
          </>
        ) : null}
        <div className="hidden sm:block">
          <ThemeSwitch />
        </div>
        <Button variant="ghost" size="sm" onClick={() => void signOut()} aria-label="Sign out">
          <LogOut aria-hidden className="size-4" />
          <span className="hidden lg:inline">Sign out</span>
        </Button>
      </div>
    </header>
  );
}
