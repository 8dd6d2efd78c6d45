'use client';
import { useQuery } from '@tanstack/react-query';
import type { PlanList } from '../types';
import { useApi } from '../provider';
import { plansQuery } from '../queries';

/** The plans; `initial` is a list the server already read (the landing page renders with it). */
export function usePlans(initial?: PlanList | null) {
  const api = useApi();
  return useQuery({ ...plansQuery(api), ...(initial ? { initialData: initial } : {}) });
}
