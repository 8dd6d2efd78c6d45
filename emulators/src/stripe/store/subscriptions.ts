// Subscriptions: created by paying Checkout, changed by the API and the portal (plan switch,
// cancel at period end, metadata), canceled at once by DELETE or by deleting the customer. Their
// billing periods move in billing-cycle.ts.
import {
  addMonths,
  applyMetadata,
  changedFields,
  clone,
  listOf,
  newId,
  noSuch,
  nowSeconds,
  StripeApiError,
  type Metadata,
  type StripeList,
} from '../objects.js';
import type { Customer } from './customers.js';
import { list, type ListParams } from './expand.js';
import type { Invoice } from './invoices.js';
import type { Price } from './prices.js';
import type { StripeState } from './state.js';

export type SubscriptionStatus =
  'active' | 'past_due' | 'unpaid' | 'canceled' | 'incomplete' | 'incomplete_expired' | 'trialing' | 'paused';

export interface SubscriptionItem {
  id: string;
  object: 'subscription_item';
  created: number;
  current_period_end: number;
  current_period_start: number;
  discounts: string[];
  metadata: Metadata;
  price: Price;
  quantity: number;
  subscription: string;
  tax_rates: [];
}

export interface Subscription {
  id: string;
  object: 'subscription';
  application: null;
  automatic_tax: { disabled_reason: null; enabled: false; liability: null };
  billing_cycle_anchor: number;
  billing_mode: { type: 'flexible' };
  cancel_at: number | null;
  cancel_at_period_end: boolean;
  canceled_at: number | null;
  cancellation_details: { comment: string | null; feedback: string | null; reason: string | null };
  collection_method: 'charge_automatically';
  created: number;
  currency: string;
  /** Not in current API versions (moved to the items); kept because many integrations still read it. */
  current_period_end: number;
  /** As `current_period_end`. */
  current_period_start: number;
  customer: string | Customer;
  default_payment_method: string | null;
  description: string | null;
  discounts: string[];
  ended_at: number | null;
  items: StripeList<SubscriptionItem>;
  latest_invoice: string | Invoice | null;
  livemode: false;
  metadata: Metadata;
  pause_collection: null;
  start_date: number;
  status: SubscriptionStatus;
  test_clock: null;
  trial_end: null;
  trial_start: null;
}

export interface ItemChange {
  id?: string;
  price?: string;
  quantity?: number;
  deleted?: boolean;
}

export interface SubscriptionChanges {
  cancelAtPeriodEnd?: boolean;
  items?: ItemChange[];
  metadata?: Metadata | null;
  description?: string | null;
  cancellationComment?: string | null;
  cancellationFeedback?: string | null;
  /** Set by the portal: Stripe records why the subscription is ending. */
  cancellationReason?: string | null;
}

export function createSubscription(
  state: StripeState,
  customer: Customer,
  lines: { price: string; quantity: number }[],
  metadata: Metadata,
  description: string | null,
): Subscription {
  const now = nowSeconds();
  const id = newId('sub');
  const interval = state.price(lines[0]!.price).recurring.interval;
  const end = addMonths(now, interval === 'year' ? 12 : 1);
  const subscription: Subscription = {
    id,
    object: 'subscription',
    application: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: now,
    billing_mode: { type: 'flexible' },
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    collection_method: 'charge_automatically',
    created: now,
    currency: state.price(lines[0]!.price).currency,
    current_period_end: end,
    current_period_start: now,
    customer: customer.id,
    default_payment_method: newId('pm'),
    description,
    discounts: [],
    ended_at: null,
    items: listOf([], `/v1/subscription_items?subscription=${id}`),
    latest_invoice: null,
    livemode: false,
    metadata: { ...metadata },
    pause_collection: null,
    start_date: now,
    status: 'active',
    test_clock: null,
    trial_end: null,
    trial_start: null,
  };
  subscription.items.data = lines.map((line) => newItem(state, subscription, line.price, line.quantity));
  subscription.items.total_count = subscription.items.data.length;
  state.subscriptions.set(id, subscription);
  state.periodIndex.set(id, 0);
  return subscription;
}

function newItem(
  state: StripeState,
  subscription: Subscription,
  priceId: string,
  quantity: number,
  param?: string,
): SubscriptionItem {
  return {
    id: newId('si', 14),
    object: 'subscription_item',
    created: nowSeconds(),
    current_period_end: subscription.current_period_end,
    current_period_start: subscription.current_period_start,
    discounts: [],
    metadata: {},
    price: clone(state.price(priceId, param)),
    quantity,
    subscription: subscription.id,
    tax_rates: [],
  };
}

