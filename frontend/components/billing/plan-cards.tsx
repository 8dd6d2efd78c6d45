'use client';
import type { ReactNode } from 'react';
import { ErrorNotice } from '@/components/common/error-notice';
import { Loading } from '@/components/ui/skeleton';
import { usePlans } from '@/lib/api/hooks/plans';
import type { Plan, PlanId, PlanList } from '@/lib/api/types';
import { cn } from '@/lib/cn';

const number = new Intl.NumberFormat('en-US');
const price = (cents: number) => (cents === 0 ? 'Free' : `$${number.format(cents / 100)} / month`);

/** The plans side by side with their monthly limits; `action` renders each plan's button. */
export function PlanCards({
  plans,
  current,
  action,
}: {
  plans: Plan[];
  current?: PlanId | undefined;
  action?: (plan: Plan) => ReactNode;
}) {
  return (
    <ul className="grid gap-3 sm:grid-cols-3">
      {plans.map((plan) => (
        <li
          key={plan.id}
          className={cn(
            'flex flex-col gap-3 rounded-lg border bg-bg p-4',
            current === plan.id ? 'border-accent ring-1 ring-accent' : 'border-border',
          )}
        >
          <div className="flex items-baseline justify-between gap-2">
            <h3 className="font-semibold">{plan.id}</h3>
            {current === plan.id ? <span className="text-xs font-medium text-accent">Your plan</span> : null}
          </div>
          <p className="tabular text-lg">{price(plan.priceMonthlyUsdCents)}</p>
          <dl className="tabular grid grid-cols-[1fr_auto] gap-x-3 gap-y-1 text-sm">
            <dt className="text-muted">Posts a month</dt>
            <dd>{number.format(plan.limits.posts)}</dd>
            <dt className="text-muted">Images a month</dt>
            <dd>{number.format(plan.limits.images)}</dd>
            <dt className="text-muted">Voice characters</dt>
            <dd>{number.format(plan.limits.voiceChars)}</dd>
          </dl>
          {action ? <div className="mt-auto">{action(plan)}</div> : null}
        </li>
      ))}
    </ul>
  );
}

/** The plans from `GET /plans`, with their loading and error states. */
export function Plans({
  initial,
  ...props
}: {
  current?: PlanId | undefined;
  action?: (plan: Plan) => ReactNode;
  initial?: PlanList | null | undefined;
}) {
  const plans = usePlans(initial);
  if (plans.isPending) return <Loading label="Loading the plans" />;
  if (plans.isError) return <ErrorNotice error={plans.error} title="The plans could not be loaded" />;
  return <PlanCards plans={plans.data.items} {...props} />;
}
