'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../client';
import { useApi, useSignedIn } from '../provider';

export const meKey = ['me'] as const;

export function useMe() {
  const api = useApi();
  const signedIn = useSignedIn();
  return useQuery({
    queryKey: meKey,
    queryFn: () => unwrap(api.GET('/api/v1/me')),
    enabled: signedIn,
  });
}

/** The user's IANA zone: every time on every page is shown in it (the browser's until /me answers). */
export function useTimeZone(): string {
  const { data } = useMe();
  return data?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function useUpdateMe() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name?: string; timezone?: string }) => unwrap(api.PATCH('/api/v1/me', { body })),
    onSuccess: (me) => queryClient.setQueryData(meKey, me),
  });
}
