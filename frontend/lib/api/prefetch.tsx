// The server's first render of a signed-in page, with its data: the page's queries are asked of
// the API here, with the session's own token, and handed to the browser's cache in the HTML
// (TanStack Query's HydrationBoundary). The page then paints with its data before any script has
// run, instead of after hydration plus a round trip (`npm run bench:frontend` measures both).
// Whatever does not answer in time, or refuses, is left out: the browser asks for it as before,
// and shows the error or the sign-in if there is one. Server only.
import { dehydrate, HydrationBoundary, QueryClient } from '@tanstack/react-query';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { parseSession, SESSION_COOKIE } from '@/lib/auth/session-cookie';
import { maybeSignedIn } from '@/lib/auth/session-hint';
import { readRuntimeConfig, type RuntimeConfig } from '@/lib/runtime-config';
import { createApi, type Api } from './client';

/** A server render (and a move between pages, which waits for it) waits this long for the API at most; then the browser asks. */
const TIMEOUT_MS = 800;

/** The session's token, read from this request's cookies; null when signed out. */
async function sessionToken(config: RuntimeConfig): Promise<string | null> {
  const jar = await cookies();
  if (!maybeSignedIn(config.authMode, jar)) return null;
  if (config.authMode === 'local') return parseSession(jar.get(SESSION_COOKIE)?.value)?.token ?? null;
  try {
    // Clerk's middleware (proxy.ts) has run for this request: its session's token, fresh.
    const { auth } = await import('@clerk/nextjs/server');
    return await (await auth()).getToken();
  } catch {
    return null;
  }
}

export type Load = (client: QueryClient, api: Api) => Array<Promise<unknown>>;

/** Renders `children` with what `load` prefetched already in the browser's query cache. */
export async function Prefetch({ load, children }: { load: Load; children: ReactNode }) {
  const config = readRuntimeConfig();
  const token = await sessionToken(config);
  if (!token) return children;
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const api = createApi({
    baseUrl: config.apiUrl,
    getToken: () => Promise.resolve(token),
    onUnauthorized: () => undefined,
    timeoutMs: TIMEOUT_MS,
  });
  // prefetchQuery never throws: a failed query is simply not handed over (only successes are).
  await Promise.all(load(client, api));
  return <HydrationBoundary state={dehydrate(client)}>{children}</HydrationBoundary>;
}
