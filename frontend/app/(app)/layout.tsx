import type { ReactNode } from 'react';
import { SignedIn } from '@/components/shell/app-shell';
import { Prefetch } from '@/lib/api/prefetch';
import { meQuery } from '@/lib/api/queries';

/**
 * Every page in this group needs a signed-in user and lives in the app's shell, whose top bar
 * (plan, usage, zone) and every time shown come from /me: the server reads it with the page.
 */
export default function SignedInLayout({ children }: { children: ReactNode }) {
  return (
    <Prefetch load={(client, api) => [client.prefetchQuery(meQuery(api))]}>
      <SignedIn>{children}</SignedIn>
    </Prefetch>
  );
}
