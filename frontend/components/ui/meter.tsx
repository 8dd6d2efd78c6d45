import type { Usage } from '@/lib/api/types';
import { cn } from '@/lib/cn';

const number = new Intl.NumberFormat('en-US');

/** Used of a limit, as a native meter: amber from 90%, red at the limit. */
export function UsageMeter({ label, used, limit }: { label: string; used: number; limit: number }) {
  const ratio = limit > 0 ? used / limit : 1;
  const tone = ratio >= 1 ? 'bg-red-600 dark:bg-red-400' : ratio >= 0.9 ? 'bg-amber-500' : 'bg-accent';
  return (
    <div className="flex flex-col gap-1">
      <div className="flex items-baseline justify-between text-sm">
        <span>{label}</span>
        <span className="tabular text-muted">
          {number.format(used)} / {number.format(limit)}
        </span>
      </div>
      <div
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={limit}
        aria-valuenow={Math.min(used, limit)}
        aria-valuetext={`${number.format(used)} of ${number.format(limit)} used`}
        className="h-1.5 overflow-hidden rounded-full bg-subtle"
      >
        <div className={cn('h-full rounded-full', tone)} style={{ width: `${Math.min(100, ratio * 100)}%` }} />
      </div>
    </div>
  );
}

/** This month's three meters: posts, images and voice characters of the plan. */
export function UsageMeters({ usage }: { usage: Usage }) {
  return (
    <>
      <UsageMeter label="Posts" used={usage.posts.used} limit={usage.posts.limit} />
      <UsageMeter label="Images" used={usage.images.used} limit={usage.images.limit} />
      <UsageMeter label="Voice characters" used={usage.voiceChars.used} limit={usage.voiceChars.limit} />
    </>
  );
}
