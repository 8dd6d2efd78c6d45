import type { Platform } from '@/lib/api/types';
import { cn } from '@/lib/cn';
import { PLATFORM_MARKS, PLATFORM_NAMES } from '@/lib/platforms';

/** The platform's small mark with its name (the name is what screen readers hear). */
export function PlatformBadge({ platform, showName = true }: { platform: Platform; showName?: boolean }) {
  const { mark, className } = PLATFORM_MARKS[platform];
  return (
    <span className="inline-flex items-center gap-1.5 text-xs font-medium">
      <span
        aria-hidden
        className={cn('inline-flex size-5 items-center justify-center rounded text-[10px] font-bold', className)}
      >
        {mark}
      </span>
      {showName ? PLATFORM_NAMES[platform] : <span className="sr-only">{PLATFORM_NAMES[platform]}</span>}
    </span>
  );
}
