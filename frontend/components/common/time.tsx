'use client';
import { useTimeZone } from '@/lib/api/hooks/me';
import { useLocale } from '@/lib/runtime-config-context';
import { formatDateTime, relativeTime } from '@/lib/time';
import { useHydrated } from '@/lib/use-hydrated';

/**
 * An instant in the user's zone with the zone named, and optionally how far away it is (from the
 * render after hydration: "in 5 minutes" read a second apart on the server and in the browser
 * could differ).
 */
export function Time({ iso, relative = false }: { iso: string; relative?: boolean }) {
  const zone = useTimeZone();
  const locale = useLocale();
  const hydrated = useHydrated();
  return (
    <span className="tabular">
      <time dateTime={iso}>{formatDateTime(iso, zone, locale)}</time>
      <span className="text-muted"> · {zone}</span>
      {relative && hydrated ? <span className="text-muted"> ({relativeTime(iso, Date.now(), locale)})</span> : null}
    </span>
  );
}
