// Checkout, the billing portal and the subscription as the API shows it. Every Stripe call that
// creates something carries an idempotency key derived from the user and the request, so a
// retried request never opens two sessions or creates two customers.
import { createHash } from 'node:crypto';
import type { Plan } from '../../generated/prisma/enums.js';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import { viaStripe, type StripeClient } from '../../integrations/stripe.js';
import type { AuthUser } from '../../http/current-user.js';

export interface BillingDeps {
  db: Db;
  stripe: StripeClient;
  prices: { PRO?: string; BUSINESS?: string };
  appUrl: string;
}

const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);

export function createBillingService({ db, stripe, prices, appUrl }: BillingDeps) {
  async function customerFor(user: AuthUser): Promise<string> {
    const row = await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { stripeCustomerId: true } });
    if (row.stripeCustomerId) return row.stripeCustomerId;
    // Two concurrent first checkouts send the same key: Stripe answers both with one customer.
    const customer = await viaStripe(stripe, 'customer create', (client) =>
      client.customers.create(
        { email: user.email ?? undefined, name: user.name ?? undefined, metadata: { userId: user.id } },
        { idempotencyKey: `customer-${user.id}` },
      ),
    );
    await db.user.updateMany({
      where: { id: user.id, stripeCustomerId: null },
      data: { stripeCustomerId: customer.id },
    });
    return (await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { stripeCustomerId: true } }))
      .stripeCustomerId!;
  }

  return {
    async get(user: AuthUser) {
      const sub = await db.subscription.findUnique({ where: { userId: user.id } });
      return {
        plan: user.plan,
        status: sub?.status ?? ('NONE' as const),
        currentPeriodEnd: sub?.currentPeriodEnd?.toISOString() ?? null,
        cancelAtPeriodEnd: sub?.cancelAtPeriodEnd ?? false,
      };
    },

    /** A subscription-mode Checkout Session for `plan`; `requestKey` makes a retry return the same one. */
    async checkout(user: AuthUser, plan: Exclude<Plan, 'FREE'>, requestKey: string) {
      const price = prices[plan];
      if (!price)
        throw new AppError('SERVICE_UNAVAILABLE', `No Stripe price is configured for ${plan} (STRIPE_PRICE_${plan}).`);
      const current = await db.subscription.findUnique({ where: { userId: user.id } });
      if (current && ['ACTIVE', 'TRIALING', 'PAST_DUE'].includes(current.status)) {
        throw new AppError('CONFLICT', 'You already have a subscription: change or cancel it in the billing portal.', {
          plan: current.plan,
        });
      }
      const customer = await customerFor(user);
      const session = await viaStripe(stripe, 'checkout session create', (client) =>
        client.checkout.sessions.create(
          {
            mode: 'subscription',
            customer,
            line_items: [{ price, quantity: 1 }],
            client_reference_id: user.id,
            metadata: { userId: user.id, plan },
            subscription_data: { metadata: { userId: user.id, plan } },
            success_url: `${appUrl}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
            cancel_url: `${appUrl}/billing/cancelled`,
          },
          { idempotencyKey: `checkout-${hash(user.id, plan, requestKey)}` },
        ),
      );
      if (!session.url) throw new AppError('UPSTREAM_ERROR', 'Stripe: the checkout session has no URL.');
      return { url: session.url };
    },

    async portal(user: AuthUser, requestKey: string) {
      const row = await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { stripeCustomerId: true } });
      if (!row.stripeCustomerId)
        throw new AppError('CONFLICT', 'There is no billing account yet: subscribe to a plan first.');
      const session = await viaStripe(stripe, 'portal session create', (client) =>
        client.billingPortal.sessions.create(
          { customer: row.stripeCustomerId!, return_url: `${appUrl}/billing` },
          { idempotencyKey: `portal-${hash(user.id, requestKey)}` },
        ),
      );
      return { url: session.url };
    },
  };
}

export type BillingService = ReturnType<typeof createBillingService>;
