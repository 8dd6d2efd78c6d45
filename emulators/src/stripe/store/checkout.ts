// Checkout sessions (subscription mode, hosted): created by the API, expired on time or on request,
// and paid on the hosted page (or POST /__control/pay/:id), which creates the customer, the
// subscription and its first invoice.
import {
  applyMetadata,
  clone,
  newId,
  nowSeconds,
  randomToken,
  StripeApiError,
  type Metadata,
  type StripeList,
} from '../objects.js';
import { createCustomer, type Customer } from './customers.js';
import { list, type ListParams } from './expand.js';
import { createInvoice, type Invoice } from './invoices.js';
import type { Price } from './prices.js';
import type { StripeState } from './state.js';
import type { StripeEvent } from './events.js';
import { createSubscription, type Subscription } from './subscriptions.js';

export interface CheckoutLineItem {
  id: string;
  object: 'item';
  amount_discount: 0;
  amount_subtotal: number;
  amount_tax: 0;
  amount_total: number;
  currency: string;
  description: string;
  price: Price;
  quantity: number;
}

export interface CheckoutSession {
  id: string;
  object: 'checkout.session';
  allow_promotion_codes: boolean | null;
  amount_subtotal: number;
  amount_total: number;
  billing_address_collection: string | null;
  cancel_url: string | null;
  client_reference_id: string | null;
  client_secret: null;
  created: number;
  currency: string;
  customer: string | Customer | null;
  customer_creation: 'always' | null;
  customer_details: { email: string | null; name: string | null; phone: null; tax_exempt: 'none' } | null;
  customer_email: string | null;
  expires_at: number;
  invoice: string | Invoice | null;
  line_items?: StripeList<CheckoutLineItem>;
  livemode: false;
  locale: string | null;
  metadata: Metadata;
  mode: 'subscription';
  payment_intent: null;
  payment_method_types: string[];
  payment_status: 'paid' | 'unpaid' | 'no_payment_required';
  status: 'open' | 'complete' | 'expired';
  subscription: string | Subscription | null;
  success_url: string;
  total_details: { amount_discount: 0; amount_shipping: 0; amount_tax: 0 };
  ui_mode: 'hosted';
  url: string | null;
}

export interface CheckoutParams {
  customer?: string;
  customerEmail?: string;
  lineItems: { price: string; quantity: number }[];
  successUrl: string;
  cancelUrl?: string;
  clientReferenceId?: string;
  metadata?: Metadata;
  subscriptionMetadata?: Metadata;
  subscriptionDescription?: string;
  locale?: string;
  allowPromotionCodes?: boolean;
  billingAddressCollection?: string;
  paymentMethodTypes?: string[];
  expiresAt?: number;
}

export interface PayResult {
  session: CheckoutSession;
  subscription: Subscription;
  invoice: Invoice;
  customer: Customer;
  events: StripeEvent[];
}

export function createCheckoutSession(state: StripeState, params: CheckoutParams, origin: string): CheckoutSession {
  if (params.customer !== undefined) state.customer(params.customer, 'customer');
  if (params.lineItems.length === 0) {
    throw new StripeApiError(400, 'Missing required param: line_items.', {
      code: 'parameter_missing',
      param: 'line_items',
    });
  }
  const id = `cs_test_a1${randomToken(56)}`;
  const items = params.lineItems.map(({ price: priceId, quantity }, i): CheckoutLineItem => {
    const price = state.price(priceId, `line_items[${i}][price]`);
    const product = state.products.get(price.product as string);
    const amount = (price.unit_amount ?? 0) * quantity;
    return {
      id: newId('li'),
      object: 'item',
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency: price.currency,
      description: product?.name ?? price.id,
      price: clone(price),
      quantity,
    };
  });
  const currencies = new Set(items.map((item) => item.currency));
  if (currencies.size > 1) {
    throw new StripeApiError(400, 'All prices in line_items must have the same currency.', { param: 'line_items' });
  }
  const total = items.reduce((sum, item) => sum + item.amount_total, 0);
  const created = nowSeconds();
  const session: CheckoutSession = {
    id,
    object: 'checkout.session',
    allow_promotion_codes: params.allowPromotionCodes ?? null,
    amount_subtotal: total,
    amount_total: total,
    billing_address_collection: params.billingAddressCollection ?? null,
    cancel_url: params.cancelUrl ?? null,
    client_reference_id: params.clientReferenceId ?? null,
    client_secret: null,
    created,
    currency: items[0]!.currency,
    customer: params.customer ?? null,
    customer_creation: params.customer === undefined ? 'always' : null,
    customer_details: null,
    customer_email: params.customerEmail ?? null,
    expires_at: params.expiresAt ?? created + 24 * 3600,
    invoice: null,
    livemode: false,
    locale: params.locale ?? null,
    metadata: applyMetadata({}, params.metadata),
    mode: 'subscription',
    payment_intent: null,
    payment_method_types: params.paymentMethodTypes ?? ['card'],
    payment_status: 'unpaid',
    status: 'open',
    subscription: null,
    success_url: params.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    url: `${origin}/checkout/${id}`,
  };
  state.sessions.set(id, session);
  state.lineItems.set(id, items);
  state.sessionSubscriptionData.set(id, {
    metadata: applyMetadata({}, params.subscriptionMetadata),
    description: params.subscriptionDescription ?? null,
  });
  return session;
}

