'use client';
import Link from 'next/link';
import { ErrorNotice } from '@/components/common/error-notice';
import { PlatformBadge } from '@/components/common/platform-badge';
import { StatusBadge } from '@/components/common/status-badge';
import { PageHeader } from '@/components/shell/app-shell';
import { ButtonLink } from '@/components/ui/button';
import { Empty } from '@/components/ui/empty';
import { Loading } from '@/components/ui/skeleton';
import { useTimeZone } from '@/lib/api/hooks/me';
import { usePosts } from '@/lib/api/hooks/posts';
import type { PostFilters } from '@/lib/api/queries';
import type { Post } from '@/lib/api/types';
import { useLocale } from '@/lib/runtime-config-context';

/** The next 30 days' posts, day by day in the user's zone (an agenda; month and week views come later). */
export function Agenda({ range }: { range: PostFilters }) {
  const zone = useTimeZone();
  const locale = useLocale();
  const posts = usePosts(range, 100);
  const items = (posts.data?.pages.flatMap((p) => p.items) ?? [])
    .filter((p) => p.scheduledFor)
    .sort((a, b) => Date.parse(a.scheduledFor!) - Date.parse(b.scheduledFor!));
  const dayKey = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const dayTitle = new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
  });
  const clock = new Intl.DateTimeFormat(locale, { timeZone: zone, hour: 'numeric', minute: '2-digit' });
  const days = new Map<string, Post[]>();
  for (const p of items) {
    const key = dayKey.format(new Date(p.scheduledFor!));
    days.set(key, [...(days.get(key) ?? []), p]);
  }
  return (
    <>
      <PageHeader title="Calendar" description={`The next 30 days, in ${zone}.`} />
      {posts.isPending ? (
        <Loading label="Loading the calendar" rows={5} />
      ) : posts.isError ? (
        <ErrorNotice error={posts.error} title="The calendar could not be loaded" />
      ) : days.size === 0 ? (
        <Empty
          title="Nothing is scheduled in the next 30 days"
          action={<ButtonLink href="/posts">Schedule a post</ButtonLink>}
        >
          Scheduled posts show here, day by day, at their time in your zone.
        </Empty>
      ) : (
        <ol className="flex flex-col gap-5">
          {[...days].map(([key, list]) => (
            <li key={key}>
              <h2 className="mb-2 text-sm font-semibold">{dayTitle.format(new Date(list[0]!.scheduledFor!))}</h2>
              <ul className="flex flex-col divide-y divide-border rounded-lg border border-border">
                {list.map((p) => (
                  <li key={p.id}>
                    <Link href={`/posts/${p.id}`} className="flex items-center gap-3 p-3 hover:bg-subtle">
                      <time dateTime={p.scheduledFor!} className="tabular w-20 shrink-0 text-sm">
                        {clock.format(new Date(p.scheduledFor!))}
                      </time>
                      <PlatformBadge platform={p.platform} showName={false} />
                      <span className="min-w-0 flex-1 truncate text-sm">{p.content}</span>
                      <StatusBadge status={p.status} />
                    </Link>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
