'use client';
import { Dashboard } from '@/components/dashboard/dashboard';
import { AppShell } from '@/components/shell/app-shell';
import type { PlanList } from '@/lib/api/types';
import { useAuth } from '@/lib/auth/context';
import { Landing } from './landing';

/**
 * Signed out: what Postaify does and its plans. Signed in: the dashboard. `signedOut` is the
 * server's reading of the cookies: when it is sure, the landing page is rendered on the server and
 * stays while the browser confirms; otherwise the dashboard is, with its data.
 */
export function Home({ signedOut, initialPlans }: { signedOut: boolean; initialPlans: PlanList | null }) {
  const { status } = useAuth();
  if (status === 'signed-out' || (status === 'loading' && signedOut)) return <Landing initialPlans={initialPlans} />;
  // Signed in, or maybe (the session is still being read): the dashboard, which the server
  // rendered with its data; a visitor whose session turns out gone gets the landing page.
  return (
    <AppShell>
      <Dashboard />
    </AppShell>
  );
}
