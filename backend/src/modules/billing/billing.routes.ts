import type { Request } from 'express';
import { z } from 'zod';
import { IDEMPOTENCY_HEADER, idempotencyKey, underIdempotencyKey } from '../../http/idempotency.js';
import type { RouteTable } from '../../http/route.js';
import type { Db } from '../../lib/db.js';
import { requestHash } from '../jobs/jobs.service.js';
import { currentUser } from '../../http/current-user.js';
import type { BillingService } from './billing.service.js';
import { PLAN_IDS } from '../plans/plans.service.js';

const subscriptionSchema = z
  .object({
    plan: z.enum(PLAN_IDS),
    status: z
      .enum([
        'NONE',
        'INCOMPLETE',
        'INCOMPLETE_EXPIRED',
        'TRIALING',
        'ACTIVE',
        'PAST_DUE',
        'CANCELED',
        'UNPAID',
        'PAUSED',
      ])
      .describe("Stripe's subscription status; NONE without a subscription (FREE)."),
    currentPeriodEnd: z.iso.datetime().nullable().describe('When the paid period ends (and renews, unless cancelled).'),
    cancelAtPeriodEnd: z.boolean().describe('Cancelled: the plan returns to FREE at currentPeriodEnd.'),
  })
  .meta({ id: 'Subscription' });

/** The Idempotency-Key when sent; otherwise the request's own id (a retry of it is a new request). */
const requestKey = (req: Request, requestId: string) => idempotencyKey(req) ?? requestId;

/**
 * Runs a Stripe call under the request's Idempotency-Key, when it has one: Stripe's own key
 * (derived from ours) makes the replay, and ours, remembered, refuses the same key with another
 * route or body (409), which Stripe would take as a new request because its key includes the body.
 */
function keyed<T>(db: Db, req: Request, userId: string, body: unknown, run: (key: string) => Promise<T>) {
  const key = idempotencyKey(req);
  if (key === undefined) return run(requestKey(req, req.res!.locals.requestId));
  const route = `POST ${req.baseUrl}${(req.route as { path: string }).path}`;
  return underIdempotencyKey(db, { userId, key, route, hash: requestHash({ route, body }) }, () => run(key));
}

export function billingRoutes(table: RouteTable, billing: BillingService, db: Db) {
  const tag = 'Billing';
  const url = z
    .object({ url: z.url().describe("Stripe's page: send the browser there.") })
    .meta({ id: 'StripeRedirect' });
  table.add(
    {
      method: 'get',
      path: '/subscriptions',
      operationId: 'getSubscription',
      summary: 'Get your subscription',
      description: 'Your plan and the state of its Stripe subscription.',
      tag,
      response: subscriptionSchema,
      examples: {
        response: {
          plan: 'PRO',
          status: 'ACTIVE',
          currentPeriodEnd: '2026-12-22T09:30:00.000Z',
          cancelAtPeriodEnd: false,
        },
      },
    },
    ({ res }) => billing.get(currentUser(res)),
  );
  table.add(
    {
      method: 'post',
      path: '/subscriptions/create-checkout',
      operationId: 'createCheckout',
      summary: 'Start a checkout',
      description:
        'A Stripe Checkout page to subscribe to PRO or BUSINESS: send the browser to `url`. The plan changes once Stripe confirms the payment; with a subscription already, use the portal (409 `CONFLICT`).',
      tag,
      body: z.strictObject({ plan: z.enum(['PRO', 'BUSINESS']) }).meta({ id: 'CheckoutRequest' }),
      status: 201,
      response: url,
      examples: {
        body: { plan: 'PRO' },
        response: { url: 'https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4e5F6g7H8' },
      },
      headers: [IDEMPOTENCY_HEADER],
      errors: ['CONFLICT', 'UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE', 'SERVICE_UNAVAILABLE'],
    },
    ({ req, res, body }) => {
      const user = currentUser(res);
      return keyed(db, req, user.id, body, (key) => billing.checkout(user, body.plan, key));
    },
  );
  table.add(
    {
      method: 'post',
      path: '/subscriptions/portal',
      operationId: 'createPortalSession',
      summary: 'Open the billing portal',
      description:
        "Stripe's billing portal, to change plan, cancel, update the payment method or download invoices: send the browser to `url`.",
      tag,
      status: 201,
      response: url,
      examples: { response: { url: 'https://billing.stripe.com/p/session/test_YWNjdF8xTjJ' } },
      headers: [IDEMPOTENCY_HEADER],
      errors: ['CONFLICT', 'UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE'],
    },
    ({ req, res }) => {
      const user = currentUser(res);
      return keyed(db, req, user.id, {}, (key) => billing.portal(user, key));
    },
  );
}
