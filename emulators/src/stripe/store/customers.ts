// Customers: created by the API or by paying a Checkout session that names none; deleting one
// cancels their subscriptions at once, as Stripe does, and leaves a `deleted` stub behind.
import { applyMetadata, newId, nowSeconds, randomToken, type Metadata, type StripeList } from '../objects.js';
import { list, type ListParams } from './expand.js';
import type { StripeState } from './state.js';
import { cancelNow } from './subscriptions.js';

export interface Customer {
  id: string;
  object: 'customer';
  address: null;
  balance: number;
  created: number;
  currency: string | null;
  default_source: null;
  delinquent: boolean;
  description: string | null;
  email: string | null;
  invoice_prefix: string;
  invoice_settings: {
    custom_fields: null;
    default_payment_method: string | null;
    footer: null;
    rendering_options: null;
  };
  livemode: false;
  metadata: Metadata;
  name: string | null;
  next_invoice_sequence: number;
  phone: string | null;
  preferred_locales: string[];
  shipping: null;
  tax_exempt: 'none';
  test_clock: null;
}

export interface DeletedCustomer {
  id: string;
  object: 'customer';
  deleted: true;
}

export interface CustomerParams {
  email?: string | null;
  name?: string | null;
  description?: string | null;
  phone?: string | null;
  /** null (the form's `metadata=`) clears all keys; a key set to '' is removed. */
  metadata?: Metadata | null;
}

export function createCustomer(state: StripeState, params: CustomerParams): Customer {
  const customer: Customer = {
    id: newId('cus', 14),
    object: 'customer',
    address: null,
    balance: 0,
    created: nowSeconds(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: params.description ?? null,
    email: params.email ?? null,
    invoice_prefix: randomToken(8).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: applyMetadata({}, params.metadata),
    name: params.name ?? null,
    next_invoice_sequence: 1,
    phone: params.phone ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
  state.customers.set(customer.id, customer);
  return customer;
}

export function updateCustomer(state: StripeState, id: string, params: CustomerParams): Customer {
  const customer = state.customer(id);
  if (params.email !== undefined) customer.email = params.email;
  if (params.name !== undefined) customer.name = params.name;
  if (params.description !== undefined) customer.description = params.description;
  if (params.phone !== undefined) customer.phone = params.phone;
  customer.metadata = applyMetadata(customer.metadata, params.metadata);
  return customer;
}

/** Deletes the customer and, as Stripe does, cancels their subscriptions at once. */
export function deleteCustomer(state: StripeState, id: string): DeletedCustomer {
  state.customer(id);
  for (const subscription of state.subscriptions.values()) {
    if (subscription.customer === id && subscription.status !== 'canceled') cancelNow(state, subscription.id);
  }
  state.customers.delete(id);
  state.deletedCustomers.add(id);
  return { id, object: 'customer', deleted: true };
}

export function listCustomers(state: StripeState, params: ListParams & { email?: string }): StripeList<Customer> {
  const all = [...state.customers.values()].filter((c) => params.email === undefined || c.email === params.email);
  return list(all, params, '/v1/customers');
}
