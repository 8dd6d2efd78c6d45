// /v1/subscriptions: list (by customer, price, status), retrieve, update (items, cancel at
// period end, metadata, cancellation details), cancel now.
import type { FormObject } from '../form.js';
import { StripeApiError } from '../objects.js';
import type { ItemChange } from '../store.js';
import {
  allowOnly,
  array,
  bool,
  hash,
  int,
  LIST_PARAMS,
  listParams,
  metadata,
  nullableStr,
  str,
  unsupported,
} from '../params.js';
import { respond, routeIn, type Route } from './route.js';

export const subscriptionRoutes: Route[] = [];
const route = routeIn(subscriptionRoutes);

const STATUSES = ['active', 'past_due', 'unpaid', 'canceled', 'incomplete', 'incomplete_expired', 'trialing', 'paused'];

route('GET', '/v1/subscriptions', (store, req) => {
  const p = req.params;
  allowOnly(p, [
    ...LIST_PARAMS,
    'customer',
    'status',
    'price',
    'created',
    'current_period_end',
    'current_period_start',
    'collection_method',
    'test_clock',
    'automatic_tax',
  ]);
  let status = str(p, 'status');
  if (status === 'ended') status = 'canceled';
  if (status !== undefined && status !== 'all' && !STATUSES.includes(status)) {
    throw new StripeApiError(400, `Invalid status: must be one of ${[...STATUSES, 'ended', 'all'].join(', ')}`, {
      param: 'status',
    });
  }
  const list = store.listSubscriptions({
    ...listParams(p),
    customer: str(p, 'customer'),
    price: str(p, 'price'),
    status,
  });
  return respond(store, req, list);
});

route('GET', '/v1/subscriptions/:id', (store, req, id) => {
  allowOnly(req.params, ['expand']);
  return respond(store, req, store.subscription(id));
});

function itemChanges(p: FormObject): ItemChange[] | undefined {
  const items = array(p, 'items');
  if (!items) return undefined;
  return items.map((value, i) => {
    const label = `items[${i}]`;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new StripeApiError(400, `Invalid ${label}: must be a hash`, { param: label });
    }
    allowOnly(
      value,
      ['id', 'price', 'quantity', 'deleted', 'metadata', 'clear_usage', 'tax_rates', 'discounts', 'price_data'],
      label,
    );
    unsupported(value, ['price_data'], label);
    return {
      id: str(value, 'id', `${label}[id]`),
      price: str(value, 'price', `${label}[price]`),
      quantity: int(value, 'quantity', 1, 999_999, `${label}[quantity]`),
      deleted: bool(value, 'deleted', `${label}[deleted]`),
    };
  });
}

const PRORATION = ['create_prorations', 'none', 'always_invoice'];

route('POST', '/v1/subscriptions/:id', (store, req, id) => {
  const p = req.params;
  allowOnly(p, [
    'cancel_at_period_end',
    'items',
    'metadata',
    'description',
    'cancellation_details',
    'proration_behavior',
    'proration_date',
    'payment_behavior',
    'default_payment_method',
    'cancel_at',
    'pause_collection',
    'trial_end',
    'billing_cycle_anchor',
    'expand',
  ]);
  unsupported(p, ['pause_collection', 'trial_end', 'billing_cycle_anchor']);
  if (p.cancel_at !== undefined && p.cancel_at !== '') unsupported(p, ['cancel_at']);
  const proration = str(p, 'proration_behavior');
  if (proration !== undefined && !PRORATION.includes(proration)) {
    throw new StripeApiError(400, `Invalid proration_behavior: must be one of ${PRORATION.join(', ')}`, {
      param: 'proration_behavior',
    });
  }
  const details = hash(p, 'cancellation_details') ?? {};
  allowOnly(details, ['comment', 'feedback'], 'cancellation_details');
  const subscription = store.updateSubscription(id, {
    cancelAtPeriodEnd: bool(p, 'cancel_at_period_end'),
    items: itemChanges(p),
    metadata: metadata(p),
    description: nullableStr(p, 'description'),
    cancellationComment: nullableStr(details, 'comment', 'cancellation_details[comment]'),
    cancellationFeedback: nullableStr(details, 'feedback', 'cancellation_details[feedback]'),
  });
  return respond(store, req, subscription);
});

route('DELETE', '/v1/subscriptions/:id', (store, req, id) => {
  const p = req.params;
  allowOnly(p, ['cancellation_details', 'invoice_now', 'prorate', 'expand']);
  const details = hash(p, 'cancellation_details') ?? {};
  allowOnly(details, ['comment', 'feedback'], 'cancellation_details');
  bool(p, 'invoice_now');
  bool(p, 'prorate');
  const subscription = store.cancelNow(id, {
    comment: str(details, 'comment', 'cancellation_details[comment]'),
    feedback: str(details, 'feedback', 'cancellation_details[feedback]'),
  });
  return respond(store, req, subscription);
});
