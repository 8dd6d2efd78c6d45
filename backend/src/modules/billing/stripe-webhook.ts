// POST /api/v1/webhooks/stripe. The raw body is verified with `constructEvent` before anything is
// read; a bad or missing signature is 400 and writes nothing. The event id is recorded in the same
// transaction as its effect, so a repeated delivery is 200 and applied once.
import type { Request, Response } from 'express';
import type Stripe from 'stripe';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { NoticeQueue } from '../telegram/telegram.service.js';
import { applySubscription, type SyncDeps } from './subscription-sync.js';

const HANDLED = new Set([
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'invoice.payment_failed',
]);

/** The subscription an event is about, if any. */
function subscriptionOf(event: Stripe.Event): string | undefined {
  const object = event.data.object as unknown as Record<string, unknown>;
  if (event.type.startsWith('customer.subscription.')) return object.id as string;
  const ref =
    object.subscription ??
    (object.parent as { subscription_details?: { subscription?: unknown } } | undefined)?.subscription_details
      ?.subscription;
  if (typeof ref === 'string') return ref;
  if (ref && typeof ref === 'object' && 'id' in ref) return (ref as { id: string }).id;
  return undefined;
}

export interface StripeWebhookDeps extends SyncDeps {
  logger: Logger;
  webhookSecret: string | undefined;
  /** Queues a notice to a user's linked Telegram chat (sent by a worker), once per id. */
  notices: Pick<NoticeQueue, 'add'>;
}

export function stripeWebhook(deps: StripeWebhookDeps) {
  const { db, stripe, logger, webhookSecret } = deps;
  return async (req: Request, res: Response) => {
    if (!webhookSecret)
      throw new AppError('SERVICE_UNAVAILABLE', 'Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET).');
    const signature = req.get('stripe-signature');
    if (!signature || !Buffer.isBuffer(req.body))
      throw new AppError('VALIDATION_ERROR', 'Missing Stripe-Signature header or body.');
    // Loaded before the try: an SDK that fails to load is a 500 (Stripe retries), not a bad signature.
    const client = await stripe();
    let event: Stripe.Event;
    try {
      event = client.webhooks.constructEvent(req.body, signature, webhookSecret);
    } catch {
      throw new AppError('VALIDATION_ERROR', 'The Stripe signature does not match this body.');
    }
    const touched = await apply(db, deps, event);
    if (touched === 'duplicate') {
      res.json({ received: true, duplicate: true });
      return;
    }
    if (touched) await deps.invalidateUser(touched.clerkId);
    logger.info({ event: event.id, type: event.type, plan: touched?.plan }, 'stripe event applied');
    res.json({ received: true });
  };
}

const PAYMENT_FAILED_NOTICE = {
  text: 'Your Postaify payment failed. Please update your payment method to keep your plan:',
  page: '/billing',
} as const;

async function apply(db: Db, deps: StripeWebhookDeps, event: Stripe.Event) {
  return db.$transaction(
    async (tx) => {
      const fresh = await tx.$queryRaw<Array<{ id: string }>>`
        INSERT INTO "WebhookEvent" ("provider", "eventId", "type") VALUES ('STRIPE', ${event.id}, ${event.type})
        ON CONFLICT ("provider", "eventId") DO NOTHING RETURNING "id"`;
      if (fresh.length === 0) return 'duplicate' as const;
      if (!HANDLED.has(event.type)) return undefined;
      if (event.type === 'checkout.session.completed') {
        const session = event.data.object;
        const userId = session.client_reference_id ?? session.metadata?.userId;
        const customer = typeof session.customer === 'string' ? session.customer : session.customer?.id;
        if (userId && customer)
          await tx.user.updateMany({
            where: { id: userId, stripeCustomerId: null },
            data: { stripeCustomerId: customer },
          });
      }
      const subscriptionId = subscriptionOf(event);
      const touched = subscriptionId ? await applySubscription(tx, deps, subscriptionId) : undefined;
      if (event.type === 'invoice.payment_failed' && touched) {
        // Shown in the app through GET /subscriptions (status PAST_DUE), kept in the audit log, and
        // told in Telegram by a worker. Queued before the commit: if the commit fails, Stripe sends
        // the event again and the same job id is not queued twice.
        await deps.notices.add(`stripe-${event.id}`, { userId: touched.userId, ...PAYMENT_FAILED_NOTICE });
        await tx.auditLog.create({
          data: {
            userId: touched.userId,
            actor: 'stripe',
            action: 'payment_failed',
            entityType: 'subscription',
            entityId: subscriptionId ?? null,
            data: { event: event.id },
          },
        });
      }
      return touched;
    },
    { timeout: 30_000, maxWait: 10_000 },
  );
}
