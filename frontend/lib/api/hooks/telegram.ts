'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../client';
import { useApi, useSignedIn } from '../provider';
import { meKey, telegramKey, telegramQuery } from '../queries';

/** The link's status; refreshed every 2 s while `watch` (a code is out and not yet used). */
export function useTelegram(watch = false) {
  const api = useApi();
  return useQuery({ ...telegramQuery(api), enabled: useSignedIn(), refetchInterval: watch ? 2_000 : false });
}

export function useCreateLink() {
  const api = useApi();
  return useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/telegram/link')) });
}

export function useSendTest() {
  const api = useApi();
  return useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/telegram/test')) });
}

export function useUnlink() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/telegram')),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: telegramKey });
      void queryClient.invalidateQueries({ queryKey: meKey });
    },
  });
}
