// The Stripe objects the emulator keeps and returns, in the JSON shapes of the current API
// (2026-10-28.endive, what `stripe` 23 pins), with Stripe's id prefixes and error shape.
// Only the fields a billing integration reads are modelled; each object still carries the
// `object`, `livemode`, `created` and `metadata` fields every Stripe object has.
import { randomBytes } from 'node:crypto';

/** The API version `stripe` 23 sends; events carry it as `api_version`. */
export const STRIPE_API_VERSION = '2026-10-28.endive';

export type Metadata = Record<string, string>;

// ---------------------------------------------------------------------------------------------
// Errors

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorBody {
  error: {
    type: StripeErrorType;
    message: string;
    code?: string;
    param?: string;
    decline_code?: string;
    doc_url?: string;
  };
}

function defaultType(status: number): StripeErrorType {
  if (status === 402) return 'card_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

function defaultCode(status: number): string | undefined {
  if (status === 402) return 'card_declined';
  if (status === 404) return 'resource_missing';
  if (status === 429) return 'rate_limit';
  return undefined;
}

/** Stripe's error body: `{ error: { type, code?, message, param?, doc_url? } }`. */
export function stripeErrorBody(
  status: number,
  message: string,
  extra: { type?: StripeErrorType; code?: string; param?: string } = {},
): StripeErrorBody {
  const type = extra.type ?? defaultType(status);
  const code = extra.code ?? (extra.type === undefined ? defaultCode(status) : undefined);
  return {
    error: {
      type,
      message,
      ...(code === undefined
        ? {}
        : { code, doc_url: `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}` }),
      ...(status === 402 ? { decline_code: 'generic_decline' } : {}),
      ...(extra.param === undefined ? {} : { param: extra.param }),
    },
  };
}

/** Thrown by the store and the routes; the server turns it into Stripe's error response. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: { type?: StripeErrorType; code?: string; param?: string } = {},
  ) {
    super(message);
  }

  body(): StripeErrorBody {
    return stripeErrorBody(this.status, this.message, this.extra);
  }
}

/**
 * `resource_missing`, worded as Stripe words it: "No such customer: 'cus_123'"; a 404 for the id in
 * the path, a 400 for an id passed as a parameter (`customer`, `line_items[0][price]`).
 */
export function noSuch(kind: string, id: string, param = 'id'): StripeApiError {
  return new StripeApiError(param === 'id' ? 404 : 400, `No such ${kind}: '${id}'`, {
    code: 'resource_missing',
    param,
  });
}

// ---------------------------------------------------------------------------------------------
// Ids and time

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/** `cus_…`, `sub_…`, `evt_…`: Stripe's prefix and 24 base-62 characters. */
export const newId = (prefix: string, length = 24) => `${prefix}_${randomToken(length)}`;

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The same day of month `months` later (clamped to the month's last day), time of day kept, in UTC. */
export function addMonths(anchor: number, months: number): number {
  const date = new Date(anchor * 1000);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(date.getUTCDate(), lastDay);
  const ms = Date.UTC(year, month, day, date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds());
  return Math.floor(ms / 1000);
}

// ---------------------------------------------------------------------------------------------
// Objects

export interface StripeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
  total_count?: number;
}

export type Interval = 'month' | 'year';

/** A price the emulator starts with (the product's STRIPE_PRICE_PRO / STRIPE_PRICE_BUSINESS). */
export interface StripePriceOption {
  id: string;
  /** In the smallest currency unit (cents). */
  unitAmount: number;
  /** Lower-case ISO code; default 'usd'. */
  currency?: string;
  /** Billing interval (count 1); default 'month'. */
  interval?: Interval;
  /** Default `prod_<id without price_>`. */
  productId?: string;
  /** Shown on the checkout and portal pages; default the price id. */
  productName?: string;
  nickname?: string;
  lookupKey?: string;
  metadata?: Metadata;
}

export const STRIPE_DEFAULT_PRICES: readonly StripePriceOption[] = [
  {
    id: 'price_pro_local',
    unitAmount: 1900,
    currency: 'usd',
    interval: 'month',
    productId: 'prod_pro_local',
    productName: 'Postaify Pro',
    nickname: 'PRO',
    lookupKey: 'pro_monthly',
  },
  {
    id: 'price_business_local',
    unitAmount: 9900,
    currency: 'usd',
    interval: 'month',
    productId: 'prod_business_local',
    productName: 'Postaify Business',
    nickname: 'BUSINESS',
    lookupKey: 'business_monthly',
  },
];

export interface Product {
  id: string;
  object: 'product';
  active: boolean;
  created: number;
  default_price: string | null;
  description: string | null;
  livemode: false;
  metadata: Metadata;
  name: string;
  type: 'service';
  updated: number;
}

export interface Price {
  id: string;
  object: 'price';
  active: boolean;
  billing_scheme: 'per_unit';
  created: number;
  currency: string;
  custom_unit_amount: null;
  livemode: false;
  lookup_key: string | null;
  metadata: Metadata;
  nickname: string | null;
  product: string | Product;
  recurring: {
    interval: Interval;
    interval_count: 1;
    meter: null;
    trial_period_days: null;
    usage_type: 'licensed';
  };
  tax_behavior: 'unspecified';
  tiers_mode: null;
  transform_quantity: null;
  type: 'recurring';
  unit_amount: number;
  unit_amount_decimal: string;
}

export function productFrom(option: StripePriceOption, created: number): Product {
  return {
    id: option.productId ?? `prod_${option.id.replace(/^price_/, '')}`,
    object: 'product',
    active: true,
    created,
    default_price: option.id,
    description: null,
    livemode: false,
    metadata: {},
    name: option.productName ?? option.id,
    type: 'service',
    updated: created,
  };
}

export function priceFrom(option: StripePriceOption, product: Product, created: number): Price {
  if (!Number.isInteger(option.unitAmount) || option.unitAmount < 0) {
    throw new Error(`price ${option.id}: unitAmount must be a non-negative integer (cents)`);
  }
  return {
    id: option.id,
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created,
    currency: (option.currency ?? 'usd').toLowerCase(),
    custom_unit_amount: null,
    livemode: false,
    lookup_key: option.lookupKey ?? null,
    metadata: { ...(option.metadata ?? {}) },
    nickname: option.nickname ?? null,
    product: product.id,
    recurring: {
      interval: option.interval ?? 'month',
      interval_count: 1,
      meter: null,
      trial_period_days: null,
      usage_type: 'licensed',
    },
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'recurring',
    unit_amount: option.unitAmount,
    unit_amount_decimal: String(option.unitAmount),
  };
}

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

export interface PortalSession {
  id: string;
  object: 'billing_portal.session';
  configuration: string;
  created: number;
  customer: string;
  flow: null;
  livemode: false;
  locale: string | null;
  on_behalf_of: null;
  return_url: string | null;
  url: string;
}

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: unknown; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export function listOf<T>(data: T[], url: string, hasMore = false): StripeList<T> {
  return { object: 'list', data, has_more: hasMore, url };
}

export const clone = <T>(value: T): T => structuredClone(value);
