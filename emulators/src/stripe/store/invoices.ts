// Invoices: one per subscription period (subscription_create when Checkout is paid,
// subscription_cycle on renewal), paid or left open; the API retrieves and lists them.
import { listOf, newId, nowSeconds, type Metadata, type StripeList } from '../objects.js';
import type { Customer } from './customers.js';
import { list, type ListParams } from './expand.js';
import type { StripeState } from './state.js';
import type { Subscription } from './subscriptions.js';

export interface InvoiceLine {
  id: string;
  object: 'line_item';
  amount: number;
  currency: string;
  description: string;
  invoice: string;
  livemode: false;
  metadata: Metadata;
  parent: {
    type: 'subscription_item_details';
    subscription_item_details: { subscription: string; subscription_item: string; proration: false };
  };
  period: { start: number; end: number };
  pricing: { type: 'price_details'; price_details: { price: string; product: string }; unit_amount_decimal: string };
  quantity: number;
  subscription: string;
  subtotal: number;
}

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';

export interface Invoice {
  id: string;
  object: 'invoice';
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  attempt_count: number;
  attempted: boolean;
  billing_reason: 'subscription_create' | 'subscription_cycle' | 'subscription_update';
  collection_method: 'charge_automatically';
  created: number;
  currency: string;
  customer: string | Customer;
  customer_email: string | null;
  customer_name: string | null;
  hosted_invoice_url: string | null;
  lines: StripeList<InvoiceLine>;
  livemode: false;
  metadata: Metadata;
  next_payment_attempt: number | null;
  number: string;
  parent: {
    type: 'subscription_details';
    quote_details: null;
    subscription_details: { metadata: Metadata; subscription: string | Subscription };
  };
  period_end: number;
  period_start: number;
  status: InvoiceStatus;
  status_transitions: {
    finalized_at: number | null;
    marked_uncollectible_at: null;
    paid_at: number | null;
    voided_at: null;
  };
  /** Not in current API versions (see `parent.subscription_details`); kept for older integrations. */
  subscription: string | Subscription;
  subtotal: number;
  total: number;
}

export function createInvoice(
  state: StripeState,
  subscription: Subscription,
  reason: Invoice['billing_reason'],
  paid: boolean,
): Invoice {
  const customer = state.customers.get(subscription.customer as string);
  const now = nowSeconds();
  const id = newId('in');
  const lines = subscription.items.data.map((item): InvoiceLine => ({
    id: newId('il'),
    object: 'line_item',
    amount: (item.price.unit_amount ?? 0) * item.quantity,
    currency: item.price.currency,
    description: `${item.quantity} × ${state.products.get(item.price.product as string)?.name ?? item.price.id}`,
    invoice: id,
    livemode: false,
    metadata: {},
    parent: {
      type: 'subscription_item_details',
      subscription_item_details: { subscription: subscription.id, subscription_item: item.id, proration: false },
    },
    period: { start: subscription.current_period_start, end: subscription.current_period_end },
    pricing: {
      type: 'price_details',
      price_details: { price: item.price.id, product: item.price.product as string },
      unit_amount_decimal: item.price.unit_amount_decimal,
    },
    quantity: item.quantity,
    subscription: subscription.id,
    subtotal: (item.price.unit_amount ?? 0) * item.quantity,
  }));
  const total = lines.reduce((sum, line) => sum + line.amount, 0);
  const sequence = customer ? customer.next_invoice_sequence++ : 1;
  const invoice: Invoice = {
    id,
    object: 'invoice',
    amount_due: total,
    amount_paid: paid ? total : 0,
    amount_remaining: paid ? 0 : total,
    attempt_count: 1,
    attempted: true,
    billing_reason: reason,
    collection_method: 'charge_automatically',
    created: now,
    currency: subscription.currency,
    customer: subscription.customer,
    customer_email: customer?.email ?? null,
    customer_name: customer?.name ?? null,
    hosted_invoice_url: null,
    lines: listOf(lines, `/v1/invoices/${id}/lines`),
    livemode: false,
    metadata: {},
    next_payment_attempt: paid ? null : now + 3 * 24 * 3600,
    number: `${customer?.invoice_prefix ?? 'EMU'}-${String(sequence).padStart(4, '0')}`,
    parent: {
      type: 'subscription_details',
      quote_details: null,
      subscription_details: { metadata: { ...subscription.metadata }, subscription: subscription.id },
    },
    period_end: subscription.current_period_end,
    period_start: subscription.current_period_start,
    status: paid ? 'paid' : 'open',
    status_transitions: {
      finalized_at: now,
      marked_uncollectible_at: null,
      paid_at: paid ? now : null,
      voided_at: null,
    },
    subscription: subscription.id,
    subtotal: total,
    total,
  };
  state.invoices.set(id, invoice);
  return invoice;
}

export function listInvoices(
  state: StripeState,
  params: ListParams & { customer?: string; subscription?: string; status?: string },
) {
  const all = [...state.invoices.values()].filter(
    (i) =>
      (params.customer === undefined || i.customer === params.customer) &&
      (params.subscription === undefined || i.subscription === params.subscription) &&
      (params.status === undefined || i.status === params.status),
  );
  return list(all, params, '/v1/invoices');
}
