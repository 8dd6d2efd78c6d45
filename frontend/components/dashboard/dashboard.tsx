'use client';
import Link from 'next/link';
import { ErrorNotice } from '@/components/common/error-notice';
import { JobProgressBar } from '@/components/common/job-progress';
import { PlatformBadge } from '@/components/common/platform-badge';
import { Time } from '@/components/common/time';
import { PageHeader } from '@/components/shell/app-shell';
import { ButtonLink } from '@/components/ui/button';
import { Card, CardTitle } from '@/components/ui/card';
import { Empty } from '@/components/ui/empty';
import { UsageMeters } from '@/components/ui/meter';
import { Loading } from '@/components/ui/skeleton';
import { useActiveJobs, useJobProgress } from '@/lib/api/hooks/jobs';
import { useMe, useTimeZone } from '@/lib/api/hooks/me';
import { usePosts, useUpcomingPosts } from '@/lib/api/hooks/posts';
import { FAILED_FILTER } from '@/lib/api/queries';
import { useLocale } from '@/lib/runtime-config-context';
import type { Job } from '@/lib/api/types';
import { formatDate } from '@/lib/time';

function UsageCard() {
  const me = useMe();
  const zone = useTimeZone();
  const locale = useLocale();
  return (
    <Card className="flex flex-col gap-3">
      <CardTitle>This month</CardTitle>
      {me.isPending ? (
        <Loading label="Loading your usage" rows={3} />
      ) : me.isError ? (
        <ErrorNotice error={me.error} title="Your usage could not be loaded" />
      ) : (
        <>
          <UsageMeters usage={me.data.usage} />
          <p className="text-xs text-muted">
            Plan {me.data.plan}; resets on {formatDate(me.data.usage.period.end, zone, locale)}.{' '}
            <Link href="/billing" className="underline underline-offset-2">
              Plans
            </Link>
          </p>
        </>
      )}
    </Card>
  );
}

function UpcomingCard() {
  const upcoming = useUpcomingPosts(5);
  return (
    <Card className="flex flex-col gap-3">
      <CardTitle>Next deliveries</CardTitle>
      {upcoming.isPending ? (
        <Loading label="Loading the next deliveries" />
      ) : upcoming.isError ? (
        <ErrorNotice error={upcoming.error} title="The next deliveries could not be loaded" />
      ) : upcoming.data.length === 0 ? (
        <Empty title="Nothing is scheduled">Schedule a post and it arrives in your Telegram chat at that time.</Empty>
      ) : (
        <ul className="flex flex-col divide-y divide-border">
          {upcoming.data.map((post) => (
            <li key={post.id} className="py-2">
              <Link href={`/posts/${post.id}`} className="flex flex-col gap-1 rounded hover:bg-subtle">
                <span className="flex items-center gap-2 text-sm">
                  <PlatformBadge platform={post.platform} showName={false} />
                  <span className="truncate">{post.content}</span>
                </span>
                <span className="text-xs">
                  <Time iso={post.scheduledFor!} relative />
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function ActiveJob({ job }: { job: Job }) {
  const progress = useJobProgress(job.id);
  return progress ? <JobProgressBar type={job.type} progress={progress} /> : null;
}

function JobsCard() {
  const jobs = useActiveJobs();
  if (jobs.isPending || jobs.isError || jobs.data.length === 0) return null;
  return (
    <Card className="flex flex-col gap-3">
      <CardTitle>In progress</CardTitle>
      {jobs.data.map((job) => (
        <ActiveJob key={job.id} job={job} />
      ))}
    </Card>
  );
}

function AttentionCard() {
  const me = useMe();
  const failed = usePosts(FAILED_FILTER, 5);
  const items = failed.data?.pages[0]?.items ?? [];
  const telegram = me.data?.telegram.status;
  if (failed.isPending || me.isPending) return null;
  if (items.length === 0 && telegram === 'LINKED') return null;
  return (
    <Card tone="danger" className="flex flex-col gap-3">
      <CardTitle>Needs your attention</CardTitle>
      {telegram === 'UNREACHABLE' ? (
        <p className="text-sm">
          Telegram refused to deliver to your chat (blocked or deleted).{' '}
          <Link href="/telegram" className="font-medium underline underline-offset-2">
            Link Telegram again
          </Link>
        </p>
      ) : telegram === 'UNLINKED' && me.data?.telegram.movedAt ? (
        <p className="text-sm">
          Your Telegram chat was moved to another Postaify account from the bot on{' '}
          <Time iso={me.data.telegram.movedAt} />, so scheduled posts have nowhere to go.{' '}
          <Link href="/telegram" className="font-medium underline underline-offset-2">
            Connect Telegram
          </Link>
        </p>
      ) : telegram === 'UNLINKED' ? (
        <p className="text-sm">
          No Telegram chat is linked, so scheduled posts have nowhere to go.{' '}
          <Link href="/telegram" className="font-medium underline underline-offset-2">
            Connect Telegram
          </Link>
        </p>
      ) : null}
      {failed.isError ? <ErrorNotice error={failed.error} title="Failed deliveries could not be loaded" /> : null}
      {items.length > 0 ? (
        <ul className="flex flex-col gap-2">
          {items.map((post) => (
            <li key={post.id} className="text-sm">
              <Link href={`/posts/${post.id}`} className="font-medium underline underline-offset-2">
                {post.content.slice(0, 60) || 'A post'}
              </Link>
              <p className="text-xs text-muted">Failed: {post.lastError ?? 'no reason was recorded'}</p>
            </li>
          ))}
        </ul>
      ) : null}
    </Card>
  );
}

export function Dashboard() {
  const me = useMe();
  return (
    <>
      <PageHeader
        title={me.data?.name ? `Hello, ${me.data.name}` : 'Dashboard'}
        description="What is due, what is running, and what needs you."
        actions={
          <ButtonLink href="/create" variant="primary">
            Write posts
          </ButtonLink>
        }
      />
      <div className="grid gap-4 lg:grid-cols-2">
        <div className="flex flex-col gap-4">
          <AttentionCard />
          <JobsCard />
          <UpcomingCard />
        </div>
        <UsageCard />
      </div>
    </>
  );
}
