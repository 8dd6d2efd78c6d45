'use client';
import { ErrorNotice } from '@/components/common/error-notice';
import { Button } from '@/components/ui/button';

/** A page that threw while rendering: say so, keep the rest of the app usable. */
export default function PageError({ error, reset }: { error: Error; reset: () => void }) {
  return (
    <main id="main" className="mx-auto flex max-w-lg flex-col gap-3 p-8">
      <ErrorNotice error={error} title="This page could not be shown" />
      <Button onClick={reset}>Try again</Button>
    </main>
  );
}
