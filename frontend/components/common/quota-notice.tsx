'use client';
import Link from 'next/link';
import { useTimeZone } from '@/lib/api/hooks/me';
import type { ApiError } from '@/lib/api/errors';
import { useLocale } from '@/lib/runtime-config-context';
import { formatDate } from '@/lib/time';

const METRIC_WORDS: Record<string, string> = { posts: 'posts', images: 'images', voiceChars: 'voice characters' };
const number = new Intl.NumberFormat('en-US');

/** A 402 QUOTA_EXCEEDED in words: what the plan allows, what is left, when it resets. */
export function QuotaNotice({ error, plan }: { error: ApiError; plan?: string | undefined }) {
  const zone = useTimeZone();
  const locale = useLocale();
  const d = (error.details ?? {}) as {
    metric?: string;
    limit?: number;
    used?: number;
    requested?: number;
    resetsAt?: string;
  };
  const what = METRIC_WORDS[d.metric ?? ''] ?? d.metric ?? 'items';
  const left = Math.max(0, (d.limit ?? 0) - (d.used ?? 0));
  return (
    <div
      role="alert"
      className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-50"
    >
      <p className="font-medium">That is more than your plan has left this month</p>
      <p className="tabular mt-1">
        {plan ? `Your ${plan} plan` : 'Your plan'} allows {number.format(d.limit ?? 0)} {what} a month;{' '}
        {number.format(d.used ?? 0)} are used, so {number.format(left)} are left and this asked for{' '}
        {number.format(d.requested ?? 0)}.{d.resetsAt ? ` It resets on ${formatDate(d.resetsAt, zone, locale)}.` : ''}
      </p>
      <p className="mt-2">
        <Link href="/billing" className="font-medium underline underline-offset-2">
          See the plans
        </Link>{' '}
        or ask for fewer.
      </p>
      {error.requestId ? <p className="mt-1 font-mono text-xs">Request id {error.requestId}</p> : null}
    </div>
  );
}
