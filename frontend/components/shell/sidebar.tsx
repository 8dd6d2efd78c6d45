'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@/lib/cn';
import { isCurrent, NAV, PHONE_NAV } from './nav';

export function Sidebar() {
  const pathname = usePathname();
  return (
    <nav
      aria-label="Main"
      className="sticky top-0 hidden h-dvh w-56 shrink-0 flex-col gap-1 border-r border-border bg-surface p-3 md:flex"
    >
      <Link href="/" className="mb-3 px-2 py-1.5 text-base font-semibold">
        Postaify
      </Link>
      {NAV.map(({ href, label, icon: Icon }) => (
        <Link
          key={href}
          href={href}
          aria-current={isCurrent(pathname, href) ? 'page' : undefined}
          className={cn(
            'flex min-h-9 items-center gap-2.5 rounded-md px-2 text-sm hover:bg-subtle hover:text-fg',
            isCurrent(pathname, href) ? 'bg-subtle font-medium text-fg' : 'text-muted',
          )}
        >
          <Icon aria-hidden className="size-4" />
          {label}
        </Link>
      ))}
    </nav>
  );
}

/** On a phone the sidebar becomes a bottom bar of the four main places, plus everything else. */
export function BottomBar() {
  const pathname = usePathname();
  const more = !PHONE_NAV.some((n) => isCurrent(pathname, n.href));
  return (
    <nav
      aria-label="Main"
      className="fixed inset-x-0 bottom-0 z-20 grid grid-cols-5 border-t border-border bg-bg pb-[env(safe-area-inset-bottom)] md:hidden"
    >
      {PHONE_NAV.map(({ href, label, icon: Icon }) => (
        <Link
          key={href}
          href={href}
          aria-current={isCurrent(pathname, href) ? 'page' : undefined}
          className={cn(
            'flex min-h-14 flex-col items-center justify-center gap-0.5 text-[11px]',
            isCurrent(pathname, href) ? 'font-semibold text-fg' : 'text-muted',
          )}
        >
          <Icon aria-hidden className="size-5" />
          {label}
        </Link>
      ))}
      <Link
        href="/more"
        aria-current={more ? 'page' : undefined}
        className={cn(
          'flex min-h-14 flex-col items-center justify-center gap-0.5 text-[11px]',
          more ? 'font-semibold text-fg' : 'text-muted',
        )}
      >
        <span aria-hidden className="text-lg leading-5">
          ···
        </span>
        More
      </Link>
    </nav>
  );
}
