// A subscription's billing period ending, as the clock controls drive it
// (POST /__control/subscriptions/:id/renew | fail-payment | end-period): renewal paid, renewal
// failed (past_due, retried on the open invoice), or the end of a cancel_at_period_end period.
import { addMonths, changedFields, clone, nowSeconds, StripeApiError } from '../objects.js';
import type { StripeEvent } from './events.js';
import { createInvoice, type Invoice } from './invoices.js';
import type { StripeState } from './state.js';
import type { Subscription } from './subscriptions.js';

function advancePeriod(state: StripeState, subscription: Subscription): void {
  const interval = subscription.items.data[0]?.price.recurring.interval ?? 'month';
  const months = interval === 'year' ? 12 : 1;
  const index = (state.periodIndex.get(subscription.id) ?? 0) + 1;
  state.periodIndex.set(subscription.id, index);
  subscription.current_period_start = subscription.current_period_end;
  subscription.current_period_end = addMonths(subscription.billing_cycle_anchor, (index + 1) * months);
  subscription.items = {
    ...subscription.items,
    data: subscription.items.data.map((item) => ({
      ...item,
      current_period_start: subscription.current_period_start,
      current_period_end: subscription.current_period_end,
    })),
  };
}

function renewable(subscription: Subscription, action: string): void {
  if (subscription.status === 'canceled') {
    throw new StripeApiError(409, `Cannot ${action}: subscription ${subscription.id} is canceled.`);
  }
  if (subscription.cancel_at_period_end) {
    throw new StripeApiError(
      409,
      `Cannot ${action}: subscription ${subscription.id} cancels at period end (use end-period).`,
    );
  }
}

function openInvoice(state: StripeState, subscription: Subscription): Invoice | undefined {
  const latest = subscription.latest_invoice;
  const invoice = typeof latest === 'string' ? state.invoices.get(latest) : undefined;
  return invoice?.status === 'open' ? invoice : undefined;
}

/**
 * The period ends and is paid: a new period, a paid `subscription_cycle` invoice, `invoice.paid`
 * then `customer.subscription.updated`. A past_due subscription instead has its open invoice paid
 * (same period) and becomes active again.
 */
export function renew(
  state: StripeState,
  id: string,
): { subscription: Subscription; invoice: Invoice; events: StripeEvent[] } {
  const subscription = state.subscription(id);
  renewable(subscription, 'renew');
  const before = clone(subscription);
  let invoice = openInvoice(state, subscription);
  const now = nowSeconds();
  if (invoice) {
    invoice.status = 'paid';
    invoice.amount_paid = invoice.amount_due;
    invoice.amount_remaining = 0;
    invoice.attempt_count += 1;
    invoice.next_payment_attempt = null;
    invoice.status_transitions.paid_at = now;
  } else {
    advancePeriod(state, subscription);
    invoice = createInvoice(state, subscription, 'subscription_cycle', true);
    subscription.latest_invoice = invoice.id;
  }
  subscription.status = 'active';
  const events = [state.emit('invoice.paid', invoice)];
  const previous = changedFields(before, subscription);
  if (previous) events.push(state.emit('customer.subscription.updated', subscription, previous));
  return { subscription, invoice, events };
}

/**
 * The renewal payment fails: a new period with an open `subscription_cycle` invoice (or one more
 * failed attempt on the open one), status past_due, `invoice.payment_failed` then
 * `customer.subscription.updated`.
 */
export function failPayment(
  state: StripeState,
  id: string,
): { subscription: Subscription; invoice: Invoice; events: StripeEvent[] } {
  const subscription = state.subscription(id);
  renewable(subscription, 'fail the payment');
  const before = clone(subscription);
  let invoice = openInvoice(state, subscription);
  if (invoice) {
    invoice.attempt_count += 1;
    invoice.next_payment_attempt = nowSeconds() + 3 * 24 * 3600;
  } else {
    advancePeriod(state, subscription);
    invoice = createInvoice(state, subscription, 'subscription_cycle', false);
    subscription.latest_invoice = invoice.id;
  }
  subscription.status = 'past_due';
  const events = [state.emit('invoice.payment_failed', invoice)];
  const previous = changedFields(before, subscription);
  if (previous) events.push(state.emit('customer.subscription.updated', subscription, previous));
  return { subscription, invoice, events };
}

/** The period of a cancel_at_period_end subscription ends: canceled, `customer.subscription.deleted`. */
export function endPeriod(state: StripeState, id: string): { subscription: Subscription; events: StripeEvent[] } {
  const subscription = state.subscription(id);
  if (subscription.status === 'canceled') {
    throw new StripeApiError(409, `Subscription ${id} is already canceled.`);
  }
  if (!subscription.cancel_at_period_end) {
    throw new StripeApiError(409, `Subscription ${id} does not cancel at period end (use renew or fail-payment).`);
  }
  subscription.status = 'canceled';
  subscription.ended_at = subscription.current_period_end;
  subscription.cancel_at = subscription.current_period_end;
  return { subscription, events: [state.emit('customer.subscription.deleted', subscription)] };
}
