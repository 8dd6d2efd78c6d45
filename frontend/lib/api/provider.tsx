'use client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { usePathname, useRouter } from 'next/navigation';
import { createContext, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { useAuth } from '@/lib/auth/context';
import { useRuntimeConfig } from '@/lib/runtime-config-context';
import { createApi, type Api } from './client';
import { isApiError } from './errors';

const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiProvider>');
  return api;
}

/** Signed-in data waits for the session: until then the pages render with their loading states. */
export function useSignedIn(): boolean {
  return useAuth().status === 'signed-in';
}

export function ApiProvider({ children }: { children: ReactNode }) {
  const { apiUrl } = useRuntimeConfig();
  const auth = useAuth();
  const router = useRouter();
  const pathname = usePathname();
  // The latest values for callbacks that live as long as the client.
  const latest = useRef({ auth, router, pathname });
  latest.current = { auth, router, pathname };

  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 15_000,
            // A 4xx will answer the same again; a network blip or a 5xx gets one more try.
            retry: (count, err) => count < 1 && !(isApiError(err) && err.status < 500),
            refetchOnWindowFocus: true,
          },
        },
      }),
  );
  const api = useMemo(
    () =>
      createApi({
        baseUrl: apiUrl,
        getToken: () => latest.current.auth.getToken(),
        onUnauthorized: () => {
          // The session ended: back to sign-in, and back here after it.
          const { auth, router, pathname } = latest.current;
          queryClient.clear();
          void auth.signOut().then(() => router.replace(`/sign-in?next=${encodeURIComponent(pathname)}`));
        },
      }),
    [apiUrl, queryClient],
  );
  return (
    <ApiContext.Provider value={api}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </ApiContext.Provider>
  );
}
