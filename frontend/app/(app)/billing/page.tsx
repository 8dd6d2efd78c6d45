import type { Metadata } from 'next';
import { BillingPage } from '@/components/billing/billing-page';
import { Prefetch } from '@/lib/api/prefetch';
import { plansQuery, subscriptionQuery } from '@/lib/api/queries';

export const metadata: Metadata = { title: 'Billing' };

export default function Page() {
  return (
    <Prefetch
      load={(client, api) => [client.prefetchQuery(subscriptionQuery(api)), client.prefetchQuery(plansQuery(api))]}
    >
      <BillingPage />
    </Prefetch>
  );
}
