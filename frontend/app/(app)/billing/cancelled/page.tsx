import type { Metadata } from 'next';
import { BillingReturn } from '@/components/billing/billing-return';

export const metadata: Metadata = { title: 'Checkout cancelled' };

export default function Page() {
  return <BillingReturn outcome="cancelled" />;
}