export function lineItemsOf(state: StripeState, sessionId: string): CheckoutLineItem[] {
  state.session(sessionId);
  return state.lineItems.get(sessionId) ?? [];
}

export function listCheckoutSessions(
  state: StripeState,
  params: ListParams & { customer?: string; subscription?: string; status?: string },
): StripeList<CheckoutSession> {
  const all = [...state.sessions.values()].filter(
    (s) =>
      (params.customer === undefined || s.customer === params.customer) &&
      (params.subscription === undefined || s.subscription === params.subscription) &&
      (params.status === undefined || s.status === params.status),
  );
  return list(all, params, '/v1/checkout/sessions');
}

/** An open session past its `expires_at` expires on first sight, as Stripe expires it on time. */
function checkExpiry(state: StripeState, session: CheckoutSession): void {
  if (session.status === 'open' && nowSeconds() >= session.expires_at) expire(state, session);
}

function expire(state: StripeState, session: CheckoutSession): void {
  session.status = 'expired';
  session.url = null;
  state.emit('checkout.session.expired', session);
}

export function retrieveCheckoutSession(state: StripeState, id: string): CheckoutSession {
  const session = state.session(id);
  checkExpiry(state, session);
  return session;
}

export function expireCheckoutSession(state: StripeState, id: string): CheckoutSession {
  const session = retrieveCheckoutSession(state, id);
  if (session.status !== 'open') {
    throw new StripeApiError(
      400,
      `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
    );
  }
  expire(state, session);
  return session;
}

/**
 * What paying on the hosted page does: the customer (created unless the session names one), an
 * active subscription with the session's prices and `subscription_data`, a paid invoice, and the
 * session completed; then `checkout.session.completed`, `customer.subscription.created` and
 * `invoice.paid`, in that order.
 */
export function payCheckoutSession(
  state: StripeState,
  id: string,
  payer: { email?: string; name?: string } = {},
): PayResult {
  const session = retrieveCheckoutSession(state, id);
  if (session.status !== 'open') {
    throw new StripeApiError(409, `This Checkout Session is no longer open (status: ${session.status}).`, {
      code: 'checkout_session_not_open',
    });
  }
  const customer =
    typeof session.customer === 'string'
      ? state.customer(session.customer, 'customer')
      : createCustomer(state, {
          email: payer.email ?? session.customer_email ?? 'customer@example.com',
          name: payer.name ?? null,
        });
  const data = state.sessionSubscriptionData.get(id) ?? { metadata: {}, description: null };
  const items = state.lineItems.get(id) ?? [];
  const subscription = createSubscription(
    state,
    customer,
    items.map((item) => ({ price: item.price.id, quantity: item.quantity })),
    data.metadata,
    data.description,
  );
  const invoice = createInvoice(state, subscription, 'subscription_create', true);
  subscription.latest_invoice = invoice.id;

  session.status = 'complete';
  session.payment_status = session.amount_total === 0 ? 'no_payment_required' : 'paid';
  session.customer = customer.id;
  session.subscription = subscription.id;
  session.invoice = invoice.id;
  session.customer_details = { email: customer.email, name: customer.name, phone: null, tax_exempt: 'none' };
  session.url = null;

  const events = [
    state.emit('checkout.session.completed', session),
    state.emit('customer.subscription.created', subscription),
    state.emit('invoice.paid', invoice),
  ];
  return { session, subscription, invoice, customer, events };
}
