'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../client';
import { useApi, useSignedIn } from '../provider';
import type { GenerateInput, ImageInput, VoiceInput } from '../types';
import { meKey } from '../queries';

/**
 * A job-creating POST sends an Idempotency-Key: one per submission, so that a retry of the same
 * click (a lost answer, a double click) is never charged twice.
 */
const idempotent = (key: string) => ({ headers: { 'Idempotency-Key': key } });

export function useGenerate() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, key }: { body: GenerateInput; key: string }) =>
      unwrap(api.POST('/api/v1/ai/generate', { body, ...idempotent(key) })),
    // The reservation shows in the meters at once.
    onSettled: () => queryClient.invalidateQueries({ queryKey: meKey }),
  });
}

export function useGenerateImage() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, key }: { body: ImageInput; key: string }) =>
      unwrap(api.POST('/api/v1/images/generate', { body, ...idempotent(key) })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: meKey }),
  });
}

export function useGenerateVoice() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, key }: { body: VoiceInput; key: string }) =>
      unwrap(api.POST('/api/v1/voice/generate', { body, ...idempotent(key) })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: meKey }),
  });
}

export function useVoices(enabled = true) {
  const api = useApi();
  const signedIn = useSignedIn();
  return useQuery({
    queryKey: ['voices'],
    queryFn: () => unwrap(api.GET('/api/v1/voice/voices')),
    staleTime: 10 * 60_000,
    enabled: signedIn && enabled,
  });
}
