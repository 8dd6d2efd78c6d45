'use client';
import { Dashboard } from '@/components/dashboard/dashboard';
import { AppShell } from '@/components/shell/app-shell';
import { Loading } from '@/components/ui/skeleton';
import type { PlanList } from '@/lib/api/types';
import { useAuth } from '@/lib/auth/context';
import { Landing } from './landing';

/**
 * Signed out: what Postaify does and its plans. Signed in: the dashboard. `signedOut` is the
 * server's reading of the cookies: when it is sure, the landing page is rendered on the server and
 * stays while the browser confirms; otherwise a placeholder waits for the session.
 */
export function Home({ signedOut, initialPlans }: { signedOut: boolean; initialPlans: PlanList | null }) {
  const { status } = useAuth();
  if (status === 'signed-out' || (status === 'loading' && signedOut)) return <Landing initialPlans={initialPlans} />;
  if (status === 'loading') {
    return (
      <main id="main" className="mx-auto max-w-md p-8">
        <Loading label="Loading" rows={2} />
      </main>
    );
  }
  return (
    <AppShell>
      <Dashboard />
    </AppShell>
  );
}
