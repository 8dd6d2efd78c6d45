'use client';
import { useQuery } from '@tanstack/react-query';
import { unwrap } from '../client';
import type { PlanList } from '../types';
import { useApi } from '../provider';

/** The plans; `initial` is a list the server already read (the landing page renders with it). */
export function usePlans(initial?: PlanList | null) {
  const api = useApi();
  return useQuery({
    queryKey: ['plans'],
    queryFn: () => unwrap(api.GET('/api/v1/plans')),
    staleTime: 10 * 60_000,
    ...(initial ? { initialData: initial } : {}),
  });
}
