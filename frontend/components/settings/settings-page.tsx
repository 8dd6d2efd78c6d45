'use client';
import { useEffect, useMemo, useState } from 'react';
import { ErrorNotice } from '@/components/common/error-notice';
import { PageHeader } from '@/components/shell/app-shell';
import { ThemeSwitch } from '@/components/shell/theme-switch';
import { Button } from '@/components/ui/button';
import { Card, CardTitle } from '@/components/ui/card';
import { Field, Input } from '@/components/ui/field';
import { Loading } from '@/components/ui/skeleton';
import { useMe, useUpdateMe } from '@/lib/api/hooks/me';
import { allTimeZones, formatDateTime, isTimeZone } from '@/lib/time';
import { useLocale } from '@/lib/runtime-config-context';
import { useHydrated } from '@/lib/use-hydrated';

function SettingsForm({ name: initialName, timezone: initialZone }: { name: string; timezone: string }) {
  const update = useUpdateMe();
  // The browser's zone, its list of zones and its clock: only after hydration, since the server's
  // (a different list, in UTC) would not match what the browser renders.
  const hydrated = useHydrated();
  const locale = useLocale();
  const browserZone = useMemo(() => (hydrated ? Intl.DateTimeFormat().resolvedOptions().timeZone : null), [hydrated]);
  const zones = useMemo(
    () => (browserZone ? allTimeZones(browserZone, initialZone) : [initialZone]),
    [browserZone, initialZone],
  );
  const [name, setName] = useState(initialName);
  const [zone, setZone] = useState(initialZone);
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(timer);
  }, []);
  const known = isTimeZone(zone);
  const changed = name.trim() !== initialName || zone !== initialZone;
  return (
    <form
      className="flex max-w-lg flex-col gap-4"
      action={() => update.mutate({ ...(name.trim() ? { name: name.trim() } : {}), timezone: zone })}
    >
      <Field label="Name">
        {(p) => <Input {...p} value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />}
      </Field>
      <div id="timezone" className="scroll-mt-20">
        <Field
          label="Time zone"
          hint={
            known && hydrated
              ? `Now ${formatDateTime(now, zone, locale)} there. Every time in Postaify is shown in this zone.`
              : undefined
          }
          error={!known && zone ? 'Pick a zone from the list (type to search, e.g. Berlin).' : undefined}
        >
          {(p) => (
            <>
              <Input
                {...p}
                list="zones"
                value={zone}
                onChange={(e) => setZone(e.target.value)}
                autoComplete="off"
                spellCheck={false}
              />
              <datalist id="zones">
                {zones.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        {browserZone && browserZone !== zone ? (
          <Button size="sm" variant="ghost" className="mt-1" onClick={() => setZone(browserZone)}>
            Use this browser&apos;s zone ({browserZone})
          </Button>
        ) : null}
      </div>
      {update.error ? <ErrorNotice error={update.error} title="Not saved" /> : null}
      <div className="flex items-center gap-3">
        <Button type="submit" variant="primary" disabled={!changed || !known || update.isPending}>
          Save settings
        </Button>
        {update.isSuccess && !changed ? (
          <span className="text-sm text-muted" role="status">
            Saved
          </span>
        ) : null}
      </div>
    </form>
  );
}

export function SettingsPage() {
  const me = useMe();
  return (
    <>
      <PageHeader title="Settings" description="Your name, your time zone and how Postaify looks." />
      <div className="flex flex-col gap-4">
        <Card>
          <CardTitle className="mb-3">Profile</CardTitle>
          {me.isPending ? (
            <Loading rows={2} />
          ) : me.isError ? (
            <ErrorNotice error={me.error} />
          ) : (
            <SettingsForm
              key={`${me.data.name ?? ''}|${me.data.timezone}`}
              name={me.data.name ?? ''}
              timezone={me.data.timezone}
            />
          )}
        </Card>
        <Card className="flex flex-col gap-2">
          <CardTitle>Theme</CardTitle>
          <ThemeSwitch />
        </Card>
      </div>
    </>
  );
}
