'use client';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { useTimeZone } from '@/lib/api/hooks/me';
import { useLocale } from '@/lib/runtime-config-context';
import { fromZonedInput, relativeTime, toZonedInput } from '@/lib/time';
import { useHydrated } from '@/lib/use-hydrated';

/** A date and time in the user's zone (the zone shown), handed on as the UTC instant it names. */
export function ScheduleField({
  initial,
  busy,
  onSchedule,
  label = 'Schedule',
}: {
  initial?: string | null;
  busy?: boolean;
  onSchedule: (iso: string) => void;
  label?: string;
}) {
  const zone = useTimeZone();
  const locale = useLocale();
  // How far away it is only once hydrated: read on both sides a second apart, it could differ.
  const hydrated = useHydrated();
  const [value, setValue] = useState(() =>
    toZonedInput(initial && Date.parse(initial) > Date.now() ? initial : new Date(Date.now() + 60 * 60_000), zone),
  );
  const instant = value ? fromZonedInput(value, zone) : null;
  // The picker works in whole minutes, so the current minute is already past: say so here rather
  // than let the API refuse it.
  const past = instant !== null && instant.getTime() <= Date.now();
  return (
    <div className="flex flex-wrap items-end gap-2">
      <Field
        label="Scheduled for"
        hint={
          <>
            In your time zone, <strong className="font-medium">{zone}</strong>
            {instant && hydrated ? ` (${relativeTime(instant, Date.now(), locale)})` : ''}.
          </>
        }
        error={past ? 'Pick a time in the future.' : undefined}
        className="min-w-56 flex-1"
      >
        {(p) => (
          // Editable once hydrated: its value is the browser's clock in the user's zone, and a
          // change typed into the server's HTML would not reach this state.
          <Input
            {...p}
            type="datetime-local"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            disabled={!hydrated}
            required
          />
        )}
      </Field>
      <Button
        variant="primary"
        disabled={!instant || past || busy}
        onClick={() => instant && onSchedule(instant.toISOString())}
        className="mb-5"
      >
        {busy ? 'Scheduling…' : label}
      </Button>
    </div>
  );
}
