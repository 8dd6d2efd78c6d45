import { cookies } from 'next/headers';
import { Home } from '@/components/landing/home';
import { Prefetch } from '@/lib/api/prefetch';
import { activeJobsQuery, FAILED_FILTER, meQuery, postsQuery, upcomingPostsQuery } from '@/lib/api/queries';
import type { PlanList } from '@/lib/api/types';
import { maybeSignedIn } from '@/lib/auth/session-hint';
import { readRuntimeConfig } from '@/lib/runtime-config';

/** The plans for the landing page, read on the server; null (the browser asks) if the API is slow. */
async function readPlans(apiUrl: string): Promise<PlanList | null> {
  try {
    const res = await fetch(`${apiUrl}/api/v1/plans`, { signal: AbortSignal.timeout(1_000), cache: 'no-store' });
    return res.ok ? ((await res.json()) as PlanList) : null;
  } catch {
    return null;
  }
}

export default async function HomePage() {
  const config = readRuntimeConfig();
  const signedOut = !maybeSignedIn(config.authMode, await cookies());
  if (signedOut) return <Home signedOut initialPlans={await readPlans(config.apiUrl)} />;
  // Maybe signed in: the dashboard, with what it shows read here.
  return (
    <Prefetch
      load={(client, api) => [
        client.prefetchQuery(meQuery(api)),
        client.prefetchQuery(upcomingPostsQuery(api, 5)),
        client.prefetchQuery(activeJobsQuery(api)),
        client.prefetchInfiniteQuery(postsQuery(api, FAILED_FILTER, 5)),
      ]}
    >
      <Home signedOut={false} initialPlans={null} />
    </Prefetch>
  );
}