export function listSubscriptions(
  state: StripeState,
  params: ListParams & { customer?: string; status?: string; price?: string },
): StripeList<Subscription> {
  const all = [...state.subscriptions.values()].filter(
    (s) =>
      (params.customer === undefined || s.customer === params.customer) &&
      (params.price === undefined || s.items.data.some((item) => item.price.id === params.price)) &&
      (params.status === 'all' || (params.status === undefined ? s.status !== 'canceled' : s.status === params.status)),
  );
  return list(all, params, '/v1/subscriptions');
}

/** POST /v1/subscriptions/:id; sends `customer.subscription.updated` when anything changed. */
export function updateSubscription(state: StripeState, id: string, changes: SubscriptionChanges): Subscription {
  const subscription = state.subscription(id);
  const before = clone(subscription);
  if (subscription.status === 'canceled') {
    const allowed = new Set(['metadata', 'cancellationComment', 'cancellationFeedback']);
    const other = Object.entries(changes).find(([key, value]) => value !== undefined && !allowed.has(key));
    if (other) {
      throw new StripeApiError(400, 'A canceled subscription can only update its cancellation_details and metadata.');
    }
  }
  if (changes.items !== undefined) applyItems(state, subscription, changes.items);
  if (changes.cancelAtPeriodEnd !== undefined && changes.cancelAtPeriodEnd !== subscription.cancel_at_period_end) {
    const now = nowSeconds();
    subscription.cancel_at_period_end = changes.cancelAtPeriodEnd;
    subscription.cancel_at = changes.cancelAtPeriodEnd ? subscription.current_period_end : null;
    subscription.canceled_at = changes.cancelAtPeriodEnd ? now : null;
    subscription.cancellation_details.reason = changes.cancelAtPeriodEnd
      ? (changes.cancellationReason ?? 'cancellation_requested')
      : null;
  }
  if (changes.cancellationComment !== undefined)
    subscription.cancellation_details.comment = changes.cancellationComment;
  if (changes.cancellationFeedback !== undefined) {
    subscription.cancellation_details.feedback = changes.cancellationFeedback;
  }
  if (changes.description !== undefined) subscription.description = changes.description;
  subscription.metadata = applyMetadata(subscription.metadata, changes.metadata);
  const previous = changedFields(before, subscription);
  if (previous) state.emit('customer.subscription.updated', subscription, previous);
  return subscription;
}

function applyItems(state: StripeState, subscription: Subscription, changes: ItemChange[]): void {
  let items = [...subscription.items.data];
  changes.forEach((change, i) => {
    const param = (field: string) => `items[${i}][${field}]`;
    if (change.id !== undefined) {
      const at = items.findIndex((item) => item.id === change.id);
      if (at < 0) throw noSuch('subscription item', change.id, param('id'));
      if (change.deleted) {
        items = items.filter((item) => item.id !== change.id);
        return;
      }
      const item = { ...items[at]! };
      if (change.price !== undefined) item.price = clone(state.price(change.price, param('price')));
      if (change.quantity !== undefined) item.quantity = change.quantity;
      items[at] = item;
    } else {
      if (change.deleted) {
        throw new StripeApiError(400, 'Missing required param: items[0][id].', { param: param('id') });
      }
      if (change.price === undefined) {
        throw new StripeApiError(400, `Missing required param: ${param('price')}.`, {
          code: 'parameter_missing',
          param: param('price'),
        });
      }
      // As on Stripe: an item without `id` is ADDED; switching plan means naming the item to change.
      items.push(newItem(state, subscription, change.price, change.quantity ?? 1, param('price')));
    }
  });
  if (items.length === 0) {
    throw new StripeApiError(400, 'A subscription must have at least one active plan.', { param: 'items' });
  }
  const prices = items.map((item) => item.price.id);
  if (new Set(prices).size !== prices.length) {
    throw new StripeApiError(400, 'Cannot add multiple subscription items with the same price.', { param: 'items' });
  }
  if (items.some((item) => item.price.currency !== subscription.currency)) {
    throw new StripeApiError(400, `Every price of a subscription must be in ${subscription.currency}.`, {
      param: 'items',
    });
  }
  subscription.items = { ...subscription.items, data: items, total_count: items.length };
}

/** DELETE /v1/subscriptions/:id: canceled now, `customer.subscription.deleted`. */
export function cancelNow(
  state: StripeState,
  id: string,
  details: { comment?: string; feedback?: string } = {},
): Subscription {
  const subscription = state.subscription(id);
  if (subscription.status === 'canceled') {
    throw new StripeApiError(400, `This subscription is already canceled: '${id}'.`);
  }
  const now = nowSeconds();
  subscription.status = 'canceled';
  subscription.canceled_at = now;
  subscription.ended_at = now;
  subscription.cancel_at = null;
  subscription.cancel_at_period_end = false;
  subscription.cancellation_details = {
    comment: details.comment ?? null,
    feedback: details.feedback ?? null,
    reason: 'cancellation_requested',
  };
  state.emit('customer.subscription.deleted', subscription);
  return subscription;
}
