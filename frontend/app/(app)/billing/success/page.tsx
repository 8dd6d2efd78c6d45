import type { Metadata } from 'next';
import { BillingReturn } from '@/components/billing/billing-return';

export const metadata: Metadata = { title: 'Payment received' };

export default function Page() {
  return <BillingReturn outcome="success" />;
}
