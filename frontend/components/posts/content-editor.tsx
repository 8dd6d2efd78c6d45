'use client';
import { useEffect, useId, useState } from 'react';
import type { Platform } from '@/lib/api/types';
import { cn } from '@/lib/cn';
import { canCount, contentLength, loadTwitterText, overflowStart } from '@/lib/content-length';
import { PLATFORM_LIMITS, PLATFORM_NAMES } from '@/lib/platforms';
import { controlStyles } from '@/components/ui/field';

const number = new Intl.NumberFormat('en-US');

/** Whether content fits its platform, by the backend's rule (false until the rule is loaded). */
export const fits = (platform: Platform, content: string) =>
  content.trim().length > 0 && canCount(platform) && contentLength(platform, content) <= PLATFORM_LIMITS[platform];

/** True once the platform's counting rule is loaded (at once for all but X). */
export function useCountingRule(platform: Platform): boolean {
  const [, setLoaded] = useState(0);
  const ready = canCount(platform);
  useEffect(() => {
    if (!ready) void loadTwitterText().then(() => setLoaded((n) => n + 1));
  }, [ready]);
  return ready;
}

/**
 * The post's text with a live `N / LIMIT` counter (amber from 90%, red over the limit) and, when
 * it is too long, the part that will not fit marked below the field.
 */
export function ContentEditor({
  label = 'Content',
  platform,
  value,
  onChange,
  disabled,
  rows = 12,
}: {
  label?: string;
  platform: Platform;
  value: string;
  onChange: (value: string) => void;
  disabled?: boolean;
  rows?: number;
}) {
  const id = useId();
  const ready = useCountingRule(platform);
  const limit = PLATFORM_LIMITS[platform];
  const length = ready ? contentLength(platform, value) : null;
  const over = length !== null && length > limit;
  const cut = over ? overflowStart(platform, value) : null;
  const tone = over
    ? 'text-danger font-semibold'
    : length !== null && length >= limit * 0.9
      ? 'text-amber-700 dark:text-amber-300'
      : 'text-muted';
  return (
    <div className="flex flex-col gap-1.5">
      <div className="flex items-baseline justify-between gap-2">
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
        <span id={`${id}-count`} className={cn('tabular text-xs', tone)} aria-live="polite">
          {length === null ? '…' : number.format(length)} / {number.format(limit)}
        </span>
      </div>
      <textarea
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        disabled={disabled}
        rows={rows}
        aria-describedby={`${id}-count${over ? ` ${id}-over` : ''}`}
        aria-invalid={over || undefined}
        className={cn(controlStyles, 'min-h-40 px-3 leading-relaxed')}
      />
      {over && cut !== null ? (
        <div id={`${id}-over`} className="rounded-md border border-red-200 p-2 text-xs dark:border-red-900">
          <p className="mb-1 font-medium text-danger">
            {PLATFORM_NAMES[platform]} allows {number.format(limit)}
            {platform === 'TWITTER' ? ' (X counts links as 23 and emoji as 2)' : ' characters'}; the marked part will
            not fit.
          </p>
          <p className="line-clamp-4 whitespace-pre-wrap text-muted">
            …{value.slice(Math.max(0, cut - 80), cut)}
            <mark className="bg-red-200 text-red-950 dark:bg-red-900 dark:text-red-50">{value.slice(cut)}</mark>
          </p>
        </div>
      ) : null}
    </div>
  );
}
