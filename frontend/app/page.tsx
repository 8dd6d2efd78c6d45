'use client';
import { Dashboard } from '@/components/dashboard/dashboard';
import { Landing } from '@/components/landing/landing';
import { AppShell } from '@/components/shell/app-shell';
import { Loading } from '@/components/ui/skeleton';
import { useAuth } from '@/lib/auth/context';

/** Signed out: what Postaify does and its plans. Signed in: the dashboard. */
export default function Home() {
  const { status } = useAuth();
  if (status === 'loading') {
    return (
      <main id="main" className="mx-auto max-w-md p-8">
        <Loading label="Loading" rows={2} />
      </main>
    );
  }
  if (status === 'signed-out') return <Landing />;
  return (
    <AppShell>
      <Dashboard />
    </AppShell>
  );
}
