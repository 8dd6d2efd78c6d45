'use client';
import Link from 'next/link';
import { NAV } from '@/components/shell/nav';
import { PageHeader } from '@/components/shell/app-shell';
import { ThemeSwitch } from '@/components/shell/theme-switch';

/** The phone's "More": every place of the app, and the theme. */
export default function MorePage() {
  return (
    <>
      <PageHeader title="More" />
      <ul className="flex flex-col divide-y divide-border rounded-lg border border-border">
        {NAV.map(({ href, label, icon: Icon }) => (
          <li key={href}>
            <Link href={href} className="flex min-h-12 items-center gap-3 px-3 text-sm hover:bg-subtle">
              <Icon aria-hidden className="size-4 text-muted" />
              {label}
            </Link>
          </li>
        ))}
      </ul>
      <div className="mt-4">
        <ThemeSwitch />
      </div>
    </>
  );
}
