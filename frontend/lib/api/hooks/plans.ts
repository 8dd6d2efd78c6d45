'use client';
import { useQuery } from '@tanstack/react-query';
import { unwrap } from '../client';
import { useApi } from '../provider';

export function usePlans() {
  const api = useApi();
  return useQuery({
    queryKey: ['plans'],
    queryFn: () => unwrap(api.GET('/api/v1/plans')),
    staleTime: 10 * 60_000,
  });
}
