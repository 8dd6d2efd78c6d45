import { Loader2 } from 'lucide-react';
import type { PostStatus } from '@/lib/api/types';
import { cn } from '@/lib/cn';

/** One colour and one word per status, everywhere. */
export const STATUS_WORDS: Record<PostStatus, string> = {
  DRAFT: 'Draft',
  SCHEDULED: 'Scheduled',
  DELIVERING: 'Delivering',
  DELIVERED: 'Delivered',
  FAILED: 'Failed',
};

const TONES: Record<PostStatus, string> = {
  DRAFT: 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-200',
  SCHEDULED: 'bg-blue-50 text-blue-700 dark:bg-blue-950 dark:text-blue-200',
  DELIVERING: 'bg-amber-50 text-amber-800 dark:bg-amber-950 dark:text-amber-200',
  DELIVERED: 'bg-green-50 text-green-800 dark:bg-green-950 dark:text-green-200',
  FAILED: 'bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-200',
};

export function StatusBadge({ status, className }: { status: PostStatus; className?: string }) {
  return (
    <span
      className={cn(
        'inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium',
        TONES[status],
        className,
      )}
    >
      {status === 'DELIVERING' ? (
        <Loader2 aria-hidden className="size-3 animate-spin motion-reduce:animate-none" />
      ) : null}
      {STATUS_WORDS[status]}
    </span>
  );
}
