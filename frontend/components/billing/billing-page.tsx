'use client';
import { ErrorNotice } from '@/components/common/error-notice';
import { Time } from '@/components/common/time';
import { PageHeader } from '@/components/shell/app-shell';
import { Button } from '@/components/ui/button';
import { Card, CardTitle } from '@/components/ui/card';
import { UsageMeters } from '@/components/ui/meter';
import { Loading } from '@/components/ui/skeleton';
import { useCheckout, usePortal, useSubscription } from '@/lib/api/hooks/billing';
import { useMe } from '@/lib/api/hooks/me';
import type { PlanId } from '@/lib/api/types';
import { Plans } from './plan-cards';

const RANK: Record<PlanId, number> = { FREE: 0, PRO: 1, BUSINESS: 2 };
const STATUS_WORDS: Record<string, string> = {
  ACTIVE: 'Active',
  TRIALING: 'Trial',
  PAST_DUE: 'Payment due',
  CANCELED: 'Cancelled',
  UNPAID: 'Unpaid',
  INCOMPLETE: 'Incomplete',
  INCOMPLETE_EXPIRED: 'Expired',
  PAUSED: 'Paused',
};

export function SubscriptionCard() {
  const subscription = useSubscription();
  const portal = usePortal();
  if (subscription.isPending) return <Loading label="Loading your subscription" rows={2} />;
  if (subscription.isError)
    return <ErrorNotice error={subscription.error} title="Your subscription could not be loaded" />;
  const s = subscription.data;
  return (
    <Card className="flex flex-col gap-2">
      <CardTitle>Subscription</CardTitle>
      <p className="text-sm">
        Plan <strong>{s.plan}</strong>
        {s.status !== 'NONE' ? ` · ${STATUS_WORDS[s.status] ?? s.status}` : ''}
      </p>
      {s.currentPeriodEnd ? (
        <p className="text-sm text-muted">
          {s.cancelAtPeriodEnd ? 'Ends' : 'Renews'} <Time iso={s.currentPeriodEnd} />
        </p>
      ) : (
        <p className="text-sm text-muted">The FREE plan has no subscription: nothing is charged.</p>
      )}
      {s.status !== 'NONE' ? (
        <Button className="self-start" onClick={() => portal.mutate()} disabled={portal.isPending}>
          Manage subscription
        </Button>
      ) : null}
      {portal.error ? <ErrorNotice error={portal.error} title="The billing portal could not be opened" /> : null}
    </Card>
  );
}

export function BillingPage() {
  const me = useMe();
  const checkout = useCheckout();
  const current = me.data?.plan;
  return (
    <>
      <PageHeader title="Billing" description="Every plan uses the whole app; a bigger plan makes more each month." />
      <div className="flex flex-col gap-5">
        <div className="grid gap-4 lg:grid-cols-2">
          <SubscriptionCard />
          <Card className="flex flex-col gap-3">
            <CardTitle>This month&apos;s usage</CardTitle>
            {me.data ? (
              <UsageMeters usage={me.data.usage} />
            ) : me.isError ? (
              <ErrorNotice error={me.error} />
            ) : (
              <Loading rows={3} />
            )}
          </Card>
        </div>
        <section aria-labelledby="plans" className="flex flex-col gap-3">
          <h2 id="plans" className="text-sm font-semibold">
            Plans
          </h2>
          <Plans
            current={current}
            action={(plan) =>
              plan.id !== 'FREE' && current && RANK[plan.id] > RANK[current] ? (
                <Button
                  variant="primary"
                  className="w-full"
                  disabled={checkout.isPending}
                  onClick={() => checkout.mutate(plan.id as 'PRO' | 'BUSINESS')}
                >
                  Upgrade to {plan.id}
                </Button>
              ) : null
            }
          />
          {checkout.error ? <ErrorNotice error={checkout.error} title="Checkout could not be opened" /> : null}
        </section>
      </div>
    </>
  );
}
