'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { PageHeader } from '@/components/shell/app-shell';
import { ButtonLink } from '@/components/ui/button';
import { useMe } from '@/lib/api/hooks/me';

/** Back from Stripe Checkout: paid (the plan changes once Stripe's webhook lands) or cancelled. */
export function BillingReturn({ outcome }: { outcome: 'success' | 'cancelled' }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const plan = me.data?.plan;
  // Stripe's webhook may land a moment after the redirect: look again until the plan changes.
  useEffect(() => {
    if (outcome !== 'success' || (plan && plan !== 'FREE')) return;
    const timer = setInterval(() => void queryClient.invalidateQueries({ queryKey: ['me'] }), 1_500);
    return () => clearInterval(timer);
  }, [outcome, plan, queryClient]);
  if (outcome === 'cancelled') {
    return (
      <>
        <PageHeader title="Checkout cancelled" description="Nothing was charged and your plan is as it was." />
        <ButtonLink href="/billing">Back to billing</ButtonLink>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Thank you" description="Your payment went through." />
      <p role="status" aria-live="polite" className="mb-4 text-sm">
        {plan && plan !== 'FREE' ? (
          <>
            You are on <strong>{plan}</strong> now; its limits apply from this moment.
          </>
        ) : (
          'Updating your plan… (Stripe confirms it in a moment)'
        )}
      </p>
      <div className="flex gap-2">
        <ButtonLink href="/billing">See your plan</ButtonLink>
        <ButtonLink href="/create" variant="primary">
          Write posts
        </ButtonLink>
      </div>
    </>
  );
}
