// Prices and products: fixed at start (the product's STRIPE_PRICE_PRO / STRIPE_PRICE_BUSINESS),
// read by Checkout, subscriptions and the portal; the API only retrieves and lists them.
import type { Metadata } from '../objects.js';

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
