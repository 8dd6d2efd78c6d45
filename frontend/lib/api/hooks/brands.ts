'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../client';
import { useApi, useSignedIn } from '../provider';
import type { BrandInput } from '../types';

const brandsKey = ['brands'] as const;

export function useBrands() {
  const api = useApi();
  const signedIn = useSignedIn();
  return useQuery({
    enabled: signedIn,
    queryKey: brandsKey,
    queryFn: () => unwrap(api.GET('/api/v1/brands', { params: { query: { limit: 100 } } })),
  });
}

export function useCreateBrand() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: BrandInput) => unwrap(api.POST('/api/v1/brands', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: brandsKey }),
  });
}

export function useUpdateBrand() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: Partial<BrandInput> }) =>
      unwrap(api.PATCH('/api/v1/brands/{id}', { params: { path: { id } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: brandsKey }),
  });
}

export function useDeleteBrand() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/brands/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: brandsKey }),
  });
}
