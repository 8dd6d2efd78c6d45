'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useHydrated } from '@/lib/use-hydrated';
import { unwrap } from '../client';
import { useApi, useSignedIn } from '../provider';
import { meKey, meQuery } from '../queries';

export function useMe() {
  const api = useApi();
  return useQuery({ ...meQuery(api), enabled: useSignedIn() });
}

/**
 * The user's IANA zone: every time on every page is shown in it. Until /me answers, the browser's
 * zone; UTC while the server's page is hydrated, since the server cannot know the browser's.
 */
export function useTimeZone(): string {
  const { data } = useMe();
  const hydrated = useHydrated();
  return data?.timezone ?? (hydrated ? Intl.DateTimeFormat().resolvedOptions().timeZone : 'UTC');
}

export function useUpdateMe() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name?: string; timezone?: string }) => unwrap(api.PATCH('/api/v1/me', { body })),
    onSuccess: (me) => queryClient.setQueryData(meKey, me),
  });
}
