'use client';
import { useTimeZone } from '@/lib/api/hooks/me';
import { formatDateTime, relativeTime } from '@/lib/time';

/** An instant in the user's zone with the zone named, and optionally how far away it is. */
export function Time({ iso, relative = false }: { iso: string; relative?: boolean }) {
  const zone = useTimeZone();
  return (
    <span className="tabular">
      <time dateTime={iso}>{formatDateTime(iso, zone)}</time>
      <span className="text-muted"> · {zone}</span>
      {relative ? <span className="text-muted"> ({relativeTime(iso)})</span> : null}
    </span>
  );
}
