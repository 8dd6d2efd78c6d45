'use client';
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import { useMe, useUpdateMe } from '@/lib/api/hooks/me';

const KEY = 'postaify.zone-kept';

/**
 * New accounts start in UTC. When the browser's zone differs from the account's, offer it once
 * in one click; "Keep" is remembered on this browser for that pair of zones.
 */
export function ZoneSuggestion() {
  const { data: me } = useMe();
  const update = useUpdateMe();
  const [browserZone, setBrowserZone] = useState<string | null>(null);
  const [kept, setKept] = useState<string | null>(null);
  useEffect(() => {
    setBrowserZone(Intl.DateTimeFormat().resolvedOptions().timeZone);
    setKept(window.localStorage.getItem(KEY));
  }, []);
  if (!me || !browserZone || browserZone === me.timezone) return null;
  const pair = `${me.timezone}>${browserZone}`;
  if (kept === pair) return null;
  return (
    <div
      role="region"
      aria-label="Time zone"
      className="mb-4 flex flex-col gap-2 sm:flex-row sm:items-center sm:gap-3 rounded-lg border border-blue-200 bg-blue-50 px-3 py-2 text-sm text-blue-950 dark:border-blue-900 dark:bg-blue-950 dark:text-blue-50"
    >
      <p className="min-w-0 sm:flex-1">
        This browser is in <strong>{browserZone}</strong>; Postaify shows your times in <strong>{me.timezone}</strong>.
      </p>
      <div className="flex flex-wrap gap-2">
        <Button
          size="sm"
          variant="primary"
          disabled={update.isPending}
          onClick={() => update.mutate({ timezone: browserZone })}
        >
          Use {browserZone}
        </Button>
        <Button
          size="sm"
          onClick={() => {
            window.localStorage.setItem(KEY, pair);
            setKept(pair);
          }}
        >
          Keep {me.timezone}
        </Button>
      </div>
    </div>
  );
}
