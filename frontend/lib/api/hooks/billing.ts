'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import { unwrap } from '../client';
import { useApi, useSignedIn } from '../provider';
import { subscriptionQuery } from '../queries';

export function useSubscription() {
  const api = useApi();
  return useQuery({ ...subscriptionQuery(api), enabled: useSignedIn() });
}

/** Stripe Checkout or the portal: the API answers with the URL to go to. */
export function useCheckout() {
  const api = useApi();
  return useMutation({
    mutationFn: (plan: 'PRO' | 'BUSINESS') =>
      unwrap(api.POST('/api/v1/subscriptions/create-checkout', { body: { plan } })),
    onSuccess: ({ url }) => window.location.assign(url),
  });
}

export function usePortal() {
  const api = useApi();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/subscriptions/portal')),
    onSuccess: ({ url }) => window.location.assign(url),
  });
}
