import type { Request } from 'express';
import { z } from 'zod';
import { IDEMPOTENCY_HEADER, idempotencyKey } from '../../http/idempotency.js';
import type { RouteTable } from '../../http/route.js';
import { currentUser } from '../auth/require-user.js';
import type { BillingService } from './billing.service.js';
import { PLAN_IDS } from './plans.js';

const subscriptionSchema = z.object({
  plan: z.enum(PLAN_IDS),
  status: z.enum([
    'NONE',
    'INCOMPLETE',
    'INCOMPLETE_EXPIRED',
    'TRIALING',
    'ACTIVE',
    'PAST_DUE',
    'CANCELED',
    'UNPAID',
    'PAUSED',
  ]),
  currentPeriodEnd: z.iso.datetime().nullable(),
  cancelAtPeriodEnd: z.boolean(),
});

/** The Idempotency-Key when sent; otherwise the request's own id (a retry of it is a new request). */
const requestKey = (req: Request, requestId: string) => idempotencyKey(req) ?? requestId;

export function billingRoutes(table: RouteTable, billing: BillingService) {
  const tag = 'Billing';
  const url = z.object({ url: z.url() });
  table.add(
    {
      method: 'get',
      path: '/subscriptions',
      operationId: 'getSubscription',
      summary: 'Your plan and subscription.',
      tag,
      response: subscriptionSchema,
    },
    ({ res }) => billing.get(currentUser(res)),
  );
  table.add(
    {
      method: 'post',
      path: '/subscriptions/create-checkout',
      operationId: 'createCheckout',
      summary: 'A Stripe Checkout page to subscribe to PRO or BUSINESS.',
      tag,
      body: z.strictObject({ plan: z.enum(['PRO', 'BUSINESS']) }),
      status: 201,
      response: url,
      headers: [IDEMPOTENCY_HEADER],
      errors: ['CONFLICT', 'UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE', 'SERVICE_UNAVAILABLE'],
    },
    ({ req, res, body }) => billing.checkout(currentUser(res), body.plan, requestKey(req, res.locals.requestId)),
  );
  table.add(
    {
      method: 'post',
      path: '/subscriptions/portal',
      operationId: 'createPortalSession',
      summary: 'The Stripe billing portal: change plan, cancel, payment methods, invoices.',
      tag,
      status: 201,
      response: url,
      headers: [IDEMPOTENCY_HEADER],
      errors: ['CONFLICT', 'UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE'],
    },
    ({ req, res }) => billing.portal(currentUser(res), requestKey(req, res.locals.requestId)),
  );
}
