// Applies Stripe's current state of a subscription to the user. Events can arrive late and out of
// order, so we never trust the event's copy: we re-read the subscription from Stripe, under a
// per-user lock, and write what Stripe holds now. The plan follows the subscription at once; a
// cancellation at period end keeps the paid plan until Stripe ends the subscription.
import type Stripe from 'stripe';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Plan, SubscriptionStatus } from '../../generated/prisma/enums.js';
import type { Db } from '../../lib/db.js';
import type { StripeClient } from '../../integrations/stripe.js';
import { recordAudit } from '../audit/audit.service.js';

const PAID_STATUSES: ReadonlySet<string> = new Set(['active', 'trialing', 'past_due']);

export interface SyncDeps {
  db: Db;
  stripe: StripeClient;
  /** Stripe price id → plan. */
  planOfPrice: (priceId: string | undefined) => Plan | undefined;
  /** Tells every replica to drop its cached copy of the user. */
  invalidateUser: (clerkId: string) => Promise<void>;
}

export function toStatus(status: string): SubscriptionStatus {
  return status.toUpperCase() as SubscriptionStatus;
}

function periodEnd(sub: Stripe.Subscription): Date | null {
  const item = sub.items?.data?.[0];
  const seconds = item?.current_period_end ?? (sub as unknown as { current_period_end?: number }).current_period_end;
  return typeof seconds === 'number' ? new Date(seconds * 1000) : null;
}

/** Finds our user for a Stripe subscription: by metadata, then by customer. */
async function userFor(db: Db | Prisma.TransactionClient, sub: Stripe.Subscription) {
  const userId = sub.metadata?.userId;
  if (userId) {
    const user = await db.user.findUnique({ where: { id: userId } });
    if (user) return user;
  }
  const customer = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
  return db.user.findUnique({ where: { stripeCustomerId: customer } });
}

/**
 * Re-reads `subscriptionId` from Stripe and applies it inside the caller's transaction (the one
 * that records the webhook event, so the effect and the record commit together). The read happens
 * under a per-user advisory lock held by that transaction: two deliveries for one user cannot
 * interleave, so an older read is never written last. Returns the user touched, for the caller to
 * invalidate its cache after the commit.
 */
export async function applySubscription(
  tx: Prisma.TransactionClient,
  { stripe, planOfPrice }: Pick<SyncDeps, 'stripe' | 'planOfPrice'>,
  subscriptionId: string,
): Promise<{ userId: string; clerkId: string; plan: Plan } | undefined> {
  const client = await stripe();
  const first = await client.subscriptions.retrieve(subscriptionId);
  const user = await userFor(tx, first);
  if (!user) return undefined;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${user.id}))`;
  const sub = await client.subscriptions.retrieve(subscriptionId);
  const current = await tx.subscription.findUnique({ where: { userId: user.id } });
  if (
    current &&
    current.stripeSubscriptionId !== sub.id &&
    !PAID_STATUSES.has(sub.status) &&
    PAID_STATUSES.has(current.status.toLowerCase())
  ) {
    // A late event about a subscription that is over, while another one is live: the old one's
    // state says nothing about the user's plan now.
    return undefined;
  }
  const priceId = sub.items?.data?.[0]?.price?.id;
  const paidPlan = planOfPrice(priceId);
  const plan: Plan = paidPlan && PAID_STATUSES.has(sub.status) ? paidPlan : 'FREE';
  const data = {
    stripePriceId: priceId ?? null,
    plan: paidPlan ?? 'FREE',
    status: toStatus(sub.status),
    currentPeriodEnd: periodEnd(sub),
    cancelAtPeriodEnd: Boolean(sub.cancel_at_period_end),
    stripeUpdatedAt: new Date(),
  } satisfies Partial<Prisma.SubscriptionUncheckedCreateInput>;
  await tx.subscription.upsert({
    where: { userId: user.id },
    create: { userId: user.id, stripeSubscriptionId: sub.id, ...data },
    update: { stripeSubscriptionId: sub.id, ...data },
  });
  const customer = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
  // The plan before this write, read under the lock (`user` was read before it): the audit row.
  const before = await tx.user.findUniqueOrThrow({ where: { id: user.id }, select: { plan: true } });
  await tx.user.update({ where: { id: user.id }, data: { plan, stripeCustomerId: customer } });
  if (before.plan !== plan) {
    await recordAudit(tx, {
      action: 'plan_changed',
      actor: 'stripe',
      userId: user.id,
      subscriptionId: sub.id,
      data: { from: before.plan, to: plan, status: sub.status },
    });
  }
  return { userId: user.id, clerkId: user.clerkId, plan };
}
