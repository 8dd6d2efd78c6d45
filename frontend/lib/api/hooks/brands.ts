'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../client';
import { useApi, useSignedIn } from '../provider';
import { brandsKey, brandsQuery } from '../queries';
import type { BrandInput } from '../types';

export function useBrands() {
  const api = useApi();
  return useQuery({ ...brandsQuery(api), enabled: useSignedIn() });
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
